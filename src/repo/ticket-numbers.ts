import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { formatTicketNumber } from '../domain/ticket-number';

/*
 * Ticket numbers assigned at the end of a batch (issue 21).
 *
 * Numbers are gapless per day (GZ-YYYYMMDD-NNNN: the discipline commission reads a gap as a
 * deleted ticket), so the day's counter row is locked from the moment a number is taken until
 * commit. Taken at each new ticket, that lock made every batch wait for the one before it from its
 * first new ticket on (measured: ~5 of 8 connections waiting on `ticket_counters`). A batch that
 * defers its numbers inserts its new tickets under a placeholder and takes the counter once, for
 * all of them, just before its posts are written and it commits (`finish`).
 *
 * The placeholder is a token `⟦待编号:<nonce>:<n>⟧` in the number and day columns (seq 0, which
 * no short reference names), unique to the batch, so two batches' placeholders never meet in the
 * unique indexes. Whatever the batch renders from such a row — its replies, notices, cards, the
 * result handed back to the webhook — carries the token (and `…:短号⟧` where the short number is
 * shown) and `finish` returns the substitution that puts the real numbers in. The event log never
 * may hold a token (it is append-only): appendEvents refuses one.
 */

const TOKEN = /⟦待编号:([a-z]{12}):(\d+)(:短号)?⟧/g;

const nonce = () => Array.from({ length: 12 }, () => String.fromCharCode(97 + randomInt(26))).join('');

/** A placeholder ticket row's number and day columns carry this; its short number is `shortToken`. */
export const isPlaceholderDay = (day: string): boolean => day.startsWith('⟦待编号:');

/** The short-number token for a placeholder row (`day` is the row's placeholder). */
export const shortToken = (day: string): string => `${day.slice(0, -1)}:短号⟧`;

interface Reserved {
  token: string;
  day: string;
  prefix: string;
  receivedAt: Date;
  ticketId: number | null;
}

export interface Placeholder {
  /** For the number and day columns. */
  token: string;
  seq: 0;
}

export interface TicketNumbering {
  /** A placeholder for a ticket about to be inserted; `bind` it to the row once inserted. */
  reserve(t: { day: string; prefix: string; receivedAt: Date }): Placeholder;
  bind(p: Placeholder, ticketId: number): void;
  /** Before a savepoint: tickets reserved after it can be given back with `discard`. */
  mark(): number;
  /** After a rollback to the savepoint taken at `mark`: those tickets no longer exist. */
  discard(mark: number): void;
  /** Whether a text carries one of this transaction's placeholders. */
  carries(text: string): boolean;
  /**
   * Takes the numbers (one counter statement for all days, in day order) and sets them on the
   * tickets (one statement); returns the substitution for texts rendered from the placeholders.
   * The counter rows stay locked until commit: call it last.
   */
  finish(tx: Tx): Promise<(text: string) => string>;
}

/**
 * Takes `counts.get(day)` numbers for each day in one statement; returns each day's first. The
 * rows are taken in day order (one order for every caller, so two batches spanning the same two
 * days cannot deadlock) and stay locked until commit, which keeps the runs distinct and gapless.
 */
export async function takeTicketSeqs(tx: Tx, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const days = [...counts.keys()].sort();
  if (days.length === 0) return new Map();
  const rows = await tx
    .insertInto('ticket_counters')
    .values(days.map((day) => ({ day, last_seq: counts.get(day)! })))
    .onConflict((oc) => oc.column('day').doUpdateSet({ last_seq: sql`ticket_counters.last_seq + excluded.last_seq` }))
    .returning(['day', 'last_seq'])
    .execute();
  return new Map(rows.map((r) => [r.day, r.last_seq - counts.get(r.day)! + 1]));
}

/** Sets the numbers of tickets inserted under a placeholder, in one statement. */
export async function setTicketNumbers(tx: Tx, rows: Array<{ id: number; number: string; day: string; seq: number }>): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(rows.map((r) => sql`(${r.id}::integer, ${r.number}::text, ${r.day}::text, ${r.seq}::integer)`));
  await sql`update tickets as t set number = v.number, day = v.day, seq = v.seq from (values ${values}) as v(id, number, day, seq) where t.id = v.id`.execute(tx);
}

const deferred = new WeakMap<Tx, TicketNumbering>();

/** The numbering deferred to the end of this transaction, if its owner asked for one. */
export const deferredNumbering = (tx: Tx): TicketNumbering | undefined => deferred.get(tx);

/** Tickets opened in `tx` from now on are numbered when the owner calls `finish`, before commit. */
export function deferTicketNumbers(tx: Tx): TicketNumbering {
  const id = nonce();
  const reserved: Reserved[] = [];
  let next = 0;
  const numbering: TicketNumbering = {
    reserve(t) {
      const token = `⟦待编号:${id}:${next++}⟧`;
      reserved.push({ token, ...t, ticketId: null });
      return { token, seq: 0 };
    },
    bind(p, ticketId) {
      const r = reserved.find((x) => x.token === p.token);
      if (r) r.ticketId = ticketId;
    },
    mark: () => reserved.length,
    discard(mark) {
      reserved.length = Math.min(reserved.length, mark);
    },
    carries: (text) => reserved.length > 0 && text.includes(id),
    async finish(tx) {
      const tickets = reserved.filter((r): r is Reserved & { ticketId: number } => r.ticketId !== null);
      if (tickets.length === 0) return (text) => text;
      const counts = new Map<string, number>();
      for (const t of tickets) counts.set(t.day, (counts.get(t.day) ?? 0) + 1);
      const first = await takeTicketSeqs(tx, counts);
      const byToken = new Map<string, { number: string; seq: number }>();
      const rows = tickets.map((t) => {
        const seq = first.get(t.day)!;
        first.set(t.day, seq + 1);
        const number = formatTicketNumber(t.prefix, t.receivedAt, seq);
        byToken.set(t.token, { number, seq });
        return { id: t.ticketId, number, day: t.day, seq };
      });
      await setTicketNumbers(tx, rows);
      // Only this batch's own tokens are replaced: a text that merely looks like one is left as written.
      return (text) =>
        text.includes(id)
          ? text.replace(TOKEN, (whole, n: string, i: string, short?: string) => {
              const hit = n === id ? byToken.get(`⟦待编号:${n}:${i}⟧`) : undefined;
              return hit ? (short ? String(hit.seq) : hit.number) : whole;
            })
          : text;
    },
  };
  deferred.set(tx, numbering);
  return numbering;
}
