import type { Command, CommandName } from '../../domain/commands';
import { COMMAND_SPECS } from '../../domain/commands';
import { COMMAND_RULES, decide, type CommandRule } from '../../domain/roles';
import { findTicketNumbers, type TicketRef } from '../../domain/ticket-number';
import { templates } from '../../domain/templates';
import { findTicketIdByNumber, lockTicket } from '../../repo/tickets';
import { reply, type MessageContext } from '../context';
import { approveExtension, approvePause, extend, supplement } from './deadlines';
import { close, dispatchOrReassign, merge, recategorize } from './dispatching';
import { second, publish, status } from './enterprise';
import { claim, cohandle, confirm, escalate, rate, reopen, resolve, returnTicket } from './handling';
import { help, mine, queue } from './lists';
import { resolveShortRef } from './short-ref';
import { decideOn, type CommandOf, type PlainHandler, type TicketHandler } from './shared';

type Entry<N extends CommandName> = { rule: CommandRule } & (
  | { ticket: false; run: PlainHandler<CommandOf<N>> }
  | { ticket: true; run: TicketHandler<CommandOf<N>> }
);

const plain = <N extends CommandName>(name: N, run: PlainHandler<CommandOf<N>>): Entry<N> => ({ rule: COMMAND_RULES[name], ticket: false, run });
const onTicket = <N extends CommandName>(name: N, run: TicketHandler<CommandOf<N>>): Entry<N> => ({ rule: COMMAND_RULES[name], ticket: true, run });

/** Every command's rule (from the one table in src/domain/roles.ts) next to its handler. */
export const COMMANDS: { [N in CommandName]: Entry<N> } = {
  help: plain('help', help),
  mine: plain('mine', mine),
  queue: plain('queue', queue),
  status: onTicket('status', status),
  second: onTicket('second', second),
  rate: onTicket('rate', rate),
  publish: onTicket('publish', publish),
  supplement: onTicket('supplement', supplement),
  claim: onTicket('claim', claim),
  resolve: onTicket('resolve', resolve),
  return: onTicket('return', returnTicket),
  cohandle: onTicket('cohandle', cohandle),
  escalate: onTicket('escalate', escalate),
  extend: onTicket('extend', extend),
  dispatch: onTicket('dispatch', dispatchOrReassign),
  reassign: onTicket('reassign', dispatchOrReassign),
  approve_extension: onTicket('approve_extension', approveExtension),
  approve_pause: onTicket('approve_pause', approvePause),
  confirm: onTicket('confirm', confirm),
  merge: onTicket('merge', merge),
  close: onTicket('close', close),
  reopen: onTicket('reopen', reopen),
  recategorize: onTicket('recategorize', recategorize),
};

const usageOf = (name: CommandName) => COMMAND_SPECS.find((s) => s.name === name)!.usage;
const refText = (ref: TicketRef) => (ref.kind === 'full' ? ref.number : String(ref.seq));

/** The ticket a command names, or the one its message quotes; null when there is none to name. */
async function resolveTicket(ctx: MessageContext, name: CommandName, ref: TicketRef | null): Promise<{ id: number | null; shown: string } | null> {
  if (ref?.kind === 'full') return { id: await findTicketIdByNumber(ctx.tx, ref.number), shown: ref.number };
  if (ref) {
    const r = await resolveShortRef(ctx, name, ref.seq, usageOf(name));
    return 'ambiguous' in r ? null : { id: r.id, shown: refText(ref) };
  }
  const quoted = ctx.msg.quotedText ? findTicketNumbers(ctx.msg.quotedText)[0] : undefined;
  if (!quoted) {
    reply(ctx, templates.needTicketRef(usageOf(name)));
    return null;
  }
  return { id: await findTicketIdByNumber(ctx.tx, quoted), shown: quoted };
}

/**
 * Runs one command: the rule table decides before any handler runs. A ticket the sender may
 * not know of gets the very reply a missing one gets. Returns the ticket's id once allowed.
 */
export async function handleCommand(ctx: MessageContext, cmd: Command): Promise<number | null> {
  const role = decide(ctx.commandActor, cmd.name);
  if (!role.ok) {
    reply(ctx, templates.refused(role.message));
    return null;
  }
  const entry = COMMANDS[cmd.name] as Entry<CommandName>;
  if (!entry.ticket) {
    await (entry.run as PlainHandler)(ctx, cmd);
    return null;
  }
  const found = await resolveTicket(ctx, cmd.name, 'ref' in cmd ? cmd.ref : null);
  if (!found) return null;
  const row = found.id === null ? null : await lockTicket(ctx.tx, found.id);
  const verdict = row ? await decideOn(ctx, cmd.name, row) : null;
  if (!row || !verdict || (!verdict.ok && verdict.reason === 'hidden')) {
    reply(ctx, templates.ticketNotFound(found.shown));
    return null;
  }
  if (!verdict.ok) {
    reply(ctx, templates.refused(verdict.message));
    return row.id;
  }
  if (row.is_private && ctx.msg.chatType === 'group' && !ctx.replies) {
    // Staff may act on a private (one-to-one) report from a group chat, but nothing about it
    // is said there: the handler answers the sender one-to-one, and the group hears only that.
    const direct: MessageContext = { ...ctx, msg: { ...ctx.msg, chatType: 'direct', chatId: ctx.msg.sender.userId, reply: undefined } };
    await (entry.run as TicketHandler)(direct, cmd, row);
    reply(ctx, templates.answeredPrivately());
    return row.id;
  }
  await (entry.run as TicketHandler)(ctx, cmd, row);
  return row.id;
}
