import { stripBotMention } from '../domain/classifier/normalise';
import { parseCommand } from '../domain/commands';
import { inboundMessageSchema, type InboundMessage } from '../domain/message';
import { templates } from '../domain/templates';
import { ensureGroup, findStaffByAccount } from '../repo/directory';
import { claimInbound, finishInbound, type InboundOutcome } from '../repo/inbound';
import { enqueueOutbox } from '../repo/outbox';
import { findRequester } from '../repo/requesters';
import { handleCommand } from './commands';
import { reply, type MessageContext, type PipelineDeps } from './context';
import { openTicket } from './open-ticket';

export type ReceiveResult =
  | { status: 'duplicate' }
  | { status: InboundOutcome; ticketId: number | null; ticketNumber: string | null };

export interface Pipeline {
  /** Handles one inbound message exactly once per platform message id; safe to call again on redelivery. */
  receive(message: InboundMessage): Promise<ReceiveResult>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  async function receive(input: InboundMessage): Promise<ReceiveResult> {
    const parsed = inboundMessageSchema.parse(input);
    const msg = { ...parsed, text: stripBotMention(parsed.text, deps.config.deployment.botName) };
    const result = await deps.db.transaction().execute(async (tx): Promise<ReceiveResult & { posted: boolean }> => {
      const inboundId = await claimInbound(tx, msg);
      if (inboundId === null) return { status: 'duplicate', posted: false };
      const now = deps.now();
      const group = msg.chatType === 'group' ? await ensureGroup(tx, msg.platform, msg.chatId, msg.chatTitle) : null;
      const staff = await findStaffByAccount(tx, msg.platform, msg.sender.userId);
      const requester = staff ? null : await findRequester(tx, msg.platform, msg.sender.userId);
      const actorName = staff?.name ?? msg.sender.name ?? requester?.name ?? msg.sender.userId;
      const actorId = staff?.id ?? (requester ? String(requester.id) : `${msg.platform}:${msg.sender.userId}`);
      const ctx: MessageContext = {
        deps,
        tx,
        msg,
        now,
        group,
        staff,
        requester,
        actor: { kind: staff ? 'staff' : 'requester', id: actorId, name: actorName },
        commandActor: { role: staff?.role ?? 'enterprise', departmentId: staff?.departmentId ?? null, id: actorId },
        posts: [],
      };

      let outcome: InboundOutcome = 'ignored';
      let ticketId: number | null = null;
      let ticketNumber: string | null = null;

      if (msg.event === 'enter_chat') {
        reply(ctx, templates.welcome(deps.config.deployment.botName));
        outcome = 'event';
      } else {
        const parsed = parseCommand(msg.text);
        if (parsed.kind === 'command') {
          outcome = 'command';
          ticketId = await handleCommand(ctx, parsed.command);
        } else if (parsed.kind === 'usage_error') {
          outcome = 'command';
          reply(ctx, parsed.message);
        } else if (parsed.kind === 'unknown_command') {
          outcome = 'command';
          reply(ctx, templates.unknownCommand(parsed.word, parsed.suggestion ? `/${parsed.suggestion.zh[0]}` : null));
        } else if (staff) {
          // Staff replies and notices are not issues (taxonomy §1); point them to the commands.
          if (msg.chatType === 'direct') reply(ctx, templates.help(staff.role));
        } else {
          const c = deps.classifier.classify(msg.text);
          if (c.isIssue) {
            const opened = await openTicket(ctx, msg.text, c as typeof c & { isIssue: true });
            outcome = opened.kind === 'ticket' ? 'ticket' : 'attached';
            ticketId = opened.ticketId;
            ticketNumber = opened.number;
          } else if (c.nonIssueKind === 'greeting') {
            reply(ctx, templates.greetingHint());
          } else if (msg.chatType === 'direct' && c.nonIssueKind !== 'thanks' && c.nonIssueKind !== 'ack') {
            reply(ctx, templates.directChatterHint());
          }
        }
      }

      if (ticketId !== null && ticketNumber === null) {
        ticketNumber = (await tx.selectFrom('tickets').select('number').where('id', '=', ticketId).executeTakeFirst())?.number ?? null;
      }
      await enqueueOutbox(tx, ctx.posts, now);
      await finishInbound(tx, inboundId, outcome, ticketId);
      return { status: outcome, ticketId, ticketNumber, posted: ctx.posts.length > 0 };
    });
    if (result.posted) deps.onOutbox?.();
    if (result.status === 'duplicate') return { status: 'duplicate' };
    const { posted: _posted, ...rest } = result;
    return rest;
  }
  return { receive };
}
