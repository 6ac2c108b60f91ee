import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { runAuditJobs } from '../../src/jobs/audit-checkpoints';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describeOnDatabases('the supervisors’ monthly checkpoint package survives a crash while it is queued', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  afterAll(async () => rt?.close());

  it('leaves the run unclaimed when queueing its posts fails, so the next tick sends it, once', async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    const db = rt.services.db;
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    // The database refuses the package's outbox row mid-transaction, as a full disk or a killed connection would.
    await sql`create function refuse_checkpoint_post() returns trigger language plpgsql as $$
      begin
        if new.payload::text like '%工单事件审计检查点%' then raise exception 'simulated crash while queueing'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_checkpoint_post before insert on outbox for each row execute function refuse_checkpoint_post()`.execute(db);

    clock.set('2026-11-30T16:01:00Z'); // 1 Dec in Beijing: the configured monthly report day
    await expect(runAuditJobs(rt.services)).rejects.toThrow(/simulated crash/);
    const claimed = await db.selectFrom('scheduled_runs').select('key').where('key', 'like', 'audit:monthly:%').execute();
    expect(claimed).toEqual([]);

    await sql`drop trigger refuse_checkpoint_post on outbox`.execute(db);
    clock.advance(60_000);
    const done = await runAuditJobs(rt.services);
    expect(done.filter((k) => k.startsWith('audit:monthly:2026-11:'))).toHaveLength(1);
    expect(await runAuditJobs(rt.services)).toEqual([]);
    await rt.services.drainer.drainOnce();
    const got = rt.local!.directTranscript('jiangjian', 0).filter((e) => e.from.kind === 'bot' && e.text.includes('2026-11 工单事件审计检查点'));
    expect(got).toHaveLength(1);
  });
});
