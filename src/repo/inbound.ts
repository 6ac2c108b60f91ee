import type { Db, Tx } from '../db/database';
import type { InboundMessage } from '../domain/message';

export type InboundOutcome = 'processing' | 'ticket' | 'attached' | 'command' | 'ignored' | 'event';

/**
 * Claims a platform message id. Returns null when it was seen before: the unique key makes
 * a redelivery that races the first delivery wait for it and then see the row.
 */
export async function claimInbound(tx: Tx, msg: InboundMessage): Promise<number | null> {
  const row = await tx
    .insertInto('inbound_messages')
    .values({
      platform: msg.platform,
      message_id: msg.messageId,
      chat_id: msg.chatId,
      chat_type: msg.chatType,
      sender_id: msg.sender.userId,
      sender_name: msg.sender.name ?? null,
      text: msg.text,
      outcome: 'processing',
      received_at: msg.receivedAt,
    })
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
