import { describe, expect, it } from 'vitest';
import { checkDownloadUrl, PhotoFetchError } from '../../adapters/download';

const refused = (url: string, hosts: string[] = []) => {
  try {
    checkDownloadUrl(url, hosts);
    return false;
  } catch (e) {
    return e instanceof PhotoFetchError && e.reason === 'refused_host';
  }
};

describe('which photo URLs the server will fetch', () => {
  it('fetches public https file hosts', () => {
    expect(checkDownloadUrl('https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/abc?sign=1', []).host).toBe('ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com');
    expect(checkDownloadUrl('https://down.dingtalk.com/file/x', []).protocol).toBe('https:');
  });

  it('never reaches the intranet, however the address is written', () => {
    for (const url of [
      'https://10.0.0.5/admin',
      'https://127.0.0.1/',
      'https://0x7f.1/',
      'https://2130706433/',
      'https://169.254.169.254/latest/meta-data/',
      'https://172.20.1.1/',
      'https://192.168.1.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://localhost/',
      'https://db.internal/',
      'http://example.com/plain-http',
    ])
      expect(refused(url), url).toBe(true);
  });

  it('allows a configured platform host, even a private one (a proxy or a private deployment)', () => {
    expect(checkDownloadUrl('http://10.1.2.3:8080/file', ['10.1.2.3:8080']).host).toBe('10.1.2.3:8080');
    expect(refused('http://10.1.2.4:8080/file', ['10.1.2.3:8080'])).toBe(true);
  });
});
