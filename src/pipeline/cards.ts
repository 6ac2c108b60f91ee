import { CATEGORY_NAMES } from '../domain/taxonomy';
import { STATUS_NAMES } from '../domain/ticket';
import { postedContent, type TicketView } from '../domain/templates';
import type { Db } from '../db/database';
import type { OutboundMessage } from '../domain/message';
import { cardByRef, recordCard, setCardParams } from '../repo/ticket-cards';
import { getTicket, ticketView } from '../repo/tickets';

export const cardTrackId = (ticketId: number) => `gz-ticket-${ticketId}`;

export function ticketIdFromTrackId(outTrackId: string): number | null {
  const m = /^gz-ticket-(\d+)$/.exec(outTrackId);
  return m ? Number(m[1]) : null;
}

/** The card's variables (the template in DingTalk's card builder uses these names). */
export function ticketCardParams(t: TicketView): Record<string, string> {
  return {
    number: t.number,
    content: postedContent(t, 200),
    category: CATEGORY_NAMES[t.category],
    department: t.departmentName ?? '待分派',
    status: STATUS_NAMES[t.status],
    assignee: t.assigneeName ?? '',
  };
}

export const ticketCard = (t: TicketView, ticketId: number) => ({ outTrackId: cardTrackId(ticketId), params: ticketCardParams(t) });

/*
 * Live cards, for every platform alike.
 *
 * 1. A post whose payload has a `card` goes to the platform adapter as usual. When the adapter
 *    really delivered an updatable card it answers `{ ok: true, card: { ref } }` (DingTalk: the
 *    outTrackId; WeCom: whatever its update call needs); the drainer records it in ticket_cards.
 * 2. Every event appended to a ticket (typed command, card click, console, report page, sweep)
 *    enqueues, in the same transaction, one post `{ target: { kind: 'card', chatId, ref } }` per
 *    recorded card of that ticket (repo/tickets appendEvents → enqueueCardUpdates).
 * 3. The drainer renders the card from the ticket as it is at delivery (`prepareCardPost`), so a
 *    card never shows an older state than the database, and skips the call when the card already
 *    shows it. The adapter performs the update for `target.kind === 'card'`.
 * A platform joins by returning `card` from its sender and handling the `card` target.
 */

export interface PreparedPost {
  message: OutboundMessage;
  /** Set for card posts: what the card will show once sent. */
  params?: Record<string, string>;
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** A post's card rendered now; null when it is a card update with nothing new to show. */
export async function prepareCardPost(db: Db, post: { message: OutboundMessage; ticketId: number | null }): Promise<PreparedPost | null> {
  const { message } = post;
  if (!message.payload.card || post.ticketId === null) return message.target.kind === 'card' ? null : { message };
  const row = await getTicket(db, post.ticketId);
  if (!row) return message.target.kind === 'card' ? null : { message };
  const params = ticketCardParams(await ticketView(db, row));
  if (message.target.kind === 'card') {
    const card = await cardByRef(db, message.platform, message.target.ref);
    if (!card || sameParams(card.lastParams, params)) return null;
  }
  return { message: { ...message, payload: { ...message.payload, card: { ...message.payload.card, params } } }, params };
}

/** After a successful send: remember a newly delivered card, or what an updated one shows now. */
export async function afterCardSent(db: Db, post: { ticketId: number | null }, prepared: PreparedPost, result: { card?: { ref: string } }, now: Date): Promise<void> {
  const { message, params } = prepared;
  if (!params || post.ticketId === null) return;
  const t = message.target;
  if (t.kind === 'card') return setCardParams(db, message.platform, t.ref, params, now);
  if (result.card) {
    const chatId = t.kind === 'direct' ? t.userId : t.chatId;
    await recordCard(db, { ticketId: post.ticketId, platform: message.platform, chatId, ref: result.card.ref, params }, now);
  }
}

/**
 * Whether a button click in a chat may act on a ticket: its card went to that chat. Cards are
 * posted to the ticket's own group only (never a private report's), so the ticket must be a
 * public one whose group is this chat on this platform. A click naming any other ticket (a card
 * copied elsewhere, a forged key) does nothing: acting on it would run another chat's ticket
 * from here and answer about it where its participants are not.
 */
export function clickMayAct(
  ticket: { is_private: boolean; group_id: string | null },
  click: { platform: string; chatType: 'group' | 'direct'; chatId: string },
  groups: ReadonlyArray<{ id: string; platform: string; chatId: string }>,
): boolean {
  if (click.chatType !== 'group' || ticket.is_private || !ticket.group_id) return false;
  const group = groups.find((g) => g.id === ticket.group_id);
  return !!group && group.platform === click.platform && group.chatId === click.chatId;
}

export const FOREIGN_CARD_NOTICE = '这张卡片对应的工单不属于本群，未作任何处理。请在工单所在的群里操作，或发送“/进度 工单编号”查询。';
