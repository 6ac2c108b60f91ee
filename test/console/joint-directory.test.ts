import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

/** A department added to the directory while the console runs is in the 会商会办 pickers at once. */
describeOnDatabases('console 会商会办 and the live directory', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
  let cookie = '';
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    await setConsolePassword(rt.services.db, 'wangmin', 'a-long-password-123', clock.now());
  });
  afterAll(async () => rt?.close());
  const post = (path: string, body: string) => rt.app.request(`http://localhost${path}`, { method: 'POST', headers: { ...FORM, cookie }, body });
  const page = async (path: string) => (await rt.app.request(`http://localhost${path}`, { headers: { cookie } })).text();

  it('offers a department added after start-up as lead and co-handler, and promotes a topic to it', async () => {
    for (const [u, g, t] of [['a1', 'county', '@共治助手 纬三路一下雨就积水，排水管堵了，货车进不来'], ['a2', 'park', '@共治助手 纬三路这段一下雨就积水，排水管排不出去'], ['a3', 'park', '@共治助手 纬三路附近排水管堵塞，一下雨就积水']]) {
      clock.advance(3_600_000);
      await rt.services.pipeline.receive(localMessage(u!, t!, { chatId: g!, chatTitle: g! }));
    }
    const r = await rt.app.request('http://localhost/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'wangmin', password: 'a-long-password-123', next: '/console' }).toString() });
    cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await post('/console/topics/refresh', '')).status).toBe(303);
    expect(await page('/console/topics')).not.toContain('县城市排水管理中心');

    const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { departments: unknown[] };
    const live = rt.services.liveDirectory;
    const written = await live.write({ directory: { ...yaml, departments: [...yaml.departments, { id: 'paishui', name: '县城市排水管理中心' }] }, base: live.revision, author: 'wangmin', source: 'console' });
    expect(written.ok).toBe(true);

    const html = await page('/console/topics');
    // Once in the lead picker and once among the co-handlers.
    expect(html.match(/<option value="paishui">县城市排水管理中心<\/option>/g) ?? []).toHaveLength(2);
    const id = /\/console\/topics\/(\d+)/.exec(html)![1];
    expect((await post(`/console/topics/${id}/promote`, 'lead=paishui&co=zhujian&due=2026-12-10')).status).toBe(303);
    const kase = await rt.services.db.selectFrom('joint_cases').selectAll().executeTakeFirstOrThrow();
    expect(kase.lead_department_id).toBe('paishui');
  });
});
