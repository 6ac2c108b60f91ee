import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import { refreshTopics } from '../../src/jobs/topics';
import { decideTopic, storedTopics } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

// An operator switches topics.method (learned ⇄ rules) and restarts: the next refresh clusters
// with the new method and what 营商办 decided stays as decided.
describeOnDatabases('面上问题: switching topics.method between refreshes', (database) => {
  let rt: Runtime;
  let config: GongzhiConfig;
  const clock = createTestClock(china('2026-11-16T10:00:00'));
  beforeAll(async () => {
    config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(database(), { now: clock.now, config });
  });
  afterAll(async () => rt?.close());

  const say = async (userId: string, chatId: string, text: string) => {
    clock.advance(3_600_000);
    const r = await rt.services.pipeline.receive(localMessage(userId, `@共治助手 ${text}`, { chatId, chatTitle: chatId }));
    expect(r.status).toBe('ticket');
  };

  it('re-clusters at the first refresh after the switch, keeps a confirmed topic confirmed and makes no second topic of its reports', async () => {
    await say('n-1', 'county', '开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水');
    await say('n-2', 'park', '纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了');
    await say('n-3', 'park', '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水');
    expect(config.topics.method).toBe('learned');
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    const [topic] = await storedTopics(rt.services.db);
    expect(topic).toBeDefined();
    await rt.services.db.transaction().execute((tx) => decideTopic(tx, topic!.id, 'confirmed', 'wangmin', clock.now()));

    clock.advance(60 * 60_000);
    config.topics.method = 'rules';
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    clock.advance(60 * 60_000);
    config.topics.method = 'learned';
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);

    const after = await storedTopics(rt.services.db);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: topic!.id, status: 'confirmed' });
    expect([...after[0]!.ticketIds].sort()).toEqual([...topic!.ticketIds].sort());
  });

  // The scheduler asks every few minutes; a refresh re-clusters the whole window, so it runs only
  // when something it depends on changed: the window's tickets, the method, the areas.
  it('skips later refreshes while no ticket changes, and runs again for a new report or another method', async () => {
    const r = await rt.services.pipeline.receive(localMessage('s-1', '@共治助手 东环路的路灯坏了一个月了，晚上出货很危险', { chatId: 'county', chatTitle: 'county' }));
    expect(r.status).toBe('ticket');
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    clock.advance(30 * 60_000);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);
    clock.advance(30 * 60_000);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);

    await rt.services.pipeline.receive(localMessage('s-2', '@共治助手 社保增员系统一直报错，新员工上不了保险', { chatId: 'county', chatTitle: 'county' }));
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);

    config.topics.method = 'rules';
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    config.topics.method = 'learned';
  });
});
