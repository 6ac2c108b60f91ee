import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { monthlyExtras } from '../../src/jobs/monthly-extras';
import { refreshTopics } from '../../src/jobs/topics';
import { monthPeriod } from '../../src/reports/queries';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

// The monthly 通报's 会商会办 section is the month's: a topic whose reports all came in an
// earlier month (still a candidate within topics.windowDays) is not November's news.
describeOnDatabases('monthly 通报: the month’s topics', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock(china('2026-10-12T10:00:00'));
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const say = async (userId: string, chatId: string, text: string) => {
    clock.advance(3_600_000);
    expect((await rt.services.pipeline.receive(localMessage(userId, `@共治助手 ${text}`, { chatId, chatTitle: chatId }))).status).toBe('ticket');
  };

  it('lists November’s topic and leaves out October’s', async () => {
    await say('o-1', 'county', '东环路一到下雨天就淹，车进不了厂');
    await say('o-2', 'park', '东环路的雨水井堵死了，水漫到我们仓库门口');
    await say('o-3', 'county', '东环路这边排水沟不通，下大雨积水半米深');
    clock.set(china('2026-11-16T10:00:00'));
    await say('n-1', 'county', '开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水');
    await say('n-2', 'park', '纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了');
    await say('n-3', 'park', '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水');
    await say('n-4', 'county', '纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看');
    await refreshTopics(rt.services, clock.now());
    const topics = await listTopicSummaries(h.db, { statuses: ['candidate'] });
    expect(topics.map((t) => t.tickets).sort()).toEqual([3, 4]); // both still candidates

    clock.set(china('2026-12-01T09:30:00'));
    const [section] = await monthlyExtras(rt.services, monthPeriod('2026-11'), clock.now());
    expect(section).toMatch(/面上问题：.*｜4 家企业 4 件/);
    expect(section).not.toMatch(/3 家企业 3 件/);
    const [october] = await monthlyExtras(rt.services, monthPeriod('2026-10'), clock.now());
    expect(october).toMatch(/面上问题：.*｜3 家企业 3 件/);
    expect(october).not.toMatch(/4 家企业 4 件/);
  });
});
