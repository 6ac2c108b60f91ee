import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load';
import { EXAMPLE } from '../helpers/runtime';

const minimal = (topics: string) => `
deployment: { name: 测试县 }
departments:
  - { id: yingshang, name: 营商局 }
routing:
  dispatcher: yingshang
  categories: {}
topics: ${topics}
`;

const problems = (yaml: string) => {
  try {
    parseConfig(yaml, 'bad.yaml', {});
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('configuration: topics.method', () => {
  it('takes learned (the default) or rules', () => {
    expect(parseConfig(minimal('{}'), 'x.yaml', {}).topics.method).toBe('learned');
    expect(parseConfig(minimal('{ method: rules }'), 'x.yaml', {}).topics.method).toBe('rules');
    expect(parseConfig(minimal('{ method: learned }'), 'x.yaml', {}).topics.method).toBe('learned');
  });

  it('refuses another value in Chinese, naming both it takes', () => {
    const text = problems(minimal('{ method: bogus }'));
    expect(text).toMatch(/^topics\.method: .*[\u4e00-\u9fff]/m);
    expect(text).toContain('learned');
    expect(text).toContain('rules');
    expect(text).toContain('bogus');
  });

  it('ships an example whose topics line, with either value, is valid', async () => {
    expect((await loadConfigFile(EXAMPLE)).topics.method).toBe('learned');
    const example = readFileSync(EXAMPLE, 'utf8');
    expect(example).toMatch(/^topics: .*method: learned/m);
    expect(parseConfig(example.replace(/method: learned/, 'method: rules'), 'rules.yaml', {}).topics.method).toBe('rules');
  });
});
