import type { TicketRow } from '../../db/schema';
import type { CommandName } from '../../domain/commands';
import { STATUS_NAMES, type TicketAction, type TicketStatus } from '../../domain/ticket';
import { ALLOWED_FROM } from '../../domain/ticket-machine';
import { templates } from '../../domain/templates';
import { ticketsWithSeq } from '../../repo/ticket-refs';
import { reply, type MessageContext } from '../context';
import { decideOn } from './shared';

/** The state-machine action a command takes, where it takes one: its ticket must be in a state that allows it. */
const ACTION_OF: Partial<Record<CommandName, TicketAction['kind']>> = {
  claim: 'claim',
  resolve: 'resolve',
  return: 'return',
  cohandle: 'add_co_departments',
  escalate: 'escalate_level',
  reassign: 'reassign',
  confirm: 'confirm',
  rate: 'rate',
  close: 'close',
  reopen: 'reopen',
  merge: 'merge',
};
/** /派单 also reassigns a ticket that already has a department. */
const statusesFor = (name: CommandName): readonly TicketStatus[] | null =>
  name === 'dispatch' ? ALLOWED_FROM.reassign : ACTION_OF[name] ? ALLOWED_FROM[ACTION_OF[name]!] : null;
/** Commands that only read: the newest candidate is answered (the reply names its full number). */
const READS: ReadonlySet<CommandName> = new Set(['status']);

export type ShortRefResult = { id: number | null } | { ambiguous: true };

/**
 * A short number (the day's sequence) names one ticket for this sender: among the tickets with
 * that sequence, those the rule table lets them act on, then those in a state the command can
 * move, then those of the chat it was sent in. A number still shared by several (yesterday's #1
 * and today's) is not guessed for a command that changes something: the sender is shown the
 * full numbers. Tickets the sender may not know of never count, so the answer reveals nothing.
 */
export async function resolveShortRef(ctx: MessageContext, name: CommandName, seq: number, usage: string): Promise<ShortRefResult> {
  const rows = await ticketsWithSeq(ctx.tx, seq);
  const allowed: TicketRow[] = [];
  const visible: TicketRow[] = [];
  for (const row of rows) {
    const verdict = await decideOn(ctx, name, row);
    if (verdict.ok) allowed.push(row);
    else if (verdict.reason !== 'hidden') visible.push(row);
  }
  const statuses = statusesFor(name);
  const fitting = statuses ? allowed.filter((r) => statuses.includes(r.status as TicketStatus)) : allowed;
  // With nothing the command could move, the newest one the sender knows answers (and the state
  // machine says why it cannot move), as a full number would.
  const choosing = fitting.length > 0 && !READS.has(name);
  let pool = fitting.length ? fitting : allowed.length ? allowed : visible;
  const groupId = ctx.group?.id;
  if (groupId && pool.some((r) => r.group_id === groupId)) pool = pool.filter((r) => r.group_id === groupId);
  if (pool.length === 0) return { id: null };
  if (pool.length === 1 || !choosing) return { id: pool[0]!.id };
  reply(ctx, templates.ambiguousShortRef(seq, pool.slice(0, 5).map((r) => ({ number: r.number, status: STATUS_NAMES[r.status as TicketStatus] })), usage));
  return { ambiguous: true };
}
