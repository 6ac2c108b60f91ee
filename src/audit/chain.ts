import type { Db } from '../db/database';
import { chainHash, formatCheckpoint, GENESIS_HASH, type Checkpoint } from './canonical';

const PAGE = 1000;

export type VerifyResult =
  | { ok: true; count: number; head: Checkpoint; passedCheckpoint: boolean }
  | { ok: false; count: number; eventId: number | null; reason: string };

/**
 * Walks the whole event log in id order, a page at a time (keyset, so memory stays flat),
 * recomputing every hash. An event whose stored seq or hash differs from the recomputation is
 * the first broken one: changed (its own hash), inserted (a seq out of place) or the one right
 * after a deletion (its seq skips). `from` is an outsider's checkpoint the chain must pass through.
 */
export async function verifyChain(db: Db, opts: { from?: Checkpoint } = {}): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let seq = 0;
  let lastId = 0;
  let passed = false;
  const from = opts.from;
  if (from && from.count === 0) passed = from.hash === GENESIS_HASH;
  // The daily checkpoints kept here must lie on the chain too (one a day: a small map). They can
  // be rewritten by whoever rewrites the log; the copy the commission holds (`from`) cannot.
  const stored = new Map(
    (await db.selectFrom('audit_checkpoints').selectAll().where('seq', '>', 0).execute()).map((c) => [c.last_event_id, c]),
  );
  for (;;) {
    const rows = await db.selectFrom('ticket_events').selectAll().where('id', '>', lastId).orderBy('id').limit(PAGE).execute();
    for (const r of rows) {
      seq++;
      const expected = await chainHash(prev, r);
      if (r.seq !== seq) {
        const reason =
          r.seq === null ? 'not in the chain (written around the app)' : r.seq > seq ? `seq ${r.seq} where ${seq} was due: the event with seq ${seq} (after event ${lastId || 'none'}) was deleted` : `seq ${r.seq} where ${seq} was due: inserted`;
        return { ok: false, count: seq - 1, eventId: r.id, reason };
      }
      if (r.hash !== expected) return { ok: false, count: seq - 1, eventId: r.id, reason: 'hash does not match its content or its predecessor: changed or inserted' };
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
    // Events removed from the end leave the head ahead of the log.
    return { ok: false, count: seq, eventId: head ? head.last_event_id : null, reason: `the chain head (seq ${head?.seq ?? '-'}) does not match the log's end (seq ${seq}): events at the end were deleted or the head was rewritten` };
  }
  const lost = [...stored.values()][0];
  if (lost) return { ok: false, count: seq, eventId: lost.last_event_id, reason: `the stored checkpoint of ${lost.date} names an event that is gone` };
  if (from && !passed) return { ok: false, count: seq, eventId: from.lastEventId, reason: `checkpoint ${formatCheckpoint(from)} is not in the log: its event is gone` };
  return { ok: true, count: seq, head: { lastEventId: lastId, count: seq, hash: prev }, passedCheckpoint: passed };
}
