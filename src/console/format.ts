import { formatChinaDateTime } from '../domain/china-time';
import { STATUS_NAMES, type TicketStatus } from '../domain/ticket';

export const when = (d: Date | null | undefined): string => (d ? formatChinaDateTime(d) : '—');
export const percent = (r: number | null): string => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
export const statusName = (s: string): string => STATUS_NAMES[s as TicketStatus] ?? s;
export const excerpt = (text: string, n = 48): string => (text.length > n ? `${text.slice(0, n)}…` : text);
