import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { createApiToken } from '../../src/repo/api-tokens';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { serveApp } from '../helpers/serve';

describeOnDatabases('dead-letter routes', (database) => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  const tokens: Record<string, string> = {};
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    http = await serveApp(rt.app);
    for (const id of ['wangmin', 'zhaolei', 'lidian', 'jiangjian']) tokens[id] = await createApiToken(rt.services.db, id, 'test', clock.now());
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
  });

  const call = (method: string, path: string, who: string) => fetch(`${http.base}/api${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}` } });

  it('lets only 营商办 dispatchers and admins list or re-send dead letters', async () => {
    expect((await call('GET', '/v1/outbox/dead', 'wangmin')).status).toBe(200);
    expect((await call('GET', '/v1/outbox/dead', 'zhaolei')).status).toBe(200);
    for (const who of ['lidian', 'jiangjian']) {
      const list = await call('GET', '/v1/outbox/dead', who);
      expect(list.status).toBe(403);
      expect((await list.json()).message).toContain('营商办');
      expect((await call('POST', '/v1/outbox/1/resend', who)).status).toBe(403);
    }
    expect((await call('POST', '/v1/outbox/999999/resend', 'wangmin')).status).toBe(404);
  });
});
