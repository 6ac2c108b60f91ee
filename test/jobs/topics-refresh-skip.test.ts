import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import { refreshTopics } from '../../src/jobs/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

// The scheduler asks for a refresh every few minutes; a refresh re-clusters the whole window, so
// it runs only when something it depends on changed: the window's tickets, the method, the areas.
describeOnDatabases('面上问题: a refresh with nothing new is skipped', (database) => {
  let rt: Runtime;
  let config: GongzhiConfig;
  const clock = createTestClock(china('2026-11-16T10:00:00'));
  beforeAll(async () => {
    config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(database(), { now: clock.now, config });
  });
  afterAll(async () => rt?.close());

  it('skips later refreshes while no ticket changes, and runs again for a new report or another method', async () => {
    const r = await rt.services.pipeline.receive(localMessage('s-1', '@共治助手 开发区纬三路一下雨就积水，排水管堵了，货车进不来', { chatId: 'county', chatTitle: 'county' }));
    expect(r.status).toBe('ticket');
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    clock.advance(30 * 60_000);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);
    clock.advance(30 * 60_000);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);

    await rt.services.pipeline.receive(localMessage('s-2', '@共治助手 纬三路积水好几天不退，仓库进水了', { chatId: 'county', chatTitle: 'county' }));
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);

    config.topics.method = 'rules';
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(false);
    config.topics.method = 'learned';
  });
});
