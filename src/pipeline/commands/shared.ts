import type { TicketRow } from '../../db/schema';
import type { Command, CommandName } from '../../domain/commands';
import { decide } from '../../domain/roles';
import { matchDepartment, suggestDepartments } from '../../domain/departments';
import type { TicketAction, TicketEventDraft } from '../../domain/ticket';
import { DEADLINE_RESTARTS } from '../../domain/ticket-history';
import { applyTicketAction } from '../../domain/ticket-machine';
import { templates, type TicketView } from '../../domain/templates';
import type { Category, IssueType, Urgency } from '../../domain/taxonomy';
import type { DepartmentRecord } from '../../repo/directory';
import { getTicket, lockTicket, rowToState, saveTicketState, ticketSupporterIds, ticketView } from '../../repo/tickets';
import { announce, reply, type MessageContext } from '../context';

/** A command's handler: runs only after the rule table allowed it; `ticket` is locked for the transaction. */
export type TicketHandler<C extends Command = Command> = (ctx: MessageContext, cmd: C, ticket: TicketRow) => Promise<void>;
export type PlainHandler<C extends Command = Command> = (ctx: MessageContext, cmd: C) => Promise<void>;

/**
 * The rule table's verdict on `name` for this sender and ticket: every ticket a command touches is
 * checked, the one it names and any other it reaches (a merge's target). 'hidden' must read as
 * not found.
 */
export async function decideOn(ctx: MessageContext, name: CommandName, row: TicketRow) {
  const access = {
    departmentId: row.department_id,
    coDepartmentIds: row.co_department_ids,
    requesterId: String(row.requester_id),
    supporterIds: (await ticketSupporterIds(ctx.tx, row.id)).map(String),
    isPrivate: row.is_private,
    groupId: row.group_id,
    regionId: row.region_id,
  };
  return decide(ctx.commandActor, name, { access, chatGroupId: ctx.group?.id ?? null });
}

/** The deadlines a department (re)made responsible now gets: the SLA policy from this moment. */
const restartedDueDates = (ctx: MessageContext, row: TicketRow) =>
  ctx.deps.sla.dueDates({ type: row.type as IssueType, category: row.category as Category, urgency: row.urgency as Urgency }, ctx.now);

/**
 * Deadlines restart whenever a department is (re)made responsible. The restarting event
 * (transition) states the same values, so `audit verify` can hold the row to them.
 */
export async function restartDeadlines(ctx: MessageContext, row: TicketRow): Promise<TicketRow> {
  const { signDueAt, resolveDueAt } = restartedDueDates(ctx, row);
  return ctx.tx
    .updateTable('tickets')
    .set({ sign_due_at: signDueAt, resolve_due_at: resolveDueAt })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Whether the state machine's events restart the deadlines (a 派单, 转派, 提级 or 重办). */
export const restartsDeadlines = (events: readonly TicketEventDraft[]): boolean => events.some((e) => DEADLINE_RESTARTS.has(e.kind));

/**
 * The events with each restarting one stating the deadlines the caller sets on the row with it,
 * so `audit verify` can hold the row to them (a command's transition, a 协同办's move of its members).
 */
export function stateDeadlines(events: readonly TicketEventDraft[], due: { signDueAt: Date; resolveDueAt: Date }): TicketEventDraft[] {
  return events.map((e) => (DEADLINE_RESTARTS.has(e.kind) ? { ...e, data: { ...e.data, signDueAt: due.signDueAt.toISOString(), resolveDueAt: due.resolveDueAt.toISOString() } } : e));
}

export interface Transitioned {
  before: TicketRow;
  row: TicketRow;
  view: TicketView;
}

/** Validate in the state machine → save state and events. Access was checked by the dispatcher. */
export async function transition(ctx: MessageContext, ticketId: number, makeAction: (row: TicketRow) => TicketAction | string): Promise<Transitioned | null> {
  const before = await lockTicket(ctx.tx, ticketId);
  if (!before) return null;
  const action = makeAction(before);
  if (typeof action === 'string') {
    reply(ctx, templates.refused(action));
    return null;
  }
  const result = applyTicketAction(rowToState(before), action, ctx.actor, ctx.now);
  if (!result.ok) {
    const view = await ticketView(ctx.tx, before);
    reply(ctx, result.code === 'already_claimed' && before.assignee_id !== ctx.actor.id ? templates.alreadyClaimed(view) : `${before.number} ${templates.refused(result.message)}`);
    return null;
  }
  // A dispatch, reassignment, escalation or reopening restarts the deadlines (restartDeadlines,
  // which the handler calls next, computes the same from the same facts and instant): its event
  // states them, so the history speaks for the row's deadlines.
  const events = restartsDeadlines(result.events) ? stateDeadlines(result.events, restartedDueDates(ctx, before)) : result.events;
  await saveTicketState(ctx.tx, before, result.state, events, ctx.now);
  const row = (await getTicket(ctx.tx, ticketId))!;
  return { before, row, view: await ticketView(ctx.tx, row) };
}

/**
 * The requester to @-mention in a post about their ticket: only a chat user of the ticket's own
 * platform. Report-page users have no chat account (and their id must never appear in a post).
 */
export async function requesterMention(ctx: MessageContext, row: TicketRow): Promise<string[]> {
  const r = await ctx.tx.selectFrom('requesters').select(['platform', 'user_id']).where('id', '=', row.requester_id).executeTakeFirst();
  return r && r.platform !== 'web' && r.platform === row.origin_platform ? [r.user_id] : [];
}

export const platformOf = (ctx: MessageContext) => ctx.group?.platform ?? ctx.msg.platform;

export async function announceOrReply(ctx: MessageContext, row: TicketRow, text: string, mentions: string[] = []): Promise<void> {
  if (!(await announce(ctx, row, text, { mentions }))) reply(ctx, text, { ticketId: row.id });
}

/**
 * The department a staff member names. A county's 营商办 sends tickets only to departments of its
 * county and below (lifting one to the city is /提级); another county's department reads as unknown.
 */
export function findDepartment(ctx: MessageContext, departments: DepartmentRecord[], name: string): DepartmentRecord | null {
  const scope = ctx.staff ? ctx.deps.directory.scopeOf(ctx.staff) : null;
  const reachable = scope?.kind === 'regions' ? departments.filter((d) => scope.departmentIds.includes(d.id)) : departments;
  const d = matchDepartment(reachable, name);
  if (!d) reply(ctx, templates.unknownDepartment(name, suggestDepartments(reachable, name).map((x) => x.name)));
  return d;
}

/** The parsed command of one name (several names share a shape in the parser's union). */
export type CommandOf<N extends Command['name']> = Command extends infer C ? (C extends { name: infer M } ? (N extends M ? Omit<C, 'name'> & { name: N } : never) : never) : never;
