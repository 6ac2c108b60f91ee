import { chinaDateCompact } from './china-time';

/** GZ-20261123-0007: prefix, the China date of receipt, and that day's sequence. */
export function formatTicketNumber(prefix: string, receivedAt: Date, seq: number): string {
  return `${prefix}-${chinaDateCompact(receivedAt)}-${String(seq).padStart(4, '0')}`;
}

export type TicketRef = { kind: 'full'; number: string } | { kind: 'short'; seq: number };

const FULL = /^([A-Za-z]{1,8})-?(\d{8})-?(\d{1,6})$/;
const SHORT = /^#?(\d{1,6})$/;

/**
 * What people type for a ticket: the full number (any case, dashes optional) or the short
 * daily sequence ("7", "0007", "#7"). Short references are resolved against recent tickets.
 */
export function parseTicketRef(input: string): TicketRef | null {
  const s = input.trim().replace(/[＃]/g, '#');
  const full = FULL.exec(s);
  if (full) {
    const [, prefix, day, seq] = full;
    return { kind: 'full', number: `${prefix!.toUpperCase()}-${day}-${seq!.padStart(4, '0')}` };
  }
  const short = SHORT.exec(s);
  if (short) {
    const seq = Number(short[1]);
    return seq > 0 ? { kind: 'short', seq } : null;
  }
  return null;
}

/** Finds ticket numbers quoted inside a message, e.g. a reply to the bot's dispatch notice. */
export function findTicketNumbers(text: string): string[] {
  return [...text.matchAll(/\b([A-Z]{1,8}-\d{8}-\d{4,6})\b/g)].map((m) => m[1]!);
}
