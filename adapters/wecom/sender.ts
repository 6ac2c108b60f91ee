import type { OutboundMessage } from '../../src/domain/message';
import type { Logger } from '../../src/logger';
import { splitByBytes } from '../text-split';
import { isAllowedReplyUrl } from '../http-util';
import type { OutboundAdapter, SendResult } from '../types';
import { WecomHttpError, type WecomClient, type WecomResult } from './client';

/** WeCom's documented limits: text 2048 bytes, markdown 4096 bytes (UTF-8). */
export const WECOM_TEXT_BYTES = 2048;
export const WECOM_MARKDOWN_BYTES = 4096;

export interface WecomSenderOptions {
  client: WecomClient;
  /** The message-push webhook key of each WeCom group, by chat id. */
  webhookKeyFor: (chatId: string) => string | null;
  logger: Logger;
  /** Hosts a response_url may point at: the configured API base (qyapi.weixin.qq.com in production). */
  replyHosts: string[];
  now?: () => Date;
}

/**
 * A text payload shown through a markdown-only channel (the AI bot's response_url) must read as
 * written: users' words are echoed in it, and WeCom markdown would turn them into links,
 * @-mentions (<@all>) or coloured fake notices. Full-width look-alikes are inert whatever the
 * renderer does with backslashes.
 */
export function markdownLiteral(text: string): string {
  return text
    .replace(/[<>\[\]*`~]/g, (ch) => ({ '<': '＜', '>': '＞', '[': '［', ']': '］', '*': '＊', '`': '｀', '~': '～' })[ch]!)
    .replace(/^(\s*)#/gm, '$1＃');
}

/** Maps a WeCom errcode to a retry policy. */
export function classifyWecomResult(r: WecomResult): SendResult {
  const e = `${r.errcode} ${r.errmsg ?? ''}`.trim();
  switch (r.errcode) {
    case 0:
      return { ok: true };
    case 45009: // api freq out of limit: the robot is over 20 posts a minute
      return { ok: false, retry: 'throttled', retryAfterMs: 60_000, error: e };
    case 60020: // not allowed from this IP: an operator must add the egress IP, then posts flow again
      return { ok: false, retry: 'throttled', retryAfterMs: 10 * 60_000, error: `${e} — add this server's egress IP to the app's 企业可信IP, or route through WECOM_API_BASE` };
    case -1: // system busy
      return { ok: false, retry: 'transient', error: e };
    case 93006: // invalid chatid
    case 93000: // invalid webhook url / key
    case 81013: // user not found
    case 40003:
      return { ok: false, retry: 'never', error: e };
    default:
      return { ok: false, retry: 'transient', error: e };
  }
}

function mentionsLine(ids: string[]): string {
  return ids.map((id) => `<@${id}>`).join(' ');
}

export function createWecomSender(opts: WecomSenderOptions): OutboundAdapter {
  const now = opts.now ?? (() => new Date());

  async function sendPieces(pieces: string[], send: (piece: string, i: number) => Promise<WecomResult>): Promise<SendResult> {
    for (const [i, piece] of pieces.entries()) {
      const r = classifyWecomResult(await send(piece, i));
      if (!r.ok) return r;
    }
    return { ok: true };
  }

  async function toGroup(chatId: string, m: OutboundMessage): Promise<SendResult> {
    const key = opts.webhookKeyFor(chatId);
    if (!key) {
      return { ok: false, retry: 'never', error: `no message-push webhook key for WeCom group ${chatId}: add outbound { kind: wecom-webhook, key } to this group in the configuration` };
    }
    const { payload } = m;
    if (payload.format === 'markdown') {
      const text = payload.mentions.length ? `${payload.text}\n${mentionsLine(payload.mentions)}` : payload.text;
      return sendPieces(splitByBytes(text, WECOM_MARKDOWN_BYTES), (p) => opts.client.sendWebhook(key, { msgtype: 'markdown', markdown: { content: p } }));
    }
    // The @-mentions go with the last piece, so people are pinged once, when the post is complete.
    const pieces = splitByBytes(payload.text, WECOM_TEXT_BYTES);
    return sendPieces(pieces, (p, i) =>
      opts.client.sendWebhook(key, {
        msgtype: 'text',
        text: { content: p, ...(i === pieces.length - 1 && payload.mentions.length ? { mentioned_list: payload.mentions } : {}) },
      }),
    );
  }

  async function send(m: OutboundMessage): Promise<SendResult> {
    const t = m.target;
    if (t.kind === 'group') return toGroup(t.chatId, m);
    if (t.kind === 'card') return { ok: false, retry: 'never', error: `no WeCom card update for ${t.ref}: this sender delivers no updatable cards` };
    if (t.kind === 'direct') {
      return sendPieces(splitByBytes(m.payload.text, WECOM_TEXT_BYTES), (p) => opts.client.sendAppText(t.userId, p));
    }
    // A reply: the response_url works once, within the hour; after that the group (or the app) carries it.
    const offHost = t.handle.kind === 'wecom-response-url' && !isAllowedReplyUrl(t.handle.url, opts.replyHosts);
    if (offHost) {
      // The URL came in the callback; one pointing elsewhere would receive the ticket's text.
      opts.logger.warn('wecom.response_url_refused', { host: URL.canParse(t.handle.url) ? new URL(t.handle.url).host : null, hint: `a response_url outside ${opts.replyHosts.join(', ')}: check WECOM_API_BASE` });
    }
    if (!offHost && t.handle.kind === 'wecom-response-url' && new Date(t.handle.expiresAt) > now()) {
      const body = m.payload.format === 'markdown' ? m.payload.text : markdownLiteral(m.payload.text);
      const text = m.payload.mentions.length ? `${body}\n${mentionsLine(m.payload.mentions)}` : body;
      const r = classifyWecomResult(await opts.client.postResponseUrl(t.handle.url, { msgtype: 'markdown', markdown: { content: splitByBytes(text, WECOM_MARKDOWN_BYTES)[0] } }));
      // A used or expired response_url cannot be retried: fall through to the group channel.
      if (r.ok || r.retry !== 'never') return r;
      opts.logger.warn('wecom.response_url_rejected', { error: r.error });
    }
    return t.chatType === 'group' ? toGroup(t.chatId, m) : send({ ...m, target: { kind: 'direct', userId: t.chatId } });
  }

  return {
    platform: 'wecom',
    async send(m) {
      try {
        return await send(m);
      } catch (e) {
        if (e instanceof WecomHttpError) {
          return { ok: false, retry: e.status >= 500 || e.status === 429 ? 'transient' : 'never', error: e.message };
        }
        // Network failures, timeouts, a missing app configuration.
        return { ok: false, retry: /not configured/.test((e as Error).message) ? 'never' : 'transient', error: (e as Error).message };
      }
    },
  };
}
