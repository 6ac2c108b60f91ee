import { addressedToBot, messageLanguage, QUIET_KINDS } from '../domain/classifier/language';
import type { Tx } from '../db/database';
import { parseCommand } from '../domain/commands';
import type { InboundMessage } from '../domain/message';
import { templates } from '../domain/templates';
import { ensureGroup, type GroupRecord } from '../repo/directory';
import type { InboundOutcome } from '../repo/inbound';
import type { OutboxEntry } from '../repo/outbox';
import { requesterKey, upsertRequester, type Requester } from '../repo/requesters';
import { handleCommand } from './commands';
import { createMessageContext, reply, type PipelineDeps } from './context';
import { openTicket } from './open-ticket';
import type { AdvisedClassification } from './second-opinion';
import { isPhotoOnly, keepPhotos, photoFollowUp, type ChatPhoto } from './attachments';

/** Rows a batch registered up front, so each message need not look them up again. */
export interface KnownRows {
  groups: Map<string, GroupRecord>;
  requesters: Map<string, Requester>;
}

export interface Handled {
  outcome: InboundOutcome;
  ticketId: number | null;
  ticketNumber: string | null;
  group: GroupRecord | null;
  /** Posts to enqueue with the batch's commit. */
  posts: OutboxEntry[];
}

/**
 * What a message means: a command, an issue (ticket or 附议), a greeting, chatter. Runs inside the
 * caller's transaction; the caller has claimed the message and records the outcome.
 */
export async function handleMessage(deps: PipelineDeps, tx: Tx, msg: InboundMessage, known: KnownRows, advised?: AdvisedClassification, photos?: ChatPhoto[]): Promise<Handled> {
  const now = deps.now();
  let group = null;
  if (msg.chatType === 'group') {
    const key = `${msg.platform}:${msg.chatId}`;
    group = known.groups.get(key) ?? (await ensureGroup(tx, msg.platform, msg.chatId, msg.chatTitle, now));
  }
  const staff = deps.directory.staffByAccount(msg.platform, msg.sender.userId);
  // One statement finds or registers the enterprise (and keeps its display name current).
  const requester = staff ? null : (known.requesters.get(requesterKey(msg.platform, msg.sender.userId)) ?? (await upsertRequester(tx, msg.platform, msg.sender.userId, { name: msg.sender.name })));
  const actorName = staff?.name ?? msg.sender.name ?? requester?.name ?? msg.sender.userId;
  const ctx = createMessageContext({ deps, tx, msg, now, group, staff, requester }, actorName);

  let outcome: InboundOutcome = 'ignored';
  let ticketId: number | null = null;
  let ticketNumber: string | null = null;

  if (msg.event === 'enter_chat') {
    // The WeCom AI-bot webhook already answered the callback with the welcome (adapters/wecom/index.ts).
    if (msg.raw?.answeredInCallback !== 'welcome') reply(ctx, templates.welcome(deps.config.deployment.botName));
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
    } else if (photos && !staff && isPhotoOnly(msg)) {
      // A photo alone: to the sender's report just before, or kept for the next (attachments.ts).
      ({ outcome, ticketId, ticketNumber } = await photoFollowUp(ctx, photos));
    } else if (staff) {
      // Staff replies and notices are not issues (taxonomy §1); point them to the commands.
      if (msg.chatType === 'direct') reply(ctx, templates.help(staff.role, 'direct'));
    } else {
      if (!advised) await deps.learning?.catchUp(tx);
      const c = advised ?? deps.classifier.classify(msg.text);
      if (c.isIssue) {
        const opened = await openTicket(ctx, msg.text, c as typeof c & { isIssue: true });
        outcome = opened.kind === 'ticket' ? 'ticket' : 'attached';
        ticketId = opened.ticketId;
        ticketNumber = opened.number;
      } else if (c.nonIssueKind === 'greeting') {
        reply(ctx, templates.greetingHint());
      } else if (addressedToBot(msg) && !QUIET_KINDS.has(c.nonIssueKind ?? 'chatter')) {
        // Never silently ignore the bot's own correspondent: say how to report, in their language.
        reply(ctx, templates.directChatterHint(messageLanguage(msg.text)));
      }
    }
  }

  await keepPhotos(ctx, photos, { outcome, ticketId });
  if (ticketId !== null && ticketNumber === null) {
    ticketNumber = (await tx.selectFrom('tickets').select('number').where('id', '=', ticketId).executeTakeFirst())?.number ?? null;
  }
  return { outcome, ticketId, ticketNumber, group, posts: ctx.posts };
}
