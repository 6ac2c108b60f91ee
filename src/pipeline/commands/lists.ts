import type { TicketRow } from '../../db/schema';
import { templates } from '../../domain/templates';
import { textPayload } from '../notify';
import { OPEN_STATUSES } from '../../domain/ticket';
import { listTickets, listTicketsPage, ticketView } from '../../repo/tickets';
import { reply, type MessageContext } from '../context';
import type { PlainHandler } from './shared';

/**
 * Lists name tickets, some private: asked in a group they go to the asker one-to-one, and the
 * group only hears that they were sent.
 */
function replyPrivately(ctx: MessageContext, text: string): void {
  if (ctx.replies || ctx.msg.chatType === 'direct') {
    reply(ctx, text);
    return;
  }
  ctx.posts.push({ platform: ctx.msg.platform, kind: 'direct', target: { kind: 'direct', userId: ctx.msg.sender.userId }, payload: textPayload(text), ticketId: null, groupId: null });
  reply(ctx, '列表已私信发给您（群内不展示工单清单）。');
}

async function listFor(ctx: MessageContext, name: 'mine' | 'queue'): Promise<void> {
  const { tx } = ctx;
  let rows: TicketRow[];
  let title: string;
  if (ctx.staff && name === 'mine') {
    rows = await listTickets(tx, { assigneeId: ctx.staff.id, openOnly: true });
    title = '我承办的未办结工单';
  } else if (ctx.staff && ctx.staff.departmentId && ctx.staff.role === 'staff') {
    rows = await listTickets(tx, { departmentId: ctx.staff.departmentId, openOnly: true });
    title = '本单位待办工单（含协办）';
  } else if (ctx.staff) {
    // A county's 营商办 or supervisor lists its own region and below, as everywhere else (ticketScope).
    const scope = ctx.deps.directory.scopeOf(ctx.staff);
    rows = (await listTicketsPage(tx, { status: [...OPEN_STATUSES], scope }, null, 50)).tickets;
    title = scope.kind === 'all' ? '全部未办结工单' : '本辖区未办结工单';
  } else {
    rows = await listTickets(tx, { requesterId: ctx.requester!.id, openOnly: false, limit: 20 });
    title = '我提出或附议的工单';
  }
  const views = await Promise.all(rows.map((r) => ticketView(tx, r)));
  replyPrivately(ctx, templates.list(title, views));
}

export const help: PlainHandler = async (ctx) => reply(ctx, templates.help(ctx.commandActor.role, ctx.msg.chatType === 'direct' ? 'direct' : 'group'));
export const mine: PlainHandler = (ctx) => listFor(ctx, 'mine');
export const queue: PlainHandler = (ctx) => listFor(ctx, 'queue');
