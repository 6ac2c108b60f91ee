import { routingFor } from '../../domain/regions';
import { COMMAND_SPECS, type Command } from '../../domain/commands';
import { routeTicket } from '../../domain/routing';
import { isOpen, type TicketStatus } from '../../domain/ticket';
import { templates } from '../../domain/templates';
import { matchCategory, matchIssueType, type IssueType, type Urgency } from '../../domain/taxonomy';
import { recordLabelledExample } from '../../repo/labelled';
import { listDepartments } from '../../repo/directory';
import { addSupporter, appendEvents, findTicketIdByNumber, getTicket, lockTicket, ticketSupporterIds, ticketView } from '../../repo/tickets';
import { reply } from '../context';
import { resolveShortRef } from './short-ref';
import { announceOrReply, decideOn, findDepartment, platformOf, requesterMention, restartDeadlines, transition, type CommandOf, type TicketHandler } from './shared';

type Cmd<N extends Command['name']> = CommandOf<N>;

/** /派单 and /转派: a ticket already with a department is reassigned either way. */
export const dispatchOrReassign: TicketHandler<Cmd<'dispatch' | 'reassign'>> = async (ctx, cmd, ticket) => {
  const departments = await listDepartments(ctx.tx);
  const dept = findDepartment(ctx, departments, cmd.department);
  if (!dept) return;
  const t = await transition(ctx, ticket.id, (row) =>
    cmd.name === 'dispatch' && (row.status === 'received' || row.status === 'returned')
      ? { kind: 'dispatch', departmentId: dept.id }
      : { kind: 'reassign', departmentId: dept.id, reason: cmd.reason },
  );
  if (!t) return;
  if (t.before.status === 'received') {
    // A person at 营商办 routing a ticket from the manual queue confirms it is an issue: a label for online learning.
    await recordLabelledExample(
      ctx.tx,
      { text: t.before.content, isIssue: true, category: t.before.category, type: t.before.type, source: 'dispatch', ticketId: ticket.id, actorId: ctx.actor.id },
      ctx.now,
    );
  }
  const row = await restartDeadlines(ctx, t.row);
  const view = await ticketView(ctx.tx, row);
  const fromName = departments.find((d) => d.id === t.before.department_id)?.name ?? null;
  const text = t.before.department_id ? templates.reassigned(view, fromName, cmd.reason) : templates.dispatchNotice(view);
  await announceOrReply(ctx, row, text, ctx.deps.directory.departmentAccounts(dept.id, platformOf(ctx)));
};

export const close: TicketHandler<Cmd<'close'>> = async (ctx, cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'close', reason: 'invalid', note: cmd.reason }));
  if (!t) return;
  if (/非诉求|不是诉求|闲聊|误报/.test(cmd.reason)) {
    await recordLabelledExample(ctx.tx, { text: t.before.content, isIssue: false, category: null, type: null, source: 'not_issue', ticketId: ticket.id, actorId: ctx.actor.id }, ctx.now);
  }
  await announceOrReply(ctx, t.row, templates.closed(t.view, cmd.reason));
};

export const recategorize: TicketHandler<Cmd<'recategorize'>> = async (ctx, cmd, row) => {
  const ticketId = row.id;
  const category = matchCategory(cmd.category);
  const type = cmd.type ? matchIssueType(cmd.type) : null;
  if (!category || (cmd.type && !type)) {
    reply(ctx, templates.refused(`不认识的${category ? '类型' : '类别'}“${category ? cmd.type : cmd.category}”，类别如 水电气暖网、拖欠账款，类型如 求助、投诉`));
    return;
  }
  const updated = await ctx.tx.updateTable('tickets').set({ category, type: type ?? row.type, updated_at: ctx.now }).where('id', '=', ticketId).returningAll().executeTakeFirstOrThrow();
  await appendEvents(ctx.tx, ticketId, [
    { kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { recategorized: { from: { category: row.category, type: row.type }, to: { category, type: updated.type } } } },
  ]);
  await recordLabelledExample(ctx.tx, { text: row.content, isIssue: true, category, type: updated.type, source: 'recategorize', ticketId, actorId: ctx.actor.id }, ctx.now);
  if (row.status !== 'received') {
    reply(ctx, templates.recategorized(await ticketView(ctx.tx, updated)), { ticketId });
    return;
  }
  // From the manual queue: the corrected category routes the ticket straight away.
  // The ticket's own region routes it (a county's 营商办 and departments), not the sender's group.
  const routing = routingFor(ctx.deps.config.routing, ctx.deps.config.regions ?? [], ctx.deps.directory.org, row.region_id ?? ctx.deps.directory.org.root.id);
  const route = routeTicket(routing, { category, type: updated.type as IssueType, urgency: updated.urgency as Urgency, text: row.content, region: ctx.group?.region ?? undefined });
  const t = await transition(ctx, ticketId, () => ({ kind: 'dispatch', departmentId: route.departmentId }));
  if (!t) return;
  const dispatched = await restartDeadlines(ctx, t.row);
  await announceOrReply(ctx, dispatched, templates.dispatchNotice(await ticketView(ctx.tx, dispatched)), ctx.deps.directory.departmentAccounts(route.departmentId, platformOf(ctx)));
};

export const merge: TicketHandler<Cmd<'merge'>> = async (ctx, cmd, ticket) => {
  const ticketId = ticket.id;
  const shown = cmd.into.kind === 'full' ? cmd.into.number : String(cmd.into.seq);
  let intoId: number | null;
  if (cmd.into.kind === 'full') intoId = await findTicketIdByNumber(ctx.tx, cmd.into.number);
  else {
    const r = await resolveShortRef(ctx, 'merge', cmd.into.seq, COMMAND_SPECS.find((c) => c.name === 'merge')!.usage);
    if ('ambiguous' in r) return;
    intoId = r.id;
  }
  if (intoId === null) {
    reply(ctx, templates.ticketNotFound(shown));
    return;
  }
  if (intoId === ticketId) {
    reply(ctx, templates.refused('不能把工单合并到它自己'));
    return;
  }
  // Lock both in id order so two opposite merges cannot deadlock.
  const [first, second] = ticketId < intoId ? [ticketId, intoId] : [intoId, ticketId];
  await lockTicket(ctx.tx, first);
  await lockTicket(ctx.tx, second);
  const into = (await getTicket(ctx.tx, intoId))!;
  // The target is a ticket the sender acts on as much as the merged one: outside their reach it
  // does not exist (the same reply, nothing written), so numbers cannot be walked for status.
  const verdict = await decideOn(ctx, 'merge', into);
  if (!verdict.ok) {
    reply(ctx, verdict.reason === 'hidden' ? templates.ticketNotFound(shown) : templates.refused(verdict.message));
    return;
  }
  if (into.is_private && !ticket.is_private) {
    // Its requester would follow a one-to-one report, and the group would hear its number.
    reply(ctx, templates.refused(`${into.number} 是一对一反映的诉求，不能作为群内工单的合并目标`));
    return;
  }
  if (!isOpen(into.status as TicketStatus)) {
    reply(ctx, templates.refused(`${into.number} 已办结或已合并，不能作为合并目标`));
    return;
  }
  const t = await transition(ctx, ticketId, () => ({ kind: 'merge', intoId, intoNumber: into.number }));
  if (!t) return;
  // The merged ticket's requester and supporters follow the surviving ticket.
  for (const rid of [t.row.requester_id, ...(await ticketSupporterIds(ctx.tx, ticketId))]) {
    if (rid !== into.requester_id) await addSupporter(ctx.tx, intoId, rid);
  }
  await appendEvents(ctx.tx, intoId, [{ kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { mergedFrom: t.row.number } }]);
  await announceOrReply(ctx, t.row, templates.merged(t.view, into.number), await requesterMention(ctx, t.row));
};
