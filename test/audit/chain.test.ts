import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { chainHash, formatCheckpoint, GENESIS_HASH, parseCheckpoint, type Checkpoint } from '../../src/audit/canonical';
import { verifyChain } from '../../src/audit/chain';
import { chainHead } from '../../src/audit/checkpoints';
import type { Db } from '../../src/db/database';
import { runScheduledWork } from '../../src/jobs/digests';
import { ledgerFile } from '../../src/reports/ledger-file';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

/** Runs `tamper` as the superuser with every trigger off, checks, then rolls it all back. */
async function tampered(db: Db, tamper: (tx: Db) => Promise<void>, from?: Checkpoint) {
  let result: Awaited<ReturnType<typeof verifyChain>> | undefined;
  await db
    .transaction()
    .execute(async (tx) => {
      await sql`alter table ticket_events disable trigger all`.execute(tx);
      await sql`alter table audit_chain disable trigger all`.execute(tx);
      await tamper(tx);
      result = await verifyChain(tx, from ? { from } : {});
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  return result!;
}

describeOnDatabases('the audit chain over ticket events', (db, kind) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  let november: Checkpoint;

  it('is intact after a report is received, claimed and resolved, and checkpoints it daily', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    expect(await verifyChain(rt.services.db)).toMatchObject({ ok: true, count: 0, head: { count: 0, hash: GENESIS_HASH } });
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    expect(r).toMatchObject({ status: 'ticket' });
    await rt.services.pipeline.receive(localMessage('lidian', '/认领 1'));
    await rt.services.pipeline.receive(localMessage('lidian', '/办结 1 已接通'));
    const events = await rt.services.db.selectFrom('ticket_events').select(['id', 'kind']).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['received', 'dispatched', 'claimed']));
    // Chained after each message's commit, in the chain's own order: every event, none left queued.
    const chain = (await sql<{ seq: number; event_id: number }>`select seq, event_id from audit_chain order by seq`.execute(rt.services.db)).rows;
    expect(chain.map((c) => c.seq)).toEqual(events.map((_, i) => i + 1));
    expect(chain.map((c) => c.event_id).sort((a, b) => a - b)).toEqual(events.map((e) => e.id));
    const v = await verifyChain(rt.services.db);
    expect(v).toMatchObject({ ok: true, count: events.length, pending: 0, head: { lastEventId: chain.at(-1)!.event_id } });

    // The first tick after midnight (China time) of 1 Dec records 30 Nov's checkpoint, once.
    clock.set('2026-11-30T16:01:00Z');
    expect((await runScheduledWork(rt.services)).audit).toContain('audit:checkpoint:2026-11-30');
    expect((await runScheduledWork(rt.services)).audit).not.toContain('audit:checkpoint:2026-11-30');
    november = await chainHead(rt.services.db);
    // The same tick's sweep may have appended (archiving the unrated ticket): the checkpoint is the head.
    expect(await verifyChain(rt.services.db)).toMatchObject({ ok: true, head: november });
  });

  it('sends the month’s closing checkpoint one-to-one to the supervisors (纪委监委) on the monthly report day, once', async () => {
    // The tick above was on 1 Dec, the configured monthly day: 蒋鉴 (supervisor) got November's package.
    await rt.services.drainer.drainOnce();
    const got = rt.local!.directTranscript('jiangjian', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text);
    const packages = got.filter((t) => t.includes('2026-11 工单事件审计检查点'));
    expect(packages).toHaveLength(1);
    expect(packages[0]).toContain(`本月末（2026-11-30）：${formatCheckpoint(november)}`);
    expect((await runScheduledWork(rt.services)).audit).toEqual([]);
  });

  it('puts the month’s checkpoints and the head into the ledger export', async () => {
    const csv = (await ledgerFile(rt.services.db, '2026-11', 'csv')).body as string;
    expect(csv).toContain('审计检查点');
    expect(csv).toContain(`2026-11-30,${november.count},${november.lastEventId},${november.hash},${formatCheckpoint(november)}`);
    expect(parseCheckpoint(formatCheckpoint(november))).toEqual(november);
  });

  it('continues from last month’s checkpoint on an intact history, and one valid chain under concurrent appends', async () => {
    clock.set('2026-12-02T02:00:00Z');
    const n = kind === 'postgres' ? 20 : 5;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => rt.services.pipeline.receive(localMessage(`qs-jixie-liu`, `第${i}号：园区道路${i}段路灯坏了一个多月，晚上货车进出很危险，请尽快修复`))),
    );
    // Similar reports attach to the first one: each is still an appended event.
    expect(results.every((r) => r.status === 'ticket' || r.status === 'attached')).toBe(true);
    const v = await verifyChain(rt.services.db, { from: november });
    expect(v).toMatchObject({ ok: true, passedCheckpoint: true });
    const total = await rt.services.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(v.ok && v.count).toBe(Number(total.n));
    expect(v.ok && v.count).toBeGreaterThan(november.count);
  });

  it('rejects a checkpoint the history does not pass through', async () => {
    const forged = { ...november, hash: 'f'.repeat(64) };
    expect(await verifyChain(rt.services.db, { from: forged })).toMatchObject({ ok: false, eventId: november.lastEventId });
  });

  // Behind the app's back needs a superuser and ALTER TABLE, which PGlite's single connection has
  // too — but the claim is about PostgreSQL, where the roles are real.
  if (kind !== 'postgres') {
    it.skip('tampering as a superuser with triggers disabled (PostgreSQL only: the roles live there)', () => undefined);
    return;
  }

  const chainEntry = async (seq: number) => (await sql<{ event_id: number }>`select event_id from audit_chain where seq = ${seq}`.execute(rt.services.db)).rows[0]!.event_id;

  it('names a deleted event, and a deleted chain entry', async () => {
    const victim = await chainEntry(2);
    const before = await chainEntry(1);
    const r = await tampered(rt.services.db, async (tx) => void (await tx.deleteFrom('ticket_events').where('id', '=', victim).execute()));
    expect(r).toMatchObject({ ok: false, count: 1, eventId: victim });
    expect(!r.ok && r.reason).toContain(`seq 2 (after event ${before})`);
    const both = await tampered(rt.services.db, async (tx) => {
      await tx.deleteFrom('ticket_events').where('id', '=', victim).execute();
      await sql`delete from audit_chain where seq = 2`.execute(tx);
    });
    expect(both).toMatchObject({ ok: false, count: 1 });
    expect(!both.ok && both.reason).toContain(`seq 2 (after event ${before}) was deleted`);
  });

  it('names an event deleted before the chainer reached it', async () => {
    const t = await rt.services.db.selectFrom('tickets').select('id').orderBy('id').executeTakeFirstOrThrow();
    const r = await tampered(rt.services.db, async (tx) => {
      // Written by the app (the trigger queues it), then deleted before the next chainer run.
      await sql`alter table ticket_events enable trigger ticket_events_chain_pending`.execute(tx);
      const e = await tx.insertInto('ticket_events').values({ ticket_id: t.id, kind: 'commented', from_status: null, to_status: null, actor_kind: 'staff', actor_id: 'lidian', actor_name: '李电', data: '{}', at: clock.now() }).returning('id').executeTakeFirstOrThrow();
      await tx.deleteFrom('ticket_events').where('id', '=', e.id).execute();
    });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toContain('deleted before it was chained');
  });

  it('names the last event deleted from the end, with or without its chain entry', async () => {
    const head = await chainHead(rt.services.db);
    const r = await tampered(rt.services.db, async (tx) => void (await tx.deleteFrom('ticket_events').where('id', '=', head.lastEventId).execute()));
    expect(r).toMatchObject({ ok: false, eventId: head.lastEventId });
    const both = await tampered(rt.services.db, async (tx) => {
      await tx.deleteFrom('ticket_events').where('id', '=', head.lastEventId).execute();
      await sql`delete from audit_chain where seq = ${head.count}`.execute(tx);
    });
    expect(both).toMatchObject({ ok: false, eventId: head.lastEventId });
    expect(!both.ok && both.reason).toContain('does not match the chain');
  });

  it('names an edited event', async () => {
    const victim = await rt.services.db.selectFrom('ticket_events').select('id').where('kind', '=', 'claimed').executeTakeFirstOrThrow();
    const r = await tampered(rt.services.db, async (tx) => {
      await tx.updateTable('ticket_events').set({ data: JSON.stringify({ note: '早已办结' }) }).where('id', '=', victim.id).execute();
    });
    expect(r).toMatchObject({ ok: false, eventId: victim.id });
    expect(!r.ok && r.reason).toContain('hash does not match');
  });

  it('names a forged event, with or without a hash', async () => {
    const head = await chainHead(rt.services.db);
    const t = await rt.services.db.selectFrom('tickets').select('id').orderBy('id').executeTakeFirstOrThrow();
    const forged = { ticket_id: t.id, kind: 'closed', from_status: 'claimed', to_status: 'closed', actor_kind: 'staff', actor_id: 'lidian', actor_name: '李电', data: '{}', at: clock.now() };
    const bare = await tampered(rt.services.db, async (tx) => void (await tx.insertInto('ticket_events').values(forged).execute()));
    expect(bare).toMatchObject({ ok: false, count: head.count });
    expect(!bare.ok && bare.reason).toContain('not in the chain');
    const hashed = await tampered(rt.services.db, async (tx) => {
      const e = await tx.insertInto('ticket_events').values(forged).returning('id').executeTakeFirstOrThrow();
      await sql`insert into audit_chain (seq, event_id, hash) values (${head.count + 1}, ${e.id}, ${'a'.repeat(64)})`.execute(tx);
    });
    expect(hashed).toMatchObject({ ok: false, count: head.count });
    expect(!hashed.ok && hashed.reason).toContain('hash does not match');
  });

  it('catches a history rewritten and re-hashed to the end through the outsider’s checkpoint', async () => {
    const r = await tampered(
      rt.services.db,
      async (tx) => {
        const victim = await tx.selectFrom('ticket_events').select('id').where('kind', '=', 'claimed').executeTakeFirstOrThrow();
        await tx.updateTable('ticket_events').set({ actor_name: '别人' }).where('id', '=', victim.id).execute();
        // A superuser who also knows the algorithm recomputes every later hash and the head,
        let prev = GENESIS_HASH;
        let last = 0;
        const chain = (await sql<{ seq: number; event_id: number }>`select seq, event_id from audit_chain order by seq`.execute(tx)).rows;
        for (const c of chain) {
          const e = await tx.selectFrom('ticket_events').selectAll().where('id', '=', c.event_id).executeTakeFirstOrThrow();
          prev = await chainHash(prev, e);
          last = e.id;
          await sql`update audit_chain set hash = ${prev} where seq = ${c.seq}`.execute(tx);
        }
        await tx.updateTable('audit_chain_head').set({ hash: prev, last_event_id: last }).execute();
        // but the daily checkpoints kept in the database no longer match; rewritten as well,
        expect(await verifyChain(tx)).toMatchObject({ ok: false, eventId: november.lastEventId });
        const rewritten = (await sql<{ hash: string }>`select hash from audit_chain where event_id = ${november.lastEventId}`.execute(tx)).rows[0]!;
        await tx.updateTable('audit_checkpoints').set({ hash: rewritten.hash }).where('last_event_id', '=', november.lastEventId).execute();
        expect(await verifyChain(tx)).toMatchObject({ ok: true });
      },
      november,
    );
    // only the copy the commission holds still tells.
    expect(r).toMatchObject({ ok: false, eventId: november.lastEventId });
  });
});
