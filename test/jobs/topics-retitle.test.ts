import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { refreshTopics, runTopicJobs } from '../../src/jobs/topics';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

// Titles stored by a release before the privacy fix may quote a one-to-one report (or a phone
// number the old builder did not mask); a decided topic's title was never rewritten after that.
describeOnDatabases('stored topic titles rebuilt once after the upgrade', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const PUBLIC = [
    ['g-a', '@共治助手 开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
    ['g-b', '@共治助手 纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
  ] as const;
  const PRIVATE = [
    ['p-a', '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水，联系我 13812345678'],
    ['p-b', '纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
  ] as const;
  const PRIVATE_ONLY = [
    ['q-a', '东环路的雨水井堵死了，水漫到我们仓库门口，我是老李'],
    ['q-b', '东环路这边排水沟不通，下大雨积水半米深，厂里的货全泡了'],
    ['q-c', '东环路积水问题反映多次了，希望把排水沟清一清，雨水井堵死了'],
    ['q-d', '东环路一到下雨天雨水井就冒水，排水沟不通，车进不了厂'],
  ] as const;

  it('rewrites titles that quote private text, keeps a good one, and a copied joint-case title follows', async () => {
    for (const [user, text] of PRIVATE) {
      clock.advance(3_600_000);
      await rt.services.pipeline.receive(localMessage(user, text, { chatType: 'direct', chatId: user, chatTitle: undefined }));
    }
    for (const [user, text] of PUBLIC) {
      clock.advance(3_600_000);
      await rt.services.pipeline.receive(localMessage(user, text));
    }
    for (const [user, text] of PRIVATE_ONLY) {
      clock.advance(3_600_000);
      await rt.services.pipeline.receive(localMessage(user, text, { chatType: 'direct', chatId: user, chatTitle: undefined }));
    }
    await refreshTopics(rt.services, clock.now());
    const topics = await h.db.selectFrom('topics').select(['id', 'title']).orderBy('id').execute();
    expect(topics).toHaveLength(2);
    const [wei, dong] = [topics.find((t) => t.title.includes('纬三路'))!, topics.find((t) => !t.title.includes('纬三路'))!];
    expect(wei).toBeDefined();
    expect(dong.title).toMatch(/共性问题（4 件一对一反映）/);

    // What an older release stored: a private report verbatim, phone number and all; the dismissed
    // topic is never rewritten by a refresh, and its joint case copied the title.
    const leaked = PRIVATE[0][1];
    await h.db.updateTable('topics').set({ title: leaked, status: 'confirmed' }).where('id', '=', wei.id).execute();
    await h.db.updateTable('topics').set({ title: PRIVATE_ONLY[0][1], status: 'dismissed' }).where('id', '=', dong.id).execute();
    await h.db
      .insertInto('joint_cases')
      .values([
        { number: 'XT-2026-0001', topic_id: wei.id, title: leaked, lead_department_id: 'zjj', due_at: clock.now(), created_by: 'admin', created_at: clock.now() },
        // A title the dispatcher typed is theirs.
        { number: 'XT-2026-0002', topic_id: dong.id, title: '东环路积水协同办理', lead_department_id: 'zjj', due_at: clock.now(), created_by: 'admin', created_at: clock.now() },
      ])
      .execute();
    // A refresh with nothing new does not touch decided titles: only the re-title does.
    await refreshTopics(rt.services, clock.now(), { force: true });
    expect((await h.db.selectFrom('topics').select('title').where('id', '=', wei.id).executeTakeFirstOrThrow()).title).toBe(leaked);

    clock.advance(3_600_000);
    await runTopicJobs(rt.services, clock.now());
    const after = await listTopicSummaries(h.db, {});
    const titles = after.map((t) => t.title).join('\n');
    expect(titles).not.toMatch(/老李|13812345678|脚踝/);
    expect(after.find((t) => t.id === wei.id)!.title).toContain('纬三路');
    expect(after.find((t) => t.id === dong.id)!.title).toMatch(/^.+类共性问题（4 件一对一反映）$/);
    const cases = await h.db.selectFrom('joint_cases').select(['number', 'title']).orderBy('number').execute();
    expect(cases.map((c) => c.title)).toEqual([after.find((t) => t.id === wei.id)!.title, '东环路积水协同办理']);
  });
});
