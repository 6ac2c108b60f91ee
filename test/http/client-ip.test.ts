import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp, type ProxyTrust } from '../../src/http/client-ip';
import { parseEnv } from '../../src/config/env';

/** What the limits would count a request against, given the deployment's trust setting. */
async function addressSeen(trust: ProxyTrust, headers: Record<string, string>, peer = '203.0.113.9'): Promise<string> {
  const app = new Hono();
  app.get('/', (c) => c.text(clientIp(c, trust)));
  // @hono/node-server passes the socket as env.incoming.
  const res = await app.request('/', { headers }, { incoming: { socket: { remoteAddress: peer } } });
  return res.text();
}

describe('client address for abuse limits', () => {
  it('ignores a client-supplied cf-connecting-ip on plain Node', async () => {
    expect(await addressSeen(0, { 'cf-connecting-ip': '1.1.1.1' })).toBe('203.0.113.9');
    expect(await addressSeen(1, { 'cf-connecting-ip': '1.1.1.1', 'x-forwarded-for': '198.51.100.7' })).toBe('198.51.100.7');
  });

  it('trusts cf-connecting-ip on Workers, where Cloudflare sets it', async () => {
    expect(await addressSeen('cloudflare', { 'cf-connecting-ip': '198.51.100.7', 'x-forwarded-for': '10.0.0.1' })).toBe('198.51.100.7');
  });

  it('ignores X-Forwarded-For unless the deployment says it is behind a proxy', async () => {
    expect(await addressSeen(0, { 'x-forwarded-for': '10.9.9.9' })).toBe('203.0.113.9');
  });

  it('behind one proxy takes the address that proxy appended, not what the client wrote before it', async () => {
    // The client sent "X-Forwarded-For: 10.9.9.9"; nginx appended the real peer.
    expect(await addressSeen(1, { 'x-forwarded-for': '10.9.9.9, 198.51.100.7' })).toBe('198.51.100.7');
    expect(await addressSeen(1, { 'x-forwarded-for': '198.51.100.7' })).toBe('198.51.100.7');
  });

  it('behind two proxies counts two hops from the right', async () => {
    expect(await addressSeen(2, { 'x-forwarded-for': '10.9.9.9, 198.51.100.7, 192.0.2.1' })).toBe('198.51.100.7');
    // Several header lines are one list.
    expect(await addressSeen(2, { 'x-forwarded-for': '10.9.9.9, 198.51.100.7,192.0.2.1' })).toBe('198.51.100.7');
  });

  it('falls back to the socket peer when the list is shorter than the configured hops', async () => {
    expect(await addressSeen(2, { 'x-forwarded-for': '198.51.100.7' })).toBe('203.0.113.9');
  });

  it('reads GONGZHI_TRUST_PROXY as a hop count (1/true: one proxy)', () => {
    expect(parseEnv({}).GONGZHI_TRUST_PROXY).toBe(0);
    expect(parseEnv({ GONGZHI_TRUST_PROXY: '1' }).GONGZHI_TRUST_PROXY).toBe(1);
    expect(parseEnv({ GONGZHI_TRUST_PROXY: 'true' }).GONGZHI_TRUST_PROXY).toBe(1);
    expect(parseEnv({ GONGZHI_TRUST_PROXY: 'false' }).GONGZHI_TRUST_PROXY).toBe(0);
    expect(parseEnv({ GONGZHI_TRUST_PROXY: '2' }).GONGZHI_TRUST_PROXY).toBe(2);
    expect(() => parseEnv({ GONGZHI_TRUST_PROXY: '-1' })).toThrow();
  });
});
