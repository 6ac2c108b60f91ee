import type { TicketRow } from '../db/schema';
import type { Command, CommandName } from '../domain/commands';
import { COMMAND_SPECS } from '../domain/commands';
import { matchDepartment, suggestDepartments } from '../domain/departments';
import { authorize } from '../domain/roles';
import { isOpen, type TicketAction, type TicketStatus } from '../domain/ticket';
import { applyTicketAction } from '../domain/ticket-machine';
import { findTicketNumbers, type TicketRef } from '../domain/ticket-number';
import { templates, type TicketView } from '../domain/templates';
import { matchCategory, matchIssueType, type Category, type IssueType, type Urgency } from '../domain/taxonomy';
import { routeTicket } from '../domain/routing';
import { recordLabelledExample } from '../repo/labelled';
import { getGroup, listDepartments, type DepartmentRecord, type GroupRecord } from '../repo/directory';
import {
  addSupporter,
  appendEvents,
  findTicketIdByNumber,
  findTicketIdByRef,
  getTicket,
  listTickets,
  lockTicket,
  rowToState,
  saveTicketState,
  ticketEvents,
  ticketSupporterIds,
  ticketView,
} from '../repo/tickets';
import { announce, reply, type MessageContext } from './context';

const usageOf = (name: CommandName) => COMMAND_SPECS.find((s) => s.name === name)!.usage;
const refText = (ref: TicketRef) => (ref.kind === 'full' ? ref.number : String(ref.seq));

async function resolveTicketId(ctx: MessageContext, name: CommandName, ref: TicketRef | null): Promise<number | null> {
  if (ref) {
    const id = await findTicketIdByRef(ctx.tx, ref, ctx.group?.id ?? null);
    if (id === null) reply(ctx, templates.ticketNotFound(refText(ref)));
    return id;
  }
  const quoted = ctx.msg.quotedText ? findTicketNumbers(ctx.msg.quotedText)[0] : undefined;
  const id = quoted ? await findTicketIdByNumber(ctx.tx, quoted) : null;
  if (id === null) reply(ctx, quoted ? templates.ticketNotFound(quoted) : templates.needTicketRef(usageOf(name)));
  return id;
}


async function checkAccess(ctx: MessageContext, name: CommandName, row: TicketRow): Promise<boolean> {
  const refusal = authorize(ctx.commandActor, name, {
    departmentId: row.department_id,
    coDepartmentIds: row.co_department_ids,
    requesterId: String(row.requester_id),
    supporterIds: (await ticketSupporterIds(ctx.tx, row.id)).map(String),
  });
  if (refusal) reply(ctx, templates.refused(refusal));
  return refusal === null;
}

/** Deadlines restart whenever a department is (re)made responsible. */
async function restartDeadlines(ctx: MessageContext, row: TicketRow): Promise<TicketRow> {
  const { signDueAt, resolveDueAt } = ctx.deps.sla.dueDates(
    { type: row.type as IssueType, category: row.category as Category, urgency: row.urgency as Urgency },
    ctx.now,
  );
  return ctx.tx
    .updateTable('tickets')
    .set({ sign_due_at: signDueAt, resolve_due_at: resolveDueAt })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

interface Transitioned {
  before: TicketRow;
  row: TicketRow;
  view: TicketView;
}

/** Lock → check role and department → validate in the state machine → save state and events. */
async function transition(
  ctx: MessageContext,
  name: CommandName,
  ticketId: number,
  makeAction: (row: TicketRow) => TicketAction | string,
): Promise<Transitioned | null> {
  const before = await lockTicket(ctx.tx, ticketId);
  if (!before) return null;
  if (!(await checkAccess(ctx, name, before))) return null;
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
  await saveTicketState(ctx.tx, before, result.state, result.events, ctx.now);
  const row = (await getTicket(ctx.tx, ticketId))!;
  return { before, row, view: await ticketView(ctx.tx, row) };
}

async function requesterMention(ctx: MessageContext, row: TicketRow): Promise<string[]> {
  const r = await ctx.tx.selectFrom('requesters').select(['platform', 'user_id']).where('id', '=', row.requester_id).executeTakeFirst();
  return r && r.platform === row.origin_platform ? [r.user_id] : [];
}

const platformOf = (ctx: MessageContext) => ctx.group?.platform ?? ctx.msg.platform;

async function announceOrReply(ctx: MessageContext, row: TicketRow, text: string, mentions: string[] = []): Promise<void> {
  if (!(await announce(ctx, row, text, { mentions }))) reply(ctx, text, { ticketId: row.id });
}

function findDepartment(ctx: MessageContext, departments: DepartmentRecord[], name: string): DepartmentRecord | null {
  const d = matchDepartment(departments, name);
  if (!d) reply(ctx, templates.unknownDepartment(name, suggestDepartments(departments, name).map((x) => x.name)));
  return d;
}

async function listFor(ctx: MessageContext, name: 'mine' | 'queue'): Promise<void> {
  const { tx } = ctx;
  let rows: TicketRow[];
  let title: string;
  if (ctx.staff && name === 'mine') {
    rows = await listTickets(tx, { assigneeId: ctx.staff.id, openOnly: true });
    title = '我承办的未办结工单';
  } else if (ctx.staff && ctx.staff.departmentId && ctx.staff.role !== 'supervisor' && ctx.staff.role !== 'admin') {
    rows = await listTickets(tx, { departmentId: ctx.staff.departmentId, openOnly: true });
    title = '本单位待办工单';
  } else if (ctx.staff) {
    rows = await listTickets(tx, { openOnly: true });
    title = '全部未办结工单';
  } else {
    rows = await listTickets(tx, { requesterId: ctx.requester!.id, openOnly: false, limit: 20 });
    title = '我提出或附议的工单';
  }
  const views = await Promise.all(rows.map((r) => ticketView(tx, r)));
  reply(ctx, templates.list(title, views));
}

/** The group this enterprise last wrote in on the same platform: where a private report is published. */
async function lastGroupOf(ctx: MessageContext): Promise<GroupRecord | null> {
  const last = await ctx.tx
    .selectFrom('inbound_messages')
    .select('chat_id')
    .where('platform', '=', ctx.msg.platform)
    .where('sender_id', '=', ctx.msg.sender.userId)
    .where('chat_type', '=', 'group')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const g = await ctx.tx.selectFrom('groups').select('id').where('platform', '=', ctx.msg.platform).where('chat_id', '=', last.chat_id).executeTakeFirst();
  return g ? getGroup(ctx.tx, g.id) : null;
}

export async function handleCommand(ctx: MessageContext, cmd: Command): Promise<number | null> {
  const refusal = authorize(ctx.commandActor, cmd.name);
  if (refusal) {
    reply(ctx, templates.refused(refusal));
    return null;
  }
  switch (cmd.name) {
    case 'help':
      reply(ctx, templates.help(ctx.commandActor.role));
      return null;
    case 'mine':
    case 'queue':
      await listFor(ctx, cmd.name);
      return null;
  }

  const ticketId = await resolveTicketId(ctx, cmd.name, cmd.ref);
  if (ticketId === null) return null;
  const platform = platformOf(ctx);

  switch (cmd.name) {
    case 'status': {
      const row = await getTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'status', row))) return ticketId;
      reply(ctx, templates.status(await ticketView(ctx.tx, row)), { ticketId });
      return ticketId;
    }
    case 'second': {
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row) return null;
      if (row.requester_id === ctx.requester!.id) {
        reply(ctx, `${row.number} 是您提出的诉求，无需附议。`);
        return ticketId;
      }
      if (!isOpen(row.status as TicketStatus)) {
        reply(ctx, `${row.number} 已办结，如问题仍存在请重新描述，我会登记新工单。`);
        return ticketId;
      }
      if (await addSupporter(ctx.tx, ticketId, ctx.requester!.id)) {
        await appendEvents(ctx.tx, ticketId, [
          { kind: 'supporter_added', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { requesterId: ctx.requester!.id } },
        ]);
      }
      reply(ctx, templates.seconded(await ticketView(ctx.tx, row)), { ticketId });
      return ticketId;
    }
    case 'claim': {
      const t = await transition(ctx, 'claim', ticketId, () => ({ kind: 'claim' }));
      if (t) await announceOrReply(ctx, t.row, templates.claimed(t.view));
      return ticketId;
    }
    case 'resolve': {
      const t = await transition(ctx, 'resolve', ticketId, () => ({ kind: 'resolve', summary: cmd.summary }));
      if (!t) return ticketId;
      if (t.row.status === 'awaiting_confirmation') {
        await announceOrReply(ctx, t.row, templates.resolutionSubmitted(t.view), ctx.deps.directory.roleAccounts('dispatcher', platform));
      } else {
        await announceOrReply(ctx, t.row, templates.resolved(t.view), await requesterMention(ctx, t.row));
      }
      return ticketId;
    }
    case 'confirm': {
      const t = await transition(ctx, 'confirm', ticketId, () => ({ kind: 'confirm' }));
      if (t) await announceOrReply(ctx, t.row, templates.resolved(t.view), await requesterMention(ctx, t.row));
      return ticketId;
    }
    case 'dispatch':
    case 'reassign': {
      const departments = await listDepartments(ctx.tx);
      const dept = findDepartment(ctx, departments, cmd.department);
      if (!dept) return ticketId;
      const t = await transition(ctx, cmd.name, ticketId, (row) =>
        cmd.name === 'dispatch' && row.status !== 'received' && row.status !== 'returned'
          ? { kind: 'reassign', departmentId: dept.id, reason: cmd.reason }
          : cmd.name === 'dispatch'
            ? { kind: 'dispatch', departmentId: dept.id }
            : { kind: 'reassign', departmentId: dept.id, reason: cmd.reason },
      );
      if (!t) return ticketId;
      if (t.before.status === 'received') {
        // A dispatcher routing a low-confidence ticket is a label: keep it when the department implies one category.
        const categories = Object.entries(ctx.deps.config.routing.categories).filter(([, d]) => d === dept.id).map(([c]) => c);
        if (categories.length === 1) {
          await recordLabelledExample(ctx.tx, { text: t.before.content, isIssue: true, category: categories[0]!, type: t.before.type, source: 'dispatch', ticketId, actorId: ctx.actor.id }, ctx.now);
        }
      }
      const row = await restartDeadlines(ctx, t.row);
      const view = await ticketView(ctx.tx, row);
      const fromName = departments.find((d) => d.id === t.before.department_id)?.name ?? null;
      const text = t.before.department_id ? templates.reassigned(view, fromName, cmd.reason) : templates.dispatchNotice(view);
      await announceOrReply(ctx, row, text, ctx.deps.directory.departmentAccounts(dept.id, platform));
      return ticketId;
    }
    case 'escalate': {
      const departments = await listDepartments(ctx.tx);
      const t = await transition(ctx, 'escalate', ticketId, (row) => {
        const parent = departments.find((d) => d.id === row.department_id)?.parentId;
        return parent ? { kind: 'escalate_level', departmentId: parent } : '承办单位没有配置上级单位，无法提级，请联系营商办';
      });
      if (!t) return ticketId;
      const row = await restartDeadlines(ctx, t.row);
      const fromName = departments.find((d) => d.id === t.before.department_id)?.name ?? null;
      await announceOrReply(ctx, row, templates.escalatedLevel(await ticketView(ctx.tx, row), fromName), ctx.deps.directory.departmentAccounts(row.department_id!, platform));
      return ticketId;
    }
    case 'return': {
      const t = await transition(ctx, 'return', ticketId, () => ({ kind: 'return', reason: cmd.reason }));
      if (t) await announceOrReply(ctx, t.row, templates.returned(t.view, cmd.reason), ctx.deps.directory.roleAccounts('dispatcher', platform));
      return ticketId;
    }
    case 'cohandle': {
      const departments = await listDepartments(ctx.tx);
      const found: DepartmentRecord[] = [];
      for (const name of cmd.departments) {
        const d = findDepartment(ctx, departments, name);
        if (!d) return ticketId;
        found.push(d);
      }
      const t = await transition(ctx, 'cohandle', ticketId, () => ({ kind: 'add_co_departments', departmentIds: found.map((d) => d.id) }));
      if (!t) return ticketId;
      const mentions = found.flatMap((d) => ctx.deps.directory.departmentAccounts(d.id, platform));
      await announceOrReply(ctx, t.row, templates.coHandling(t.view, t.view.coDepartmentNames), mentions);
      return ticketId;
    }
    case 'rate': {
      const t = await transition(ctx, 'rate', ticketId, () => ({ kind: 'rate', rating: cmd.rating, comment: cmd.comment }));
      if (!t) return ticketId;
      if (t.row.status === 'closed') {
        await announceOrReply(ctx, t.row, templates.rated(t.view));
      } else {
        const row = await restartDeadlines(ctx, t.row);
        const view = await ticketView(ctx.tx, row);
        const mentions = [...(ctx.deps.directory.departmentAccounts(row.department_id!, platform)), ...(ctx.deps.directory.roleAccounts('dispatcher', platform))];
        await announceOrReply(ctx, row, templates.reopenedUnsatisfied(view), [...new Set(mentions)]);
      }
      return ticketId;
    }
    case 'close': {
      const t = await transition(ctx, 'close', ticketId, () => ({ kind: 'close', reason: 'invalid', note: cmd.reason }));
      if (!t) return ticketId;
      if (/非诉求|不是诉求|闲聊|误报/.test(cmd.reason)) {
        await recordLabelledExample(ctx.tx, { text: t.before.content, isIssue: false, category: null, type: null, source: 'not_issue', ticketId, actorId: ctx.actor.id }, ctx.now);
      }
      await announceOrReply(ctx, t.row, templates.closed(t.view, cmd.reason));
      return ticketId;
    }
    case 'recategorize': {
      const category = matchCategory(cmd.category);
      const type = cmd.type ? matchIssueType(cmd.type) : null;
      if (!category || (cmd.type && !type)) {
        reply(ctx, templates.refused(`不认识的${category ? '类型' : '类别'}“${category ? cmd.type : cmd.category}”，类别如 水电气暖网、拖欠账款，类型如 求助、投诉`));
        return ticketId;
      }
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'recategorize', row))) return ticketId;
      const updated = await ctx.tx
        .updateTable('tickets')
        .set({ category, type: type ?? row.type, updated_at: ctx.now })
        .where('id', '=', ticketId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvents(ctx.tx, ticketId, [
        { kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { recategorized: { from: { category: row.category, type: row.type }, to: { category, type: updated.type } } } },
      ]);
      await recordLabelledExample(ctx.tx, { text: row.content, isIssue: true, category, type: updated.type, source: 'recategorize', ticketId, actorId: ctx.actor.id }, ctx.now);
      if (row.status !== 'received') {
        reply(ctx, templates.recategorized(await ticketView(ctx.tx, updated)), { ticketId });
        return ticketId;
      }
      // From the manual queue: the corrected category routes the ticket straight away.
      const route = routeTicket(ctx.deps.config.routing, { category, type: updated.type as IssueType, urgency: updated.urgency as Urgency, text: row.content, region: ctx.group?.region ?? undefined });
      const t = await transition(ctx, 'dispatch', ticketId, () => ({ kind: 'dispatch', departmentId: route.departmentId }));
      if (!t) return ticketId;
      const dispatched = await restartDeadlines(ctx, t.row);
      await announceOrReply(ctx, dispatched, templates.dispatchNotice(await ticketView(ctx.tx, dispatched)), ctx.deps.directory.departmentAccounts(route.departmentId, platform));
      return ticketId;
    }
    case 'reopen': {
      const t = await transition(ctx, 'reopen', ticketId, () => ({ kind: 'reopen', reason: cmd.reason }));
      if (!t) return ticketId;
      const row = await restartDeadlines(ctx, t.row);
      await announceOrReply(ctx, row, templates.reopened(await ticketView(ctx.tx, row), cmd.reason), ctx.deps.directory.departmentAccounts(row.department_id!, platform));
      return ticketId;
    }
    case 'merge': {
      const intoId = await resolveTicketId(ctx, 'merge', cmd.into);
      if (intoId === null) return ticketId;
      if (intoId === ticketId) {
        reply(ctx, templates.refused('不能把工单合并到它自己'));
        return ticketId;
      }
      // Lock both in id order so two opposite merges cannot deadlock.
      const [first, second] = ticketId < intoId ? [ticketId, intoId] : [intoId, ticketId];
      await lockTicket(ctx.tx, first);
      await lockTicket(ctx.tx, second);
      const into = (await getTicket(ctx.tx, intoId))!;
      if (!isOpen(into.status as TicketStatus)) {
        reply(ctx, templates.refused(`${into.number} 已办结或已合并，不能作为合并目标`));
        return ticketId;
      }
      const t = await transition(ctx, 'merge', ticketId, () => ({ kind: 'merge', intoId, intoNumber: into.number }));
      if (!t) return ticketId;
      // The merged ticket's requester and supporters follow the surviving ticket.
      for (const rid of [t.row.requester_id, ...(await ticketSupporterIds(ctx.tx, ticketId))]) {
        if (rid !== into.requester_id) await addSupporter(ctx.tx, intoId, rid);
      }
      await appendEvents(ctx.tx, intoId, [
        { kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { mergedFrom: t.row.number } },
      ]);
      await announceOrReply(ctx, t.row, templates.merged(t.view, into.number), await requesterMention(ctx, t.row));
      return ticketId;
    }
    case 'supplement': {
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'supplement', row))) return ticketId;
      if (!['received', 'dispatched', 'claimed', 'returned'].includes(row.status)) {
        reply(ctx, templates.refused(`${row.number} 当前不在办理中`));
        return ticketId;
      }
      if (ctx.staff) {
        // Waiting for the enterprise stops the clock; asking twice keeps the first pause.
        const updated = await ctx.tx.updateTable('tickets').set({ paused_at: row.paused_at ?? ctx.now, updated_at: ctx.now }).where('id', '=', ticketId).returningAll().executeTakeFirstOrThrow();
        await appendEvents(ctx.tx, ticketId, [{ kind: 'info_requested', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { question: cmd.text } }]);
        await announceOrReply(ctx, updated, templates.infoRequested(await ticketView(ctx.tx, updated), cmd.text), await requesterMention(ctx, updated));
        return ticketId;
      }
      // The requester answers: the deadlines move on by however long the clock stood still.
      const pausedMs = row.paused_at ? ctx.now.getTime() - row.paused_at.getTime() : 0;
      const shift = (d: Date | null) => (d ? new Date(d.getTime() + pausedMs) : null);
      const updated = await ctx.tx
        .updateTable('tickets')
        .set({ paused_at: null, sign_due_at: shift(row.sign_due_at), resolve_due_at: shift(row.resolve_due_at), updated_at: ctx.now })
        .where('id', '=', ticketId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvents(ctx.tx, ticketId, [{ kind: 'info_supplied', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { text: cmd.text, pausedMs } }]);
      await announceOrReply(ctx, updated, templates.infoSupplied(await ticketView(ctx.tx, updated), cmd.text), ctx.deps.directory.departmentAccounts(row.department_id ?? '', platform));
      return ticketId;
    }
    case 'publish': {
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'publish', row))) return ticketId;
      if (!row.is_private) {
        reply(ctx, `${row.number} 已经在群内公开。`, { ticketId });
        return ticketId;
      }
      const group = row.group_id ? await getGroup(ctx.tx, row.group_id) : (ctx.group ?? (await lastGroupOf(ctx)));
      if (!group) {
        reply(ctx, templates.publishNoGroup(await ticketView(ctx.tx, row)), { ticketId });
        return ticketId;
      }
      const updated = await ctx.tx.updateTable('tickets').set({ is_private: false, group_id: group.id, updated_at: ctx.now }).where('id', '=', ticketId).returningAll().executeTakeFirstOrThrow();
      await appendEvents(ctx.tx, ticketId, [{ kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { published: group.id } }]);
      const view = await ticketView(ctx.tx, updated);
      const notice = updated.department_id ? templates.dispatchNotice(view) : templates.manualQueueNotice(view);
      const mentions = updated.department_id ? ctx.deps.directory.departmentAccounts(updated.department_id, group.platform) : ctx.deps.directory.roleAccounts('dispatcher', group.platform);
      await announce(ctx, updated, notice, { mentions });
      reply(ctx, templates.published(view, group.name), { ticketId });
      return ticketId;
    }
    case 'extend': {
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'extend', row))) return ticketId;
      if (row.status !== 'dispatched' && row.status !== 'claimed') {
        reply(ctx, templates.refused(`${row.number} 当前不在办理中，无需延期`));
        return ticketId;
      }
      await appendEvents(ctx.tx, ticketId, [
        { kind: 'extension_requested', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { days: cmd.days, reason: cmd.reason } },
      ]);
      await announceOrReply(ctx, row, templates.extensionRequested(await ticketView(ctx.tx, row), cmd.days, cmd.reason), ctx.deps.directory.roleAccounts('dispatcher', platform));
      return ticketId;
    }
    case 'approve_extension': {
      const row = await lockTicket(ctx.tx, ticketId);
      if (!row || !(await checkAccess(ctx, 'approve_extension', row))) return ticketId;
      const events = await ticketEvents(ctx.tx, ticketId);
      const lastRequest = events.findLast((e) => e.kind === 'extension_requested');
      const answered = lastRequest && events.some((e) => e.kind === 'extension_approved' && e.id > lastRequest.id);
      if (!lastRequest || answered) {
        reply(ctx, templates.refused(`${row.number} 没有待批准的延期申请`));
        return ticketId;
      }
      const days = Number(lastRequest.data.days);
      const base = row.resolve_due_at ?? ctx.now;
      const newDue = ctx.deps.sla.calendar.addWorkdays(base, days);
      const updated = await ctx.tx.updateTable('tickets').set({ resolve_due_at: newDue, updated_at: ctx.now }).where('id', '=', ticketId).returningAll().executeTakeFirstOrThrow();
      await appendEvents(ctx.tx, ticketId, [
        {
          kind: 'extension_approved',
          fromStatus: null,
          toStatus: null,
          actor: ctx.actor,
          at: ctx.now,
          data: { days, previousDueAt: base.toISOString(), resolveDueAt: newDue.toISOString(), requestEventId: lastRequest.id },
        },
      ]);
      await announceOrReply(ctx, updated, templates.extensionApproved(await ticketView(ctx.tx, updated)), ctx.deps.directory.departmentAccounts(row.department_id ?? '', platform));
      return ticketId;
    }
  }
}
