import { expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load';
import { publicBase } from '../../src/config/public-url';
import { EXAMPLE } from '../helpers/runtime';

it('prefers the configured public address over the internal origin a proxy forwards to', async () => {
  const config = await loadConfigFile(EXAMPLE);
  expect(publicBase(config, 'http://10.0.0.5:8787/r/county')).toBe('http://10.0.0.5:8787');
  expect(publicBase(config)).toBeNull();
  const deployed = { ...config, deployment: { ...config.deployment, publicUrl: 'https://gongzhi.example.gov.cn/' } };
  expect(publicBase(deployed, 'http://10.0.0.5:8787/r/county')).toBe('https://gongzhi.example.gov.cn');
});
