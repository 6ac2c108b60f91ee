import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { monthlyExtras } from '../../src/jobs/monthly-extras';
import { refreshTopics, weeklyTopicsText } from '../../src/jobs/topics';
import { monthPeriod } from '../../src/reports/queries';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

// A topic's handlers in the monthly 通报 and the Monday list: the departments its reports went
// to, and plainly how many no department has yet — 待分派 is no department.
describeOnDatabases('面上问题: who handles a topic, in the 通报 and the Monday list', (database) => {
  let rt: Runtime;
  const clock = createTestClock(china('2026-11-16T10:00:00'));
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const say = async (userId: string, chatId: string, text: string) => {
    clock.advance(3_600_000);
    const r = await rt.services.pipeline.receive(localMessage(userId, `@共治助手 ${text}`, { chatId, chatTitle: chatId }));
    expect(r.status).toBe('ticket');
  };
  // The dispatcher's manual queue: the ticket back to 待分派 with no department.
  const undispatch = (n: number) => rt.services.db.updateTable('tickets').set({ department_id: null, status: 'received' }).where('id', '=', n).execute();
  const lines = async () => {
    const [section] = await monthlyExtras(rt.services, monthPeriod('2026-11'), clock.now());
    const weekly = weeklyTopicsText(await listTopicSummaries(rt.services.db, { statuses: ['candidate'] }), clock.now());
    return { month: section!.split('\n').find((l) => l.startsWith('面上问题：'))!, week: weekly.split('\n').find((l) => l.includes('承办'))! };
  };

  it('names the departments, counts the undispatched reports apart, and says so when no department has any', async () => {
    await say('n-1', 'county', '开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水');
    await say('n-2', 'park', '纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了');
    await say('n-3', 'park', '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水');
    await refreshTopics(rt.services, clock.now());
    const ids = (await rt.services.db.selectFrom('tickets').select(['id', 'department_id']).orderBy('id').execute());
    expect(ids.every((t) => t.department_id)).toBe(true);
    const dept = rt.services.directory.departmentName(ids[0]!.department_id!)!;
    clock.set(china('2026-12-01T09:30:00'));

    let l = await lines();
    expect(l.month).toMatch(new RegExp(`｜承办：${dept}$`));
    expect(l.week).toMatch(new RegExp(`；承办：${dept}$`));

    await undispatch(ids[0]!.id);
    l = await lines();
    expect(l.month).toMatch(new RegExp(`｜承办：${dept}（另有 1 件待分派）$`));
    expect(l.week).toContain(`承办：${dept}（另有 1 件待分派）`);

    await undispatch(ids[1]!.id);
    await undispatch(ids[2]!.id);
    l = await lines();
    expect(l.month).toMatch(/｜承办：尚未分派到部门$/);
    expect(l.week).toMatch(/承办：尚未分派到部门$/);
  });
});
