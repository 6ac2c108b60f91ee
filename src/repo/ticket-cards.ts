import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { Platform } from '../domain/message';
import { enqueueOutbox } from './outbox';

export interface TicketCard {
  id: number;
  ticketId: number;
  platform: Platform;
  chatId: string;
  ref: string;
  lastParams: Record<string, string>;
}

/** A card the platform confirmed it delivered; a second delivery under the same ref refreshes it. */
export async function recordCard(db: Db | Tx, card: { ticketId: number; platform: Platform; chatId: string; ref: string; params: Record<string, string> }, now: Date): Promise<void> {
  await db
    .insertInto('ticket_cards')
    .values({ ticket_id: card.ticketId, platform: card.platform, chat_id: card.chatId, card_ref: card.ref, last_params: JSON.stringify(card.params), created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['platform', 'card_ref']).doUpdateSet({ ticket_id: card.ticketId, chat_id: card.chatId, last_params: JSON.stringify(card.params), updated_at: now }))
    .execute();
}

export async function cardByRef(db: Db | Tx, platform: Platform, ref: string): Promise<TicketCard | null> {
  const r = await db.selectFrom('ticket_cards').selectAll().where('platform', '=', platform).where('card_ref', '=', ref).executeTakeFirst();
  return r ? { id: r.id, ticketId: r.ticket_id, platform: r.platform as Platform, chatId: r.chat_id, ref: r.card_ref, lastParams: r.last_params } : null;
}

export async function setCardParams(db: Db | Tx, platform: Platform, ref: string, params: Record<string, string>, now: Date): Promise<void> {
  await db.updateTable('ticket_cards').set({ last_params: JSON.stringify(params), updated_at: now }).where('platform', '=', platform).where('card_ref', '=', ref).execute();
}

/**
 * Called in the transaction that changed the ticket: one update post per card of the ticket,
 * unless one is already waiting (its content is rendered at delivery, so one suffices).
 */
export async function enqueueCardUpdates(tx: Tx, ticketId: number, now: Date): Promise<number> {
  const cards = await tx
    .selectFrom('ticket_cards')
    .select(['platform', 'chat_id', 'card_ref'])
    .where('ticket_id', '=', ticketId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbox')
            .select('outbox.id')
            .where('outbox.kind', '=', 'card')
            .where('outbox.status', '=', 'pending')
            .where('outbox.ticket_id', '=', ticketId)
            .where(sql<boolean>`outbox.target->>'ref' = ticket_cards.card_ref`),
        ),
      ),
    )
    .execute();
  await enqueueOutbox(
    tx,
    cards.map((c) => ({
      platform: c.platform as Platform,
      kind: 'card' as const,
      target: { kind: 'card' as const, chatId: c.chat_id, ref: c.card_ref },
      payload: { format: 'text' as const, text: '', mentions: [], card: { outTrackId: c.card_ref, params: {} } },
      ticketId,
      groupId: null,
    })),
    now,
  );
  return cards.length;
}
