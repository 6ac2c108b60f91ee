import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/bootstrap';
import { parseEnv } from '../../src/config/env';
import { playgroundDecision } from '../../src/http/playground';
import { createMemoryLogger } from '../../src/logger';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestRuntime } from '../helpers/runtime';

/**
 * The README's production set-up is nginx in front of HOST=127.0.0.1 (`proxy_pass http://127.0.0.1:8787`,
 * `Host $host`, `X-Forwarded-For`): a loopback bind, yet everything nginx forwards arrives from the
 * internet. The playground has no sign-in and lets its caller speak as any person in the directory.
 */
describe('attack: playground behind nginx', () => {
  const decide = (env: Record<string, string>) => playgroundDecision(parseEnv(env));
  const SECRET = 'prod-session-secret-0123456789abcdefghij';

  it('refuses to start production with GONGZHI_PLAYGROUND=1 behind a trusted proxy, even on HOST=127.0.0.1', async () => {
    const env = { NODE_ENV: 'production', HOST: '127.0.0.1', GONGZHI_PLAYGROUND: '1', GONGZHI_TRUST_PROXY: '1', GONGZHI_SESSION_SECRET: SECRET };
    const d = decide(env);
    expect(d.on).toBe(false);
    expect(d.refuse).toMatch(/GONGZHI_TRUST_PROXY=1/);
    await expect(startRuntime({ env: parseEnv(env), logger: createMemoryLogger() })).rejects.toThrow(/演练场/);
    // Without a proxy, on loopback, it stays available for an SSH tunnel.
    expect(decide({ ...env, GONGZHI_TRUST_PROXY: '0' })).toEqual({ on: true });
  });

  it('a plain npm start (NODE_ENV unset) behind a declared proxy leaves the playground off unless asked for', () => {
    const off = decide({ GONGZHI_TRUST_PROXY: '1' });
    expect(off.on).toBe(false);
    expect(off.warning).toMatch(/GONGZHI_TRUST_PROXY/);
    const asked = decide({ GONGZHI_TRUST_PROXY: '1', GONGZHI_PLAYGROUND: '1' });
    expect(asked.on).toBe(true);
    expect(asked.warning).toMatch(/proxy/);
    // The README's local trial: nothing set, loopback, on.
    expect(decide({})).toEqual({ on: true });
  });

  describe.each(TEST_DATABASES)('requests a proxy forwarded, on $kind', (database) => {
    let rt: Runtime;
    beforeAll(async () => {
      rt = await createTestRuntime(await database.open(), { env: { NODE_ENV: 'development', HOST: '127.0.0.1' } });
    });
    afterAll(async () => rt?.close());
    const message = (headers: Record<string, string>) =>
      rt.app.request('/playground/api/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ chat: 'direct', userId: 'zhaolei', name: 'x', text: '/帮助' }),
      });

    it('are not served the playground: no staff list, no speaking as a dispatcher, no page', async () => {
      const proxied: Array<Record<string, string>> = [
        { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
        { forwarded: 'for=203.0.113.9;proto=https' },
        { 'x-real-ip': '203.0.113.9' },
        // nginx's `proxy_set_header Host $host` alone, or a DNS-rebinding page: a name that is not this machine's.
        { host: 'gongzhi.example.gov.cn' },
      ];
      for (const headers of proxied) {
        const setup = await rt.app.request('/playground/api/setup', { headers });
        expect(setup.status, JSON.stringify(headers)).toBe(404);
        expect(await setup.text()).not.toMatch(/zhaolei|wangmin/);
        expect((await message(headers)).status).toBe(404);
        expect((await rt.app.request('/playground/api/transcript?chat=zhaolei', { headers })).status).toBe(404);
        expect(await (await rt.app.request('/', { headers })).text()).not.toMatch(/<html/i);
      }
      const inbound = await rt.services.db.selectFrom('inbound_messages').select('id').execute();
      expect(inbound).toEqual([]);
    });

    it('the same machine still gets it (the local trial, an SSH tunnel)', async () => {
      for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787']) {
        const setup = await rt.app.request('/playground/api/setup', { headers: { host } });
        expect(setup.status, host).toBe(200);
        expect(((await setup.json()) as { staff: unknown[] }).staff.length).toBeGreaterThan(0);
      }
      expect((await message({})).status).toBe(200);
      expect(await (await rt.app.request('/')).text()).toMatch(/<html/i);
    });
  });
});
