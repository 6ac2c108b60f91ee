import type { OutboundMessage } from '../../src/domain/message';
import type { Logger } from '../../src/logger';
import { splitByBytes } from '../text-split';
import type { OutboundAdapter, SendResult } from '../types';
import { AIBOT_CMD, AIBOT_REPLY_KIND, AIBOT_WELCOME_KIND, cardTaskId, ticketTemplateCard } from './aibot-frames';
import { classifyWecomResult, markdownLiteral, WECOM_MARKDOWN_BYTES, WECOM_TEXT_BYTES } from './sender';

/** What the server answered to one of our frames (`{ headers: { req_id }, errcode, errmsg }`). */
export interface AibotAck {
  errcode?: number;
  errmsg?: string;
}

/** One live, authenticated long connection: replies on a callback's req_id, and proactive sends. */
export interface AibotConnection {
  reply(reqId: string, body: Record<string, unknown>, cmd: string): Promise<AibotAck>;
  send(chatId: string, body: Record<string, unknown>): Promise<AibotAck>;
}

/**
 * Where the sender finds the connection. Only the instance holding the bot's one connection
 * (the leader, see src/node/leader.ts) has one attached; the others leave such posts queued.
 */
export interface AibotChannel {
  attach(conn: AibotConnection): void;
  detach(conn: AibotConnection): void;
  current(): AibotConnection | null;
}

export function createAibotChannel(): AibotChannel {
  let conn: AibotConnection | null = null;
  return {
    attach: (c) => void (conn = c),
    detach: (c) => void (conn === c && (conn = null)),
    current: () => conn,
  };
}

/** Stream replies may carry 20480 bytes (101463 流式消息回复). */
const STREAM_BYTES = 20_480;
/** Req ids remembered as answered; a second answer to one message goes to the chat instead. */
const MAX_REMEMBERED = 10_000;

export interface AibotSenderOptions {
  channel: AibotChannel;
  /** The webhook/app sender for everything the long connection does not carry. */
  fallback: OutboundAdapter;
  /** Chats whose proactive posts go over the connection (groups with `outbound: { kind: wecom-aibot }`). */
  isAibotChat: (chatId: string) => boolean;
  /** One-to-one posts over the connection too (when no self-built app is configured). */
  directViaAibot: boolean;
  logger: Logger;
  now?: () => Date;
  /** Unique suffixes for stream ids and card task ids (tests may fix them). */
  unique?: () => string;
}

const ticketIdOf = (outTrackId: string) => {
  const m = /^gz-ticket-(\d+)$/.exec(outTrackId);
  return m ? Number(m[1]) : null;
};

/** Maps an ack (or the SDK's rejection: an ack frame or an Error) to the drainer's retry policy. */
export function classifyAibotAck(ack: unknown): SendResult {
  if (ack instanceof Error) return { ok: false, retry: 'transient', error: `long connection: ${ack.message}` };
  const a = (ack ?? {}) as AibotAck;
  if (a.errcode === undefined || a.errcode === 0) return { ok: true };
  const r = classifyWecomResult({ errcode: a.errcode, errmsg: a.errmsg ?? '' });
  return r.ok ? { ok: false, retry: 'transient', error: `${a.errcode} ${a.errmsg ?? ''}` } : r;
}

/**
 * The WeCom sender of a long-connection deployment: replies go back on the message's req_id
 * (once per message), the welcome is the answer to the enter_chat frame, and proactive posts
 * (dispatch notices with 认领/办结 buttons, documents, digests) use aibot_send_msg to the chat —
 * so no group-robot webhook key is needed. Everything else goes to the webhook/app sender.
 */
export function createAibotSender(opts: AibotSenderOptions): OutboundAdapter & { available(m: OutboundMessage): boolean } {
  const now = opts.now ?? (() => new Date());
  let counter = 0;
  const unique = opts.unique ?? (() => `${(++counter).toString(36)}${Math.random().toString(36).slice(2, 10)}`);
  const answered = new Set<string>();

  const viaAibot = (m: OutboundMessage): boolean => {
    const t = m.target;
    if (t.kind === 'reply') return t.handle.kind === AIBOT_REPLY_KIND || t.handle.kind === AIBOT_WELCOME_KIND;
    if (t.kind === 'group') return opts.isAibotChat(t.chatId);
    if (t.kind === 'direct') return opts.directViaAibot;
    return false;
  };

  const markdownOf = (m: OutboundMessage): string => {
    const body = m.payload.format === 'markdown' ? m.payload.text : markdownLiteral(m.payload.text);
    return m.payload.mentions.length ? `${body}\n${m.payload.mentions.map((id) => `<@${id}>`).join(' ')}` : body;
  };

  async function call(fn: () => Promise<AibotAck>): Promise<SendResult> {
    try {
      return classifyAibotAck(await fn());
    } catch (e) {
      return classifyAibotAck(e);
    }
  }

  async function sendPieces(conn: AibotConnection, chatId: string, pieces: string[]): Promise<SendResult> {
    for (const p of pieces) {
      const r = await call(() => conn.send(chatId, { msgtype: 'markdown', markdown: { content: p } }));
      if (!r.ok) return r;
    }
    return { ok: true };
  }

  async function toChat(conn: AibotConnection, chatId: string, m: OutboundMessage): Promise<SendResult> {
    const card = m.payload.card;
    const ticketId = card ? ticketIdOf(card.outTrackId) : null;
    if (card && ticketId !== null && m.target.kind === 'group') {
      const template_card = ticketTemplateCard(ticketId, card.params, cardTaskId(ticketId, unique()));
      const r = await call(() => conn.send(chatId, { msgtype: 'template_card', template_card }));
      if (r.ok || r.retry !== 'never') return r;
      // A refused card still leaves the department a notice: the text version.
      opts.logger.warn('wecom.aibot.card_rejected', { error: r.error });
    }
    return sendPieces(conn, chatId, splitByBytes(markdownOf(m), WECOM_MARKDOWN_BYTES));
  }

  function remember(reqId: string): boolean {
    if (answered.has(reqId)) return false;
    answered.add(reqId);
    if (answered.size > MAX_REMEMBERED) answered.delete(answered.values().next().value!);
    return true;
  }

  async function send(conn: AibotConnection, m: OutboundMessage): Promise<SendResult> {
    const t = m.target;
    if (t.kind === 'group') return toChat(conn, t.chatId, m);
    if (t.kind === 'direct') return toChat(conn, t.userId, m);
    if (t.kind !== 'reply') return opts.fallback.send(m);
    const fresh = new Date(t.handle.expiresAt) > now();
    if (t.handle.kind === AIBOT_WELCOME_KIND) {
      if (fresh && remember(t.handle.url)) {
        const content = splitByBytes(m.payload.text, WECOM_TEXT_BYTES)[0] ?? '';
        const r = await call(() => conn.reply(t.handle.url, { msgtype: 'text', text: { content } }, AIBOT_CMD.respondWelcome));
        if (r.ok || r.retry !== 'never') return r;
        opts.logger.warn('wecom.aibot.welcome_rejected', { error: r.error });
      }
      // Past the 5 s the welcome frame allows: say it in the one-to-one chat instead.
      return toChat(conn, t.chatId, m);
    }
    if (fresh && remember(t.handle.url)) {
      const [first, ...rest] = splitByBytes(markdownOf(m), STREAM_BYTES);
      const r = await call(() => conn.reply(t.handle.url, { msgtype: 'stream', stream: { id: `gz-${unique()}`, finish: true, content: first ?? '' } }, AIBOT_CMD.respond));
      if (r.ok) return rest.length ? sendPieces(conn, t.chatId, rest) : r;
      if (r.retry !== 'never') {
        // Not answered after all: a retry may use the req_id again.
        answered.delete(t.handle.url);
        return r;
      }
      opts.logger.warn('wecom.aibot.reply_rejected', { error: r.error });
    }
    // Already answered once, expired or refused: the chat carries the rest.
    return toChat(conn, t.chatId, m);
  }

  return {
    platform: 'wecom',
    available: (m) => !viaAibot(m) || opts.channel.current() !== null,
    async send(m) {
      if (!viaAibot(m)) return opts.fallback.send(m);
      const conn = opts.channel.current();
      if (!conn) return { ok: false, retry: 'throttled', retryAfterMs: 2000, error: 'the WeCom long connection is not up on this instance' };
      return send(conn, m);
    },
  };
}
