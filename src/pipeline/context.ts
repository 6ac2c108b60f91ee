import type { GongzhiConfig } from '../config/schema';
import type { Db, Tx } from '../db/database';
import type { TicketRow } from '../db/schema';
import type { Classifier } from '../domain/classifier/types';
import type { ChatClassifier } from '../llm/chat-classifier';
import type { InboundMessage, OutboundTarget, Platform } from '../domain/message';
import type { CommandActor } from '../domain/roles';
import type { Actor } from '../domain/ticket';
import type { SlaClock } from '../domain/sla';
import { getGroup, type GroupRecord, type StaffMember } from '../repo/directory';
import { groupPostFor, textPayload } from './notify';
import type { DirectoryCache } from './directory-cache';
import type { Requester } from '../repo/requesters';
import type { OutboxEntry, OutboxKind } from '../repo/outbox';
import type { PhotoFetcher } from './attachments';

export interface PipelineDeps {
  db: Db;
  config: GongzhiConfig;
  classifier: Classifier;
  /** Set when `classifier` learns from staff corrections: the pipeline lets it catch up before classifying. */
  learning?: { catchUp(tx: Tx): Promise<void> };
  sla: SlaClock;
  /** Staff, accounts and names from the configuration, without queries. */
  directory: DirectoryCache;
  now: () => Date;
  /** The optional LLM asked about messages below the confidence gate (classifier.llm). */
  llm?: ChatClassifier;
  /** Called after a transaction that enqueued posts commits, so the drainer can start at once. */
  onOutbox?: () => void;
  /** Downloads photos sent in the chat (src/pipeline/attachments.ts); without it they are noted as not retrieved. */
  photos?: PhotoFetcher;
}

/** Everything one inbound message's handling needs, inside its transaction. */
export interface MessageContext {
  deps: PipelineDeps;
  tx: Tx;
  msg: InboundMessage;
  now: Date;
  group: GroupRecord | null;
  staff: StaffMember | null;
  /** Set lazily for non-staff senders. */
  requester: Requester | null;
  actor: Actor;
  commandActor: CommandActor;
  posts: OutboxEntry[];
  /**
   * Set when the command came from a web page (console, ticket page): answers to the sender
   * are shown on the page instead of being posted into the chat.
   */
  replies?: string[];
  /** A report page user who declined a public notice: handled like a one-to-one report. */
  privateReport?: boolean;
}

type ContextBase = Pick<MessageContext, 'deps' | 'tx' | 'msg' | 'now' | 'group' | 'staff' | 'requester'> & Partial<Pick<MessageContext, 'replies' | 'privateReport'>>;

/** A context for one message (or web action); the actor is the staff member if any, else the requester. */
export function createMessageContext(base: ContextBase, actorName: string): MessageContext {
  const id = base.staff ? base.staff.id : String(base.requester!.id);
  return {
    ...base,
    actor: { kind: base.staff ? 'staff' : 'requester', id, name: actorName },
    commandActor: {
      role: base.staff?.role ?? 'enterprise',
      departmentId: base.staff?.departmentId ?? null,
      id,
      ...(base.staff ? { scope: base.deps.directory.scopeOf(base.staff) } : {}),
    },
    posts: [],
  };
}

export function replyTarget(msg: InboundMessage): OutboundTarget {
  if (msg.reply) return { kind: 'reply', handle: msg.reply, chatId: msg.chatId, chatType: msg.chatType };
  return msg.chatType === 'group' ? { kind: 'group', chatId: msg.chatId } : { kind: 'direct', userId: msg.sender.userId };
}


/** Answers the sender in the chat the message came from. */
export function reply(ctx: MessageContext, text: string, opts: { ticketId?: number; mentions?: string[] } = {}): void {
  if (ctx.replies) {
    ctx.replies.push(text);
    return;
  }
  ctx.posts.push({
    platform: ctx.msg.platform,
    kind: 'reply',
    target: replyTarget(ctx.msg),
    payload: textPayload(text, opts.mentions ?? []),
    ticketId: opts.ticketId ?? null,
    groupId: ctx.group?.id ?? null,
  });
}


const sameChat = (msg: InboundMessage, platform: Platform, chatId: string) => msg.platform === platform && msg.chatId === chatId;

/**
 * Posts news about a ticket where its requester will see it: the ticket's group when that
 * group has an outbound channel, else the reply channel when we are answering in that very
 * chat, else one-to-one to the requester (private reports). Returns true when the sender's
 * own chat got the post, so the caller need not reply separately.
 */
export async function announce(
  ctx: MessageContext,
  ticket: TicketRow,
  text: string,
  opts: { mentions?: string[]; kind?: OutboxKind } = {},
): Promise<boolean> {
  const mentions = opts.mentions ?? [];
  const group = ticket.group_id ? (ticket.group_id === ctx.group?.id ? ctx.group : await getGroup(ctx.tx, ticket.group_id)) : null;
  const post = await groupPostFor(ctx.tx, ticket, text, { mentions, kind: opts.kind ?? 'notice', group });
  if (post) {
    ctx.posts.push(post);
    return post.target.kind === 'group' && sameChat(ctx.msg, post.platform, post.target.chatId);
  }
  if (group && sameChat(ctx.msg, group.platform, group.chatId)) {
    reply(ctx, text, { ticketId: ticket.id, mentions });
    return true;
  }
  if (ticket.origin_chat_type === 'direct') {
    const requester = await ctx.tx.selectFrom('requesters').select(['platform', 'user_id']).where('id', '=', ticket.requester_id).executeTakeFirst();
    // Report-page users read their news on their ticket page, not in a chat.
    if (requester && requester.platform !== 'web') {
      ctx.posts.push({
        platform: requester.platform as Platform,
        kind: 'direct',
        target: { kind: 'direct', userId: requester.user_id },
        payload: textPayload(text),
        ticketId: ticket.id,
        groupId: null,
      });
      return ctx.msg.chatType === 'direct' && ctx.msg.sender.userId === requester.user_id && ctx.msg.platform === requester.platform;
    }
  }
  return false;
}

/** One-to-one messages to staff (private reports). */
export function notifyDirect(ctx: MessageContext, platform: Platform, userIds: string[], text: string, ticketId: number): void {
  for (const userId of userIds) {
    ctx.posts.push({ platform, kind: 'direct', target: { kind: 'direct', userId }, payload: textPayload(text), ticketId, groupId: null });
  }
}
