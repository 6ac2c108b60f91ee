import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { OutboxRow } from '../db/schema';
import { outboundPayloadSchema, outboundTargetSchema, type OutboundMessage, type Platform } from '../domain/message';

export type OutboxKind = 'reply' | 'notice' | 'direct' | 'digest' | 'escalation' | 'card';

export interface OutboxEntry extends OutboundMessage {
  kind: OutboxKind;
  ticketId?: number | null;
  groupId?: string | null;
}

/** The throttled unit: a group chat (posts and replies land there); one-to-one posts are not throttled here. */
export function destinationOf(m: OutboundMessage): string | null {
  if (m.target.kind === 'group') return `${m.platform}:${m.target.chatId}`;
  if (m.target.kind === 'reply' && m.target.chatType === 'group') return `${m.platform}:${m.target.chatId}`;
  return null;
}

/** Reply handles the platform accepts one post on (WeCom's response_url). */
const SINGLE_USE_REPLIES = new Set(['wecom-response-url']);

const singleUseUrl = (e: OutboxEntry) => (e.target.kind === 'reply' && SINGLE_USE_REPLIES.has(e.target.handle.kind) ? e.target.handle.url : null);

/**
 * Only the first reply to a message may use a single-use handle; later replies to the same
 * message (in this transaction or an earlier one) go through the chat's own channel at once,
 * instead of failing at the platform first.
 */
async function oncePerReplyHandle(tx: Tx, entries: OutboxEntry[]): Promise<OutboxEntry[]> {
  const urls = [...new Set(entries.map(singleUseUrl).filter((u): u is string => u !== null))];
  if (urls.length === 0) return entries;
  const rows = await tx
    .selectFrom('outbox')
    .select(sql<string>`target->'handle'->>'url'`.as('url'))
    .where(sql<string>`target->>'kind'`, '=', 'reply')
    .where(sql<string>`target->'handle'->>'url'`, 'in', urls)
    .execute();
  const used = new Set(rows.map((r) => r.url));
  return entries.map((e) => {
    const url = singleUseUrl(e);
    if (url === null || e.target.kind !== 'reply') return e;
    if (!used.has(url)) {
      used.add(url);
      return e;
    }
    const t = e.target;
    return { ...e, target: t.chatType === 'group' ? { kind: 'group' as const, chatId: t.chatId } : { kind: 'direct' as const, userId: t.chatId } };
  });
}

export async function enqueueOutbox(tx: Tx, given: OutboxEntry[], now: Date): Promise<void> {
  if (given.length === 0) return;
  const entries = await oncePerReplyHandle(tx, given);
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
        destination: destinationOf(e),
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .execute();
}

export interface ClaimedPost {
  id: number;
  destination: string | null;
  attempts: number;
  message: OutboundMessage;
  kind: string;
  ticketId: number | null;
}

function toClaimed(row: OutboxRow): ClaimedPost {
  return {
    id: row.id,
    destination: row.destination,
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

/** Posts sent to a destination since `since`, and when the oldest of them went out. */
export async function sentSince(db: Db, destination: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
  const r = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('sent_at').as('oldest')])
    .where('destination', '=', destination)
    .where('status', '=', 'sent')
    .where('sent_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { count: Number(r.n), oldest: (r.oldest as Date | null) ?? null };
}

/** Puts a claimed post back without counting an attempt: it was held back, not tried. */
export async function deferPost(db: Db, id: number, until: Date): Promise<void> {
  await db.updateTable('outbox').set({ status: 'pending', attempts: sql`greatest(attempts - 1, 0)`, next_attempt_at: until }).where('id', '=', id).execute();
}

/**
 * Folds the destination's pending backlog into the leader post, in order, and marks the
 * folded rows 'coalesced' (pointing at the leader): one summary instead of a burst, nothing lost.
 * Returns the number of posts folded in.
 */
export async function coalesceBacklog(db: Db, leader: ClaimedPost, max: number): Promise<{ merged: number; message: OutboundMessage }> {
  if (!leader.destination) return { merged: 0, message: leader.message };
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('outbox')
      .selectAll()
      .where('destination', '=', leader.destination)
      .where('status', '=', 'pending')
      .where('id', '>', leader.id)
      .orderBy('id')
      .limit(max)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return { merged: 0, message: leader.message };
    const parts = [leader.message.payload, ...rows.map((r) => outboundPayloadSchema.parse(r.payload))];
    const payload = {
      format: 'text' as const,
      text: [`【${parts.length} 条消息汇总】`, ...parts.map((p) => p.text)].join('\n——\n'),
      mentions: [...new Set(parts.flatMap((p) => p.mentions))],
    };
    await tx.updateTable('outbox').set({ payload: JSON.stringify(payload) }).where('id', '=', leader.id).execute();
    await tx.updateTable('outbox').set({ status: 'coalesced', coalesced_into: leader.id }).where('id', 'in', rows.map((r) => r.id)).execute();
    return { merged: rows.length, message: { ...leader.message, payload } };
  });
}

export async function pendingBehind(db: Db, destination: string, afterId: number): Promise<number> {
  const r = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('destination', '=', destination)
    .where('status', '=', 'pending')
    .where('id', '>', afterId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * When an earlier post to the same destination is still undelivered (waiting to retry, or
 * leased by another instance), a later one must wait for it: posts reach a group in order.
 * Returns when the earlier one is next due, or null when nothing blocks.
 */
export async function blockedUntil(db: Db, destination: string, id: number): Promise<Date | null> {
  const r = await db
    .selectFrom('outbox')
    .select('next_attempt_at')
    .where('destination', '=', destination)
    .where('status', 'in', ['pending', 'sending'])
    .where('id', '<', id)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r?.next_attempt_at ?? null;
}
