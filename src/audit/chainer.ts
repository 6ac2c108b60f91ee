import { sql } from 'kysely';
import type { Db } from '../db/database';
import { chainHash } from './canonical';

const PAGE = 1000;

/**
 * Appends the events queued in audit_chain_pending (by the insert trigger, in their own
 * transaction) to audit_chain, oldest id first, in one transaction of its own. Only the chainer
 * takes the head row, and it skips instead of waiting when another chainer (another process)
 * holds it: that one chains what is queued. Returns the events chained, or null when it skipped.
 */
export async function chainPending(db: Db): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    const head = await tx.selectFrom('audit_chain_head').select(['seq', 'hash', 'last_event_id']).where('id', '=', 1).forUpdate().skipLocked().executeTakeFirst();
    if (!head) return null;
    // No fsync of its own: a chainer commit lost in a crash takes its queue deletions with it, so
    // the same events are chained again on the next run; anything that later shows the head (the
    // checkpoint's insert, a post) commits durably and flushes this commit's WAL first.
    await sql`set local synchronous_commit = off`.execute(tx);
    let { seq, hash } = head;
    let lastEventId = head.last_event_id;
    let chained = 0;
    for (;;) {
      // What is hashed is what was stored, read back: the same rows `audit verify` reads.
      const rows = await tx
        .selectFrom('ticket_events')
        .selectAll()
        .where(sql<boolean>`id in (select event_id from audit_chain_pending)`)
        .orderBy('id')
        .limit(PAGE)
        .execute();
      if (!rows.length) break;
      const values = [];
      for (const r of rows) {
        hash = await chainHash(hash, r);
        seq++;
        values.push(sql`(${seq}::integer, ${r.id}::integer, ${hash}::text)`);
      }
      await sql`insert into audit_chain (seq, event_id, hash) values ${sql.join(values)}`.execute(tx);
      await sql`delete from audit_chain_pending where event_id in (${sql.join(rows.map((r) => r.id))})`.execute(tx);
      lastEventId = rows.at(-1)!.id;
      chained += rows.length;
      if (rows.length < PAGE) break;
    }
    if (chained) await tx.updateTable('audit_chain_head').set({ seq, hash, last_event_id: lastEventId }).where('id', '=', 1).execute();
    return chained;
  });
}

interface Runs {
  current: Promise<void> | null;
  next: Promise<void> | null;
}

const runs = new WeakMap<Db, Runs>();

/**
 * Chains what is queued, coalescing callers: one run at a time per database handle, and a call
 * while one runs waits for a single follow-up run (which sees the caller's committed events)
 * shared by everyone who called meanwhile. So after each processing commit the chain catches up
 * with one run per burst of commits, not one per commit.
 */
export function chainSoon(db: Db): Promise<void> {
  let r = runs.get(db);
  if (!r) runs.set(db, (r = { current: null, next: null }));
  const state = r;
  if (!state.current) {
    state.current = chainPending(db)
      .then(() => undefined)
      .finally(() => (state.current = null));
    return state.current;
  }
  state.next ??= state.current
    .catch(() => undefined)
    .then(() => {
      state.next = null;
      return chainSoon(db);
    });
  return state.next;
}
