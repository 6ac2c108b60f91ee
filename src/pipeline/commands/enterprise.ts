import { isOpen, type TicketStatus } from '../../domain/ticket';
import { templates } from '../../domain/templates';
import { getGroup, type GroupRecord } from '../../repo/directory';
import { addSupporter, appendEvents, ticketView } from '../../repo/tickets';
import { announce, reply, type MessageContext } from '../context';
import type { TicketHandler } from './shared';

export const status: TicketHandler = async (ctx, _cmd, row) => {
  reply(ctx, templates.status(await ticketView(ctx.tx, row)), { ticketId: row.id });
};

export const second: TicketHandler = async (ctx, _cmd, row) => {
  if (row.requester_id === ctx.requester!.id) {
    reply(ctx, `${row.number} 是您提出的诉求，无需附议。`);
    return;
  }
  if (!isOpen(row.status as TicketStatus)) {
    reply(ctx, `${row.number} 已办结，如问题仍存在请重新描述，我会登记新工单。`);
    return;
  }
  if (await addSupporter(ctx.tx, row.id, ctx.requester!.id)) {
    await appendEvents(ctx.tx, row.id, [
      { kind: 'supporter_added', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { requesterId: ctx.requester!.id } },
    ]);
  }
  reply(ctx, templates.seconded(await ticketView(ctx.tx, row)), { ticketId: row.id });
};

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

export const publish: TicketHandler = async (ctx, _cmd, row) => {
  const ticketId = row.id;
  if (!row.is_private) {
    reply(ctx, `${row.number} 已经在群内公开。`, { ticketId });
    return;
  }
  const group = row.group_id ? await getGroup(ctx.tx, row.group_id) : (ctx.group ?? (await lastGroupOf(ctx)));
  if (!group) {
    reply(ctx, templates.publishNoGroup(await ticketView(ctx.tx, row)), { ticketId });
    return;
  }
  const updated = await ctx.tx.updateTable('tickets').set({ is_private: false, group_id: group.id, updated_at: ctx.now }).where('id', '=', ticketId).returningAll().executeTakeFirstOrThrow();
  await appendEvents(ctx.tx, ticketId, [{ kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { published: group.id } }]);
  const view = await ticketView(ctx.tx, updated);
  const notice = updated.department_id ? templates.dispatchNotice(view) : templates.manualQueueNotice(view);
  const mentions = updated.department_id ? ctx.deps.directory.departmentAccounts(updated.department_id, group.platform) : ctx.deps.directory.ticketRoleAccounts('dispatcher', updated, group.platform);
  await announce(ctx, updated, notice, { mentions });
  reply(ctx, templates.published(view, group.name), { ticketId });
};

