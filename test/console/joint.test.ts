import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

describeOnDatabases('console 会商会办 page', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
  let cookie = '';
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    await setConsolePassword(rt.services.db, 'wangmin', 'a-long-password-123', clock.now());
    await setConsolePassword(rt.services.db, 'lidian', 'a-long-password-123', clock.now());
  });
  afterAll(async () => rt?.close());
  const signIn = async (staffId: string) => {
    const r = await rt.app.request('http://localhost/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId, password: 'a-long-password-123', next: '/console' }).toString() });
    return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const post = (path: string, body: string) => rt.app.request(`http://localhost${path}`, { method: 'POST', headers: { ...FORM, cookie }, body });
  const page = async (path: string, as = cookie) => (await rt.app.request(`http://localhost${path}`, { headers: { cookie: as } })).text();
  /** Reports, an hour apart: [user, group, text]. */
  const report = async (rows: string[][]) => {
    for (const [u, g, t] of rows) {
      clock.advance(3_600_000);
      await rt.services.pipeline.receive(localMessage(u!, t!, { chatId: g!, chatTitle: g! }));
    }
  };

  it('lists a refreshed topic with its groups and samples, promotes it from the form, and starts a survey month', async () => {
    await report([['a1', 'county', '@共治助手 纬三路一下雨就积水，排水管堵了，货车进不来，电话13812345678'], ['a2', 'park', '@共治助手 纬三路这段一下雨就积水，排水管排不出去'], ['a3', 'park', '@共治助手 纬三路附近排水管堵塞，一下雨就积水']]);
    cookie = await signIn('wangmin');
    expect((await post('/console/topics/refresh', '')).status).toBe(303);
    let html = await page('/console/topics');
    expect(html).toContain('3</b> 家企业 3 件');
    expect(html).toContain('青山经济开发区企业服务群');
    expect(html).not.toContain('13812345678');
    const id = /\/console\/topics\/(\d+)/.exec(html)![1];
    expect(await page(`/console/topics/${id}`)).toContain('把勾选的工单拆分为另一个问题');
    // A department's staff sees no topics and may not act on them.
    const staff = await signIn('lidian');
    expect(await page('/console/topics', staff)).not.toContain('纬三路');
    expect((await rt.app.request(`http://localhost/console/topics/${id}/promote`, { method: 'POST', headers: { ...FORM, cookie: staff }, body: 'lead=zhujian&due=2026-12-10' })).status).toBe(403);

    expect((await post(`/console/topics/${id}/promote`, 'lead=zhujian&co=water&co=chengguan&due=bad')).status).toBe(303);
    expect(await rt.services.db.selectFrom('joint_cases').selectAll().execute()).toHaveLength(0);
    expect((await post(`/console/topics/${id}/promote`, 'lead=zhujian&co=water&co=chengguan&due=2026-12-10')).status).toBe(303);
    html = await page('/console/topics');
    expect(html).toContain('XT-2026-0001');
    const kase = await rt.services.db.selectFrom('joint_cases').selectAll().executeTakeFirstOrThrow();
    expect(kase.co_department_ids).toEqual(['water', 'chengguan']);
    expect(kase.due_at.toISOString()).toBe('2026-12-10T15:59:00.000Z'); // the end of the China day

    expect((await post('/console/surveys/open', 'month=2026-11')).status).toBe(303);
    expect(await rt.services.db.selectFrom('survey_invitations').selectAll().execute()).toHaveLength(3);
    expect(await page('/console/topics')).toContain('回收率 0%');
  });

  it('offers a department added to the directory while the console runs as lead and co-handler, and promotes a topic to it', async () => {
    await report([['b1', 'county', '@共治助手 东环路一到下雨天就淹，车进不了厂'], ['b2', 'park', '@共治助手 东环路的雨水井堵死了，水漫到我们仓库门口'], ['b3', 'park', '@共治助手 东环路这边排水沟不通，下大雨积水半米深']]);
    cookie = await signIn('wangmin');
    expect((await post('/console/topics/refresh', '')).status).toBe(303);
    expect(await page('/console/topics')).not.toContain('县城市排水管理中心');

    const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { departments: unknown[] };
    const live = rt.services.liveDirectory;
    const written = await live.write({ directory: { ...yaml, departments: [...yaml.departments, { id: 'paishui', name: '县城市排水管理中心' }] }, base: live.revision, author: 'wangmin', source: 'console' });
    expect(written.ok).toBe(true);

    const html = await page('/console/topics');
    // The new topic's promote form: once in the lead picker, once among the co-handlers.
    expect(html.match(/<option value="paishui">县城市排水管理中心<\/option>/g) ?? []).toHaveLength(2);
    const id = [...html.matchAll(/action="\/console\/topics\/(\d+)\/promote"/g)].map((m) => m[1]).at(-1)!;
    expect((await post(`/console/topics/${id}/promote`, 'lead=paishui&co=zhujian&due=2026-12-10')).status).toBe(303);
    const kase = await rt.services.db.selectFrom('joint_cases').selectAll().where('lead_department_id', '=', 'paishui').executeTakeFirst();
    expect(kase?.topic_id).toBe(Number(id));
  });
});
