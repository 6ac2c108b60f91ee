import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { chainPending } from '../../src/audit/chainer';
import { verifyChain } from '../../src/audit/chain';
import { verifyReport } from '../../src/audit/report';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import { appendEvents } from '../../src/repo/tickets';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const PENDING = '1 个事件尚未上链（刚写入，稍后自动上链）';

describeOnDatabases('audit verify’s output: the pending count, intact or broken', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  afterAll(async () => rt?.close());

  it('says how many events are not chained yet, and still exits 0 when that is all', async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    const db = rt.services.db;
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    await chainPending(db);
    const quiet = verifyReport(await verifyChain(db), await verifyTicketStates(db));
    expect(quiet.code).toBe(0);
    expect(quiet.out.join('\n')).not.toContain('尚未上链');

    const ticket = await db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();
    // Committed, not chained yet: what `audit verify` meets right after a write.
    await db.transaction().execute((tx) => appendEvents(tx, ticket.id, [{ kind: 'note', fromStatus: null, toStatus: null, actor: { kind: 'staff', id: 'lidian', name: '李电' }, at: clock.now(), data: {} }]));
    const r = verifyReport(await verifyChain(db), await verifyTicketStates(db));
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toContain('审计链完好');
    expect(r.out[1]).toContain(PENDING);
  });

  it('says how many tickets’ deadlines the history could not speak for', async () => {
    const db = rt.services.db;
    const rows = await verifyTicketStates(db);
    const r = verifyReport(await verifyChain(db), { ...rows, deadlinesUnchecked: 3 });
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('3 件工单的时限未核对：事件历史未记录');
  });

  it('says it when the chain is broken too', async () => {
    const db = rt.services.db;
    let report: ReturnType<typeof verifyReport> | undefined;
    await db
      .transaction()
      .execute(async (tx) => {
        // As a superuser behind the app's back, rolled back afterwards.
        await sql`alter table ticket_events disable trigger all`.execute(tx);
        await sql`update ticket_events set actor_name = '别人' where id = (select event_id from audit_chain where seq = 1)`.execute(tx);
        report = verifyReport(await verifyChain(tx), null);
        throw new Error('rollback');
      })
      .catch((e: Error) => {
        if (e.message !== 'rollback') throw e;
      });
    expect(report).toMatchObject({ code: 1, out: [] });
    expect(report!.err[0]).toContain('审计链断裂');
    expect(report!.err[1]).toContain(PENDING);
  });
});
