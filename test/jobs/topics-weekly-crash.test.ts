import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { runTopicJobs } from '../../src/jobs/topics';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;

describeOnDatabases('the Monday topic list survives a crash while it is queued', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-12-06T02:00:00Z');
  afterAll(async () => rt?.close());

  it('leaves the week unclaimed when its posts fail to queue, so the next tick sends it, once', async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
    const db = rt.services.db;
    for (const [user, text] of [
      ['qs-a', '@共治助手 青山工业园东区这周又停电了，供电线路老化，生产线停了，请供电公司尽快检修线路'],
      ['qs-b', '@共治助手 青山工业园东区频繁停电，供电线路老化，一周停了三次，请供电公司检修线路'],
      ['qs-c', '@共治助手 青山工业园东区停电太多，供电线路老化跳闸，设备受损，请供电公司检修'],
      ['qs-d', '@共治助手 我们在青山工业园东区，经常停电，供电线路老化，请供电公司尽快检修线路'],
    ] as const) {
      clock.advance(600_000);
      await rt.services.pipeline.receive(localMessage(user, text, { chatId: 'qingshan', chatTitle: 'qingshan' }));
    }
    // The database refuses the list's outbox rows mid-transaction, as a full disk or a killed connection would.
    await sql`create function refuse_topics_post() returns trigger language plpgsql as $$
      begin
        if new.payload::text like '%面上问题周报%' then raise exception 'simulated crash while queueing'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_topics_post before insert on outbox for each row execute function refuse_topics_post()`.execute(db);

    clock.set('2026-12-07T01:00:00Z'); // Monday 7 December, 09:00 in Beijing
    await expect(runTopicJobs(rt.services, clock.now())).rejects.toThrow(/simulated crash/);
    expect(await db.selectFrom('scheduled_runs').select('key').where('key', 'like', 'topics:weekly:%').execute()).toEqual([]);

    await sql`drop trigger refuse_topics_post on outbox`.execute(db);
    clock.advance(60_000);
    expect((await runTopicJobs(rt.services, clock.now())).weekly).toBe(true);
    clock.advance(60_000);
    expect((await runTopicJobs(rt.services, clock.now())).weekly).toBe(false);
    const lists = (await db.selectFrom('outbox').select(['target', 'payload']).execute()).filter((o) => (o.payload as { text?: string }).text?.includes('面上问题周报'));
    const toWang = lists.filter((o) => (o.target as { userId?: string }).userId === 'wang-qs');
    expect(toWang).toHaveLength(1);
  });
});
