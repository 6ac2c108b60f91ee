import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { runSurveyJobs } from '../../src/jobs/survey';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

describeOnDatabases('the period’s survey survives a crash while it opens', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-09T02:00:00Z');
  afterAll(async () => rt?.close());

  it('opens on the next tick after its invitations failed to queue, once', async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(EXAMPLE) });
    const db = rt.services.db;
    expect((await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'))).status).toBe('ticket');
    // The database refuses the invitation's outbox row mid-transaction, as a full disk or a killed connection would.
    await sql`create function refuse_survey_post() returns trigger language plpgsql as $$
      begin
        if new.payload::text like '%【满意度测评】%' then raise exception 'simulated crash while opening'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_survey_post before insert on outbox for each row execute function refuse_survey_post()`.execute(db);

    clock.set('2026-12-02T02:00:00Z'); // 2 December 10:00 in Beijing: the example's survey day, after the digest time
    await expect(runSurveyJobs(rt.services)).rejects.toThrow(/simulated crash/);
    expect(await db.selectFrom('survey_campaigns').select('key').execute()).toEqual([]);

    await sql`drop trigger refuse_survey_post on outbox`.execute(db);
    clock.advance(60_000);
    expect((await runSurveyJobs(rt.services)).opened).toMatchObject({ invited: 1, messaged: 1 });
    expect((await runSurveyJobs(rt.services)).opened).toBeNull();
    await rt.services.drainer.drainOnce();
    const invites = rt.local!.directTranscript('qs-jixie-liu', 0).filter((e) => e.from.kind === 'bot' && e.text.includes('【满意度测评】'));
    expect(invites).toHaveLength(1);
  });
});
