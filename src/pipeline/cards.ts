import { CATEGORY_NAMES } from '../domain/taxonomy';
import { STATUS_NAMES } from '../domain/ticket';
import { maskedExcerpt } from '../domain/mask';
import type { TicketView } from '../domain/templates';

export const cardTrackId = (ticketId: number) => `gz-ticket-${ticketId}`;

export function ticketIdFromTrackId(outTrackId: string): number | null {
  const m = /^gz-ticket-(\d+)$/.exec(outTrackId);
  return m ? Number(m[1]) : null;
}

/** The card's variables (the template in DingTalk's card builder uses these names). */
export function ticketCardParams(t: TicketView): Record<string, string> {
  return {
    number: t.number,
    content: maskedExcerpt(t.content, 200),
    category: CATEGORY_NAMES[t.category],
    department: t.departmentName ?? '待分派',
    status: STATUS_NAMES[t.status],
    assignee: t.assigneeName ?? '',
  };
}

export const ticketCard = (t: TicketView, ticketId: number) => ({ outTrackId: cardTrackId(ticketId), params: ticketCardParams(t) });
