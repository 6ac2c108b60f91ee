import type { Command } from '../domain/commands';
import type { InboundMessage, Platform } from '../domain/message';
import { getGroup } from '../repo/directory';
import { getRequester } from '../repo/requesters';
import { enqueueOutbox } from '../repo/outbox';
import { getTicket } from '../repo/tickets';
import { handleCommand } from './commands';
import { createMessageContext, type PipelineDeps } from './context';

export type WebActor = { kind: 'staff'; staffId: string } | { kind: 'requester'; requesterId: number };

export interface WebCommand {
  actor: WebActor;
  ticketId: number;
  /** The command as the chat would parse it; its ticket reference is ignored in favour of ticketId. */
  command: Exclude<Command, { name: 'mine' | 'queue' | 'help' }>;
}

export interface WebCommandResult {
  /** False when the command was refused (role, state, unknown department…): `messages` says why. */
  ok: boolean;
  /** What the chat would have answered the sender, or the notices the command posted. */
  messages: string[];
}

/**
 * Runs a chat command for someone acting from a web page. It goes through the same handler as
 * a chat message — role checks, state machine, deadlines, event log, group notices — as if it
 * had been typed in the ticket's own chat, so the console and the report page can never drift
 * from the chat's rules.
 */
export async function performWebCommand(deps: PipelineDeps, req: WebCommand): Promise<WebCommandResult> {
  const result = await deps.db.transaction().execute(async (tx) => {
    const ticket = await getTicket(tx, req.ticketId);
    if (!ticket) return { ok: false, messages: ['没有这张工单'], posted: false };
    const now = deps.now();
    const platform = ticket.origin_platform as Platform;
    const staff = req.actor.kind === 'staff' ? deps.directory.staffById(req.actor.staffId) : null;
    if (req.actor.kind === 'staff' && !staff) return { ok: false, messages: ['账号不在工作人员名录中'], posted: false };
    const requester =
      req.actor.kind === 'requester'
        ? await getRequester(tx, req.actor.requesterId)
        : null;
    if (req.actor.kind === 'requester' && !requester) return { ok: false, messages: ['没有这位反映人'], posted: false };
    const msg: InboundMessage = {
      platform,
      messageId: `web:${crypto.randomUUID()}`,
      chatType: ticket.origin_chat_type === 'group' ? 'group' : 'direct',
      chatId: ticket.origin_chat_id,
      sender: { userId: staff ? `web:${staff.id}` : `web:requester:${requester!.id}` },
      text: '',
      receivedAt: now,
    };
    const ctx = createMessageContext(
      {
        deps,
        tx,
        msg,
        now,
        group: ticket.group_id ? await getGroup(tx, ticket.group_id) : null,
        staff,
        requester,
        replies: [],
      },
      staff?.name ?? requester?.name ?? '反映人',
    );
    const lastEvent = async () =>
      (await tx.selectFrom('ticket_events').select((eb) => eb.fn.max('id').as('id')).where('ticket_id', '=', ticket.id).executeTakeFirst())?.id ?? 0;
    const before = await lastEvent();
    const ref = { kind: 'full' as const, number: ticket.number };
    await handleCommand(ctx, { ...req.command, ref } as Command);
    await enqueueOutbox(tx, ctx.posts, now);
    // Every accepted command writes to the event log; a refusal only answers the sender.
    const changed = (await lastEvent()) !== before;
    const notices = ctx.posts.map((p) => p.payload.text);
    // The sender sees each text once, whether it was their answer or the group's notice.
    return { ok: changed, messages: [...new Set(changed ? [...ctx.replies!, ...notices] : ctx.replies!)], posted: ctx.posts.length > 0 };
  });
  if (result.posted) deps.onOutbox?.();
  return { ok: result.ok, messages: result.messages };
}
