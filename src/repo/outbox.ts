import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { OutboxRow } from '../db/schema';
import { outboundPayloadSchema, outboundTargetSchema, type OutboundMessage, type Platform } from '../domain/message';

export type OutboxKind = 'reply' | 'notice' | 'direct' | 'digest' | 'escalation';

export interface OutboxEntry extends OutboundMessage {
  kind: OutboxKind;
  ticketId?: number | null;
  groupId?: string | null;
}

export async function enqueueOutbox(tx: Tx, entries: OutboxEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  await tx
    .insertInto('outbox')
    .values(
      entries.map((e) => ({
        platform: e.platform,
        kind: e.kind,
        target: JSON.stringify(e.target),
        payload: JSON.stringify(e.payload),
        ticket_id: e.ticketId ?? null,
        group_id: e.groupId ?? null,
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .execute();
}

export interface ClaimedPost {
  id: number;
  attempts: number;
  message: OutboundMessage;
  kind: string;
  ticketId: number | null;
}

function toClaimed(row: OutboxRow): ClaimedPost {
  return {
    id: row.id,
    attempts: row.attempts,
    kind: row.kind,
    ticketId: row.ticket_id,
    message: {
      platform: row.platform as Platform,
      target: outboundTargetSchema.parse(row.target),
      payload: outboundPayloadSchema.parse(row.payload),
    },
  };
}

/**
 * Takes due posts and leases them: SKIP LOCKED keeps two drainers off the same row, and the
 * lease (status 'sending' until next_attempt_at) lets another instance pick a post up again
 * if this process dies mid-send — so a post is sent at least once and at most once more.
 */
export async function claimDuePosts(db: Db, opts: { now: Date; limit: number; leaseMs: number; platforms?: Platform[] }): Promise<ClaimedPost[]> {
  return db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('outbox')
      .select('id')
      .where('status', 'in', ['pending', 'sending'])
      .where('next_attempt_at', '<=', opts.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(opts.limit)
      .forUpdate()
      .skipLocked();
    if (opts.platforms) q = q.where('platform', 'in', opts.platforms);
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await tx
      .updateTable('outbox')
      .set({ status: 'sending', attempts: sql`attempts + 1`, next_attempt_at: new Date(opts.now.getTime() + opts.leaseMs) })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.id - b.id).map(toClaimed);
  });
}

export async function markSent(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', sent_at: now, last_error: null }).where('id', '=', id).execute();
}

export async function markRetry(db: Db, id: number, error: string, retryAt: Date): Promise<void> {
  await db.updateTable('outbox').set({ status: 'pending', last_error: error.slice(0, 1000), next_attempt_at: retryAt }).where('id', '=', id).execute();
}

export async function markDead(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'dead', last_error: error.slice(0, 1000) }).where('id', '=', id).execute();
}

export async function listDeadLetters(db: Db, limit = 100) {
  return db.selectFrom('outbox').selectAll().where('status', '=', 'dead').orderBy('id', 'desc').limit(limit).execute();
}

export async function requeue(db: Db, id: number, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
