import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { postDueDigests } from '../../src/jobs/digests';
import { refreshTopics } from '../../src/jobs/topics';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

// Review finding: a topic made only of PRIVATE (one-to-one) reports gets its title from a private
// report's text, and the monthly 通报 posts that title into every enterprise group.
describeOnDatabases('private report text through a 面上问题 title into the monthly 通报', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const PRIVATE = [
    ['p-a', '开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
    ['p-b', '纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
    ['p-c', '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水'],
    ['p-d', '纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
  ] as const;

  it('keeps private report text out of the groups', async () => {
    for (const [user, text] of PRIVATE) {
      clock.advance(3_600_000);
      const r = await rt.services.pipeline.receive(localMessage(user, text, { chatType: 'direct', chatId: user, chatTitle: undefined }));
      expect(r.status).toBe('ticket');
    }
    const rows = await h.db.selectFrom('tickets').select(['is_private']).execute();
    expect(rows.every((r) => r.is_private)).toBe(true);
    await refreshTopics(rt.services, clock.now());
    const topics = await listTopicSummaries(h.db, {});
    expect(topics.length).toBeGreaterThan(0);
    // 1 December, after the digest time: the monthly 通报 for November goes to every group.
    clock.set('2026-12-01T01:00:00Z');
    await postDueDigests(rt.services, clock.now());
    await rt.services.drainer.drainOnce();
    const inGroup = rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text).join('\n');
    expect(inGroup).toContain('月度通报');
    expect(inGroup).not.toMatch(/纬三路|仓库进水/);
  });

  it('names a topic of published one-to-one reports without their contact details', async () => {
    const PUBLISHED = [
      ['q-a', '联系人王女士13912340001，开发区经二路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
      ['q-b', '联系人李先生13912340002，经二路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
      ['q-c', '联系人张经理13912340003，我们在经二路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水'],
      ['q-d', '联系人赵总13912340004，经二路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
    ] as const;
    clock.set('2026-12-02T02:00:00Z');
    for (const [user, text] of PUBLISHED) {
      clock.advance(3_600_000);
      const r = await rt.services.pipeline.receive(localMessage(user, text, { chatType: 'direct', chatId: user, chatTitle: undefined }));
      if (r.status !== 'ticket') throw new Error(r.status);
      await rt.services.pipeline.receive(localMessage(user, '大家好'));
      await rt.services.pipeline.receive(localMessage(user, `/公开 ${r.ticketNumber}`, { chatType: 'direct', chatId: user, chatTitle: undefined }));
    }
    await refreshTopics(rt.services, clock.now());
    const topic = (await listTopicSummaries(h.db, {})).find((t) => t.title.includes('经二路'))!;
    expect(topic).toBeDefined();
    const shown = [topic.title, ...topic.samples].join('\n');
    expect(shown).toContain('经二路');
    expect(shown).not.toMatch(/联系人|王女士|李先生|张经理|赵总|1391|\*/);
  });
});

