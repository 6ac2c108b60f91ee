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

/** Takes an accepted message for processing; null when another worker already has (or had) it. */
export async function claimAccepted(tx: Tx, id: number): Promise<number | null> {
  const row = await tx.updateTable('inbound_messages').set({ outcome: 'processing' }).where('id', '=', id).where('outcome', '=', 'pending').returning('id').executeTakeFirst();
  return row?.id ?? null;
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
