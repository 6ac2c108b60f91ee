import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { InboundMessage } from '../domain/message';

export type InboundOutcome = 'pending' | 'processing' | 'ticket' | 'attached' | 'command' | 'ignored' | 'event';

/**
 * Claims a platform message id. Returns null when it was seen before: the unique key makes
 * a redelivery that races the first delivery wait for it and then see the row.
 */
export async function claimInbound(tx: Tx, msg: InboundMessage): Promise<number | null> {
  const row = await tx
    .insertInto('inbound_messages')
    .values({ ...rowOf(msg), outcome: 'processing' })
    .onConflict((oc) => oc.columns(['platform', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function finishInbound(tx: Tx, id: number, outcome: InboundOutcome, ticketId: number | null): Promise<void> {
  await tx.updateTable('inbound_messages').set({ outcome, ticket_id: ticketId }).where('id', '=', id).execute();
}

export async function inboundCount(db: Db, platform: string, messageId: string): Promise<number> {
  const rows = await db.selectFrom('inbound_messages').select('id').where('platform', '=', platform).where('message_id', '=', messageId).execute();
  return rows.length;
}

const rowOf = (msg: InboundMessage) => ({
  platform: msg.platform,
  message_id: msg.messageId,
  chat_id: msg.chatId,
  chat_type: msg.chatType,
  sender_id: msg.sender.userId,
  sender_name: msg.sender.name ?? null,
  text: msg.text,
  received_at: msg.receivedAt,
});

/**
 * Stores verified messages for later processing, many in one statement. Returns the new row id
 * per message, or null for a platform message id seen before (a redelivery).
 */
export async function acceptInbound(db: Db, msgs: InboundMessage[]): Promise<Array<number | null>> {
  if (!msgs.length) return [];
  const rows = await db
    .insertInto('inbound_messages')
    .values(msgs.map((m) => ({ ...rowOf(m), outcome: 'pending', payload: JSON.stringify(m) })))
    .onConflict((oc) => oc.columns(['platform', 'message_id']).doNothing())
    .returning(['id', 'platform', 'message_id'])
    .execute();
  const ids = new Map(rows.map((r) => [`${r.platform}\u0000${r.message_id}`, r.id]));
  // Two copies of one message in the same batch: the first takes the row, the second is a duplicate.
  const seen = new Set<string>();
  return msgs.map((m) => {
    const key = `${m.platform}\u0000${m.messageId}`;
    if (seen.has(key)) return null;
    seen.add(key);
    return ids.get(key) ?? null;
  });
}

/**
 * Takes accepted messages for processing, one statement for a batch: the row locks last until the
 * transaction ends, so a message is worked on by one transaction at a time, and SKIP LOCKED lets
 * another instance (or a recovery pass) pass over what is being worked on instead of waiting for
 * it. Returns the ids taken; a missing id was done already or is being done elsewhere. A message
 * whose work fails is rolled back with the lock and stays pending for the next try.
 */
export async function lockAccepted(tx: Tx, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await tx.selectFrom('inbound_messages').select('id').where('id', 'in', ids).where('outcome', '=', 'pending').forUpdate().skipLocked().execute();
  return new Set(rows.map((r) => r.id));
}

/** Records what became of a batch's messages, in one statement. */
export async function finishInboundMany(tx: Tx, rows: Array<{ id: number; outcome: InboundOutcome; ticketId: number | null }>): Promise<void> {
  if (!rows.length) return;
  const values = sql.join(rows.map((r) => sql`(${r.id}::integer, ${r.outcome}::text, ${r.ticketId}::integer)`));
  await sql`update inbound_messages as m set outcome = v.outcome, ticket_id = v.ticket_id from (values ${values}) as v(id, outcome, ticket_id) where m.id = v.id`.execute(tx);
}

/** Accepted messages never processed (the process stopped between the acknowledgement and the work). */
export async function pendingInbound(db: Db, acceptedBefore: Date, limit: number): Promise<Array<{ id: number; payload: unknown }>> {
  return db
    .selectFrom('inbound_messages')
    .select(['id', 'payload'])
    .where('outcome', '=', 'pending')
    .where('received_at', '<', acceptedBefore)
    .orderBy('id')
    .limit(limit)
    .execute();
}
