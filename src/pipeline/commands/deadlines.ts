import type { TicketRow } from '../../db/schema';
import type { Command } from '../../domain/commands';
import { isOverdue } from '../../domain/ticket';
import { templates } from '../../domain/templates';
import { appendEvents, ticketEvents, ticketView } from '../../repo/tickets';
import { reply, type MessageContext } from '../context';
import { announceOrReply, platformOf, requesterMention, type CommandOf, type TicketHandler } from './shared';

type Cmd<N extends Command['name']> = CommandOf<N>;

const shiftBy = (d: Date | null, ms: number) => (d ? new Date(d.getTime() + ms) : null);

async function setClock(ctx: MessageContext, row: TicketRow, set: Partial<Pick<TicketRow, 'paused_at' | 'paused_until' | 'sign_due_at' | 'resolve_due_at'>>): Promise<TicketRow> {
  return ctx.tx.updateTable('tickets').set({ ...set, updated_at: ctx.now }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
}

/**
 * How a department's request for material affects the clock. A department may stop its own
 * clock only once per ticket, for at most `sla.maxPauseWorkdays`, and never once overdue;
 * anything else waits for 营商办 (/批准暂停), who may also pause directly.
 */
async function pauseFor(ctx: MessageContext, row: TicketRow): Promise<{ paused: 'capped' | 'open' | 'already' | 'needs_approval'; why?: string }> {
  if (row.paused_at || (row.paused_until && row.paused_until > ctx.now)) return { paused: 'already' };
  if (ctx.commandActor.role !== 'staff') return { paused: 'open' };
  const overdue = isOverdue({ status: row.status, pausedAt: null, signDueAt: row.sign_due_at, resolveDueAt: row.resolve_due_at }, ctx.now);
  if (overdue) return { paused: 'needs_approval', why: '工单已超期' };
  const paused = (await ticketEvents(ctx.tx, row.id)).some((e) => e.kind === 'info_requested' && (e.data as Record<string, unknown>).paused === true);
  if (paused) return { paused: 'needs_approval', why: '本工单已暂停过一次' };
  if (ctx.deps.config.sla.maxPauseWorkdays === 0) return { paused: 'needs_approval', why: '本地配置不允许承办单位自行暂停' };
  return { paused: 'capped' };
}

async function requestInfo(ctx: MessageContext, cmd: Cmd<'supplement'>, row: TicketRow): Promise<void> {
  const pause = await pauseFor(ctx, row);
  let updated = row;
  const data: Record<string, unknown> = { question: cmd.text };
  if (pause.paused === 'capped') {
    // The cap is granted up front: deadlines move by it now, so nothing waits on a sweep to end the pause;
    // an early answer gives the unused part back.
    const until = ctx.deps.sla.calendar.addWorkdays(ctx.now, ctx.deps.config.sla.maxPauseWorkdays);
    const ms = until.getTime() - ctx.now.getTime();
    updated = await setClock(ctx, row, { paused_until: until, sign_due_at: shiftBy(row.sign_due_at, ms), resolve_due_at: shiftBy(row.resolve_due_at, ms) });
    Object.assign(data, { paused: true, pausedUntil: until.toISOString() });
  } else if (pause.paused === 'open') {
    updated = await setClock(ctx, row, { paused_at: ctx.now });
    Object.assign(data, { paused: true, approvedBy: ctx.actor.id });
  } else if (pause.paused === 'needs_approval') {
    Object.assign(data, { paused: false, pauseRequested: true, why: pause.why });
  }
  await appendEvents(ctx.tx, row.id, [{ kind: 'info_requested', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data }]);
  const view = await ticketView(ctx.tx, updated);
  await announceOrReply(ctx, updated, templates.infoRequested(view, cmd.text), await requesterMention(ctx, updated));
  if (pause.paused === 'capped') reply(ctx, `${row.number} 办理时限暂停至企业补充为止，最长 ${ctx.deps.config.sla.maxPauseWorkdays} 个工作日（每张工单限一次）。`, { ticketId: row.id });
  if (pause.paused === 'needs_approval') {
    reply(ctx, `${row.number} 已请企业补充，但${pause.why}，办理时限照常计算；如需暂停请营商办发送 /批准暂停 ${row.number}`, {
      ticketId: row.id,
      mentions: ctx.deps.directory.ticketRoleAccounts('dispatcher', row, platformOf(ctx)),
    });
  }
}

/** The requester answers: the deadlines move on by however long the clock stood still. */
async function supplyInfo(ctx: MessageContext, cmd: Cmd<'supplement'>, row: TicketRow): Promise<void> {
  const openMs = row.paused_at ? ctx.now.getTime() - row.paused_at.getTime() : 0;
  const unusedMs = row.paused_until && row.paused_until > ctx.now ? row.paused_until.getTime() - ctx.now.getTime() : 0;
  const ms = openMs - unusedMs;
  const updated = await setClock(ctx, row, { paused_at: null, paused_until: null, sign_due_at: shiftBy(row.sign_due_at, ms), resolve_due_at: shiftBy(row.resolve_due_at, ms) });
  await appendEvents(ctx.tx, row.id, [{ kind: 'info_supplied', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { text: cmd.text, pausedMs: ms } }]);
  await announceOrReply(ctx, updated, templates.infoSupplied(await ticketView(ctx.tx, updated), cmd.text), ctx.deps.directory.departmentAccounts(row.department_id ?? '', platformOf(ctx)));
}

export const supplement: TicketHandler<Cmd<'supplement'>> = async (ctx, cmd, row) => {
  if (!['received', 'dispatched', 'claimed', 'returned'].includes(row.status)) {
    reply(ctx, templates.refused(`${row.number} 当前不在办理中`));
    return;
  }
  await (ctx.staff ? requestInfo(ctx, cmd, row) : supplyInfo(ctx, cmd, row));
};

export const approvePause: TicketHandler = async (ctx, _cmd, row) => {
  const events = await ticketEvents(ctx.tx, row.id);
  const request = events.findLast((e) => e.kind === 'info_requested');
  const pending = request && (request.data as Record<string, unknown>).pauseRequested === true;
  const answered = request && events.some((e) => e.id > request.id && (e.kind === 'info_supplied' || (e.kind === 'note' && (e.data as Record<string, unknown>).pauseApproved !== undefined)));
  if (!request || !pending || answered || row.paused_at) {
    reply(ctx, templates.refused(`${row.number} 没有待批准的暂停申请`));
    return;
  }
  const updated = await setClock(ctx, row, { paused_at: ctx.now });
  await appendEvents(ctx.tx, row.id, [{ kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { pauseApproved: request.id } }]);
  await announceOrReply(ctx, updated, `${row.number} 营商办已批准暂停办理时限，待企业补充材料后恢复计时。`, ctx.deps.directory.departmentAccounts(row.department_id ?? '', platformOf(ctx)));
};

export const extend: TicketHandler<Cmd<'extend'>> = async (ctx, cmd, row) => {
  if (row.status !== 'dispatched' && row.status !== 'claimed') {
    reply(ctx, templates.refused(`${row.number} 当前不在办理中，无需延期`));
    return;
  }
  await appendEvents(ctx.tx, row.id, [{ kind: 'extension_requested', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { days: cmd.days, reason: cmd.reason } }]);
  await announceOrReply(ctx, row, templates.extensionRequested(await ticketView(ctx.tx, row), cmd.days, cmd.reason), ctx.deps.directory.ticketRoleAccounts('dispatcher', row, platformOf(ctx)));
};

export const approveExtension: TicketHandler = async (ctx, _cmd, row) => {
  const events = await ticketEvents(ctx.tx, row.id);
  const lastRequest = events.findLast((e) => e.kind === 'extension_requested');
  const answered = lastRequest && events.some((e) => e.kind === 'extension_approved' && e.id > lastRequest.id);
  if (!lastRequest || answered) {
    reply(ctx, templates.refused(`${row.number} 没有待批准的延期申请`));
    return;
  }
  const days = Number(lastRequest.data.days);
  const base = row.resolve_due_at ?? ctx.now;
  const newDue = ctx.deps.sla.calendar.addWorkdays(base, days);
  const updated = await setClock(ctx, row, { resolve_due_at: newDue });
  await appendEvents(ctx.tx, row.id, [
    { kind: 'extension_approved', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { days, previousDueAt: base.toISOString(), resolveDueAt: newDue.toISOString(), requestEventId: lastRequest.id } },
  ]);
  await announceOrReply(ctx, updated, templates.extensionApproved(await ticketView(ctx.tx, updated)), ctx.deps.directory.departmentAccounts(row.department_id ?? '', platformOf(ctx)));
};
