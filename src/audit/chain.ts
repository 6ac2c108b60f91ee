import { sql } from 'kysely';
import type { Db } from '../db/database';
import { chainHash, formatCheckpoint, GENESIS_HASH, type ChainEvent, type Checkpoint } from './canonical';

const PAGE = 1000;

export type VerifyResult =
  | {
      ok: true;
      count: number;
      head: Checkpoint;
      passedCheckpoint: boolean;
      /** Events written and queued for the chainer but not chained yet: not broken, just not in `count`. */
      pending: number;
    }
  | { ok: false; count: number; eventId: number | null; reason: string; pending: number };

type Walked = { ok: true; count: number; head: Checkpoint; passedCheckpoint: boolean } | { ok: false; count: number; eventId: number | null; reason: string };

/** An entry of audit_chain with its event's columns, which are null when the event is gone. */
type ChainEntry = { chain_seq: number; event_id: number; chain_hash: string } & (ChainEvent | { [K in keyof ChainEvent]: null });

/**
 * Walks the whole chain (audit_chain) in its own seq order joined to the events, a page at a
 * time (keyset, so memory stays flat), recomputing every hash. The first entry whose seq skips,
 * whose event is gone or whose hash differs from the recomputation is the first broken one:
 * deleted, changed or inserted. Then every event must be chained or queued for the chainer
 * (audit_chain_pending): one that is neither was written around the app. `from` is an outsider's
 * checkpoint the chain must pass through.
 */
export async function verifyChain(db: Db, opts: { from?: Checkpoint } = {}): Promise<VerifyResult> {
  const walked = await walkChain(db, opts.from);
  // Reported either way: a broken chain's operator still wants to know what is merely not chained yet.
  const pending = await sql<{ n: number }>`select count(*)::integer as n from audit_chain_pending`.execute(db);
  return { ...walked, pending: pending.rows[0]?.n ?? 0 };
}

async function walkChain(db: Db, from: Checkpoint | undefined): Promise<Walked> {
  let prev = GENESIS_HASH;
  let seq = 0;
  let lastId = 0;
  let passed = false;
  if (from && from.count === 0) passed = from.hash === GENESIS_HASH;
  // The daily checkpoints kept here must lie on the chain too (one a day: a small map). They can
  // be rewritten by whoever rewrites the log; the copy the commission holds (`from`) cannot.
  const stored = new Map(
    (await db.selectFrom('audit_checkpoints').selectAll().where('seq', '>', 0).execute()).map((c) => [c.last_event_id, c]),
  );
  for (;;) {
    const { rows } = await sql<ChainEntry>`
      select c.seq as chain_seq, c.event_id, c.hash as chain_hash,
             e.id, e.ticket_id, e.kind, e.from_status, e.to_status, e.actor_kind, e.actor_id, e.actor_name, e.data, e.at
      from audit_chain c left join ticket_events e on e.id = c.event_id
      where c.seq > ${seq} order by c.seq limit ${PAGE}`.execute(db);
    for (const r of rows) {
      seq++;
      if (r.chain_seq !== seq) {
        return { ok: false, count: seq - 1, eventId: r.event_id, reason: `seq ${r.chain_seq} where ${seq} was due: the chain entry with seq ${seq} (after event ${lastId || 'none'}) was deleted` };
      }
      if (r.id === null) {
        return { ok: false, count: seq - 1, eventId: r.event_id, reason: `event ${r.event_id}, the one with seq ${seq} (after event ${lastId || 'none'}), was deleted` };
      }
      const expected = await chainHash(prev, r as ChainEvent);
      if (r.chain_hash !== expected) return { ok: false, count: seq - 1, eventId: r.id, reason: 'hash does not match its content or its predecessor: changed or inserted' };
      prev = expected;
      lastId = r.id;
      if (from && r.id === from.lastEventId) {
        if (from.count !== seq || from.hash !== expected) {
          return { ok: false, count: seq, eventId: r.id, reason: `differs from checkpoint ${formatCheckpoint(from)}: history up to it was rewritten` };
        }
        passed = true;
      }
      const kept = stored.get(r.id);
      if (kept) {
        if (kept.seq !== seq || kept.hash !== expected) return { ok: false, count: seq, eventId: r.id, reason: `differs from the stored checkpoint of ${kept.date}: history up to it was rewritten` };
        stored.delete(r.id);
      }
    }
    if (rows.length < PAGE) break;
  }
  const head = await db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!head || head.seq !== seq || head.hash !== prev) {
    // Entries removed from the end leave the head ahead of the chain.
    return { ok: false, count: seq, eventId: head ? head.last_event_id : null, reason: `the chain head (seq ${head?.seq ?? '-'}) does not match the chain's end (seq ${seq}): events at the end were deleted or the head was rewritten` };
  }
  const lost = [...stored.values()][0];
  if (lost) return { ok: false, count: seq, eventId: lost.last_event_id, reason: `the stored checkpoint of ${lost.date} names an event that is gone` };
  if (from && !passed) return { ok: false, count: seq, eventId: from.lastEventId, reason: `checkpoint ${formatCheckpoint(from)} is not in the log: its event is gone` };
  const outside = await sql<{ id: number }>`
    select e.id from ticket_events e
    where not exists (select 1 from audit_chain c where c.event_id = e.id) and not exists (select 1 from audit_chain_pending p where p.event_id = e.id)
    order by e.id limit 1`.execute(db);
  if (outside.rows[0]) return { ok: false, count: seq, eventId: outside.rows[0].id, reason: 'not in the chain (written around the app)' };
  const vanished = await sql<{ event_id: number }>`
    select p.event_id from audit_chain_pending p where not exists (select 1 from ticket_events e where e.id = p.event_id) order by p.event_id limit 1`.execute(db);
  if (vanished.rows[0]) return { ok: false, count: seq, eventId: vanished.rows[0].event_id, reason: 'queued for the chain, then deleted before it was chained' };
  return { ok: true, count: seq, head: { lastEventId: lastId, count: seq, hash: prev }, passedCheckpoint: passed };
}
