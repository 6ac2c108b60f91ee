import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { postDueDigests } from '../../src/jobs/digests';
import { refreshTopics } from '../../src/jobs/topics';
import { listTopicSummaries } from '../../src/repo/topics';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { ledgerFile } from '../../src/reports/ledger-file';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

// Review finding: 面上问题 / 协同办 ignore the region scope. 河西县's reports reach 青山县's 营商办
// (Monday list, console topic page with the full text, promote) and 青山县's group (monthly 通报).
describeOnDatabases('topics across counties', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
    for (const who of ['wang-qs', 'zhao-hx']) {
      await setConsolePassword(rt.services.db, who, PASSWORD, clock.now());
      const res = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: PASSWORD, next: '/console' }).toString() });
      cookies[who] = res.headers.get('set-cookie')!.split(';')[0]!;
    }
  });
  afterAll(async () => rt?.close());

  const HEXI = [
    ['hx-a', '@共治助手 河西工业园纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
    ['hx-b', '@共治助手 纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
    ['hx-c', '@共治助手 我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水'],
    ['hx-d', '@共治助手 纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
  ] as const;

  it('keeps 河西县 topics away from 青山县', async () => {
    for (const [user, text] of HEXI) {
      clock.advance(3_600_000);
      const r = await rt.services.pipeline.receive(localMessage(user, text, { chatId: 'hexi', chatTitle: 'hexi' }));
      expect(r.status).toBe('ticket');
    }
    await refreshTopics(rt.services, clock.now());
    const [topic] = await listTopicSummaries(rt.services.db, {});
    expect(topic).toBeDefined();
    const failures: string[] = [];

    // Console: 青山县's dispatcher opens the 河西县 topic with every member's text.
    const page = await (await rt.app.request(`/console/topics/${topic!.id}`, { headers: { cookie: cookies['wang-qs']! } })).text();
    if (page.includes('纬三路')) failures.push('console /console/topics/:id shows 河西县 report text to 青山县 dispatcher');
    // Promote: 青山县's dispatcher moves 河西县's tickets to 青山县's 住建局.
    const due = '2026-11-30';
    const res = await rt.app.request(`/console/topics/${topic!.id}/promote`, { method: 'POST', headers: { ...FORM, cookie: cookies['wang-qs']! }, body: new URLSearchParams({ lead: 'qs-zhujian', due }).toString() });
    const moved = await rt.services.db.selectFrom('tickets').select('department_id').execute();
    if (moved.some((t) => t.department_id === 'qs-zhujian')) failures.push(`promote by 青山县 dispatcher moved 河西县 tickets to qs-zhujian (HTTP ${res.status})`);

    expect(res.status).toBe(404); // refused as if the topic were absent
    // 河西县's own dispatcher promotes it; 青山县's may not pick 青山县 departments anyway.
    const own = await rt.app.request(`/console/topics/${topic!.id}/promote`, { method: 'POST', headers: { ...FORM, cookie: cookies['zhao-hx']! }, body: new URLSearchParams({ lead: 'qs-zhujian', due }).toString() });
    expect(own.status).toBe(303);
    expect(await rt.services.db.selectFrom('joint_cases').select('id').executeTakeFirst()).toBeUndefined();
    await rt.app.request(`/console/topics/${topic!.id}/promote`, { method: 'POST', headers: { ...FORM, cookie: cookies['zhao-hx']! }, body: new URLSearchParams({ lead: 'hx-zhujian', due }).toString() });
    expect(await rt.services.db.selectFrom('joint_cases').select('id').executeTakeFirst()).toBeDefined();
    // 青山县's console lists neither the topic nor the case.
    const list = await (await rt.app.request('/console/topics', { headers: { cookie: cookies['wang-qs']! } })).text();
    if (/纬三路|XT-/.test(list)) failures.push('/console/topics lists 河西县 topic or case to 青山县 dispatcher');
    const hxList = await (await rt.app.request('/console/topics', { headers: { cookie: cookies['zhao-hx']! } })).text();
    expect(hxList).toMatch(/XT-/);
    // The 台账 of 青山县 (a county's download) has no 河西县 case; 河西县's has it.
    const ledger = async (who: string) => String((await ledgerFile(rt.services.db, '2026-11', 'csv', { scope: rt.services.directory.scopeOf(rt.services.directory.staffById(who)!), name: who })).body);
    if ((await ledger('wang-qs')).includes('XT-')) failures.push('青山县 台账 lists the 河西县 joint case');
    expect(await ledger('zhao-hx')).toContain('XT-');
    // Resolve: 青山县's dispatcher closes the 河西县 joint case (every member ticket resolved).
    const kase = await rt.services.db.selectFrom('joint_cases').select('id').executeTakeFirst();
    if (kase) {
      await rt.app.request(`/console/joint/${kase.id}/resolve`, { method: 'POST', headers: { ...FORM, cookie: cookies['wang-qs']! }, body: new URLSearchParams({ result: '已处理' }).toString() });
      const st = await rt.services.db.selectFrom('tickets').select('status').execute();
      if (st.every((t) => t.status === 'resolved')) failures.push('青山县 dispatcher resolved the 河西县 joint case and all its tickets');
    }
    // Monthly 通报 on 1 December in 青山县's group.
    clock.set('2026-12-01T01:00:00Z');
    await postDueDigests(rt.services, clock.now());
    const outbox = await rt.services.db.selectFrom('outbox').select(['target', 'payload']).execute();
    const toQingshan = outbox.filter((o) => (o.target as { chatId?: string }).chatId === 'qingshan').map((o) => (o.payload as { text: string }).text).join('\n');
    if (/纬三路|XT-/.test(toQingshan)) failures.push('monthly 通报 in 青山县 group lists 河西县 topic / joint case');
    expect(failures).toEqual([]);
  });

});
