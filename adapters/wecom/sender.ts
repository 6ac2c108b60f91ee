import type { OutboundMessage } from '../../src/domain/message';
import type { Logger } from '../../src/logger';
import { splitByBytes, utf8Length } from '../text-split';
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

/**
 * WeCom errcodes (全局错误码, developer.work.weixin.qq.com path 90313) that retrying cannot fix:
 * the target, the content or the robot is wrong, and only an operator can change that.
 */
const INVALID_CODES: Record<number, string> = {
  40003: 'invalid UserID',
  40008: 'invalid msgtype',
  40058: 'invalid parameter',
  41001: 'access_token missing',
  44004: 'empty text content',
  45002: 'content over the size limit',
  48002: 'API forbidden for this app',
  60011: 'no permission for this member or department (应用可见范围)',
  81013: 'UserID, department and tag all invalid or out of scope',
  82001: 'member, department and tag all empty',
  93000: 'invalid webhook URL or key',
  93004: 'the group robot was disabled',
  93006: 'invalid chatid',
  93008: 'the robot is not in this group',
};

/**
 * Maps a WeCom errcode to a retry policy. Throttling waits; invalid targets dead-letter at once;
 * a code nobody documented for this call is dead-lettered too (with the code, for `outbox resend`)
 * instead of being retried for an hour against a platform that said no.
 */
export function classifyWecomResult(r: WecomResult): SendResult {
  const e = `${r.errcode} ${r.errmsg ?? ''}`.trim();
  switch (r.errcode) {
    case 0:
      return partialFailure(r) ?? { ok: true };
    case 45009: // api freq out of limit: the robot is over 20 posts a minute
    case 45011: // minute quota reached
      return { ok: false, retry: 'throttled', retryAfterMs: 60_000, error: e };
    case 45033: // too many concurrent calls
      return { ok: false, retry: 'throttled', retryAfterMs: 5000, error: e };
    case 60020: // not allowed from this IP: an operator must add the egress IP, then posts flow again
      return { ok: false, retry: 'throttled', retryAfterMs: 10 * 60_000, error: `${e} — add this server's egress IP to the app's 企业可信IP, or route through WECOM_API_BASE` };
    case -1: // system busy
      return { ok: false, retry: 'transient', error: e };
  }
  const invalid = INVALID_CODES[r.errcode];
  if (invalid) return { ok: false, retry: 'never', error: `${e} — ${invalid}` };
  return { ok: false, retry: 'never', error: `${e} — errcode not known to gongzhi: not retried; check it in WeCom's 全局错误码 and resend with \`outbox resend\`` };
}

/**
 * message/send answers errcode 0 even when a recipient got nothing: it lists them in
 * invaliduser / invalidparty / invalidtag (unknown or outside the app's 可见范围) and
 * unlicenseduser (no 接口许可). Such a post was not delivered, and retrying cannot change that.
 */
function partialFailure(r: WecomResult): SendResult | null {
  const missed = (['invaliduser', 'invalidparty', 'invalidtag', 'unlicenseduser'] as const).flatMap((k) => {
    const v = r[k];
    const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split('|') : [];
    return list.filter(Boolean).length ? [`${k}=${list.filter(Boolean).join('|')}`] : [];
  });
  return missed.length
    ? { ok: false, retry: 'never', error: `WeCom accepted the message but did not deliver it: ${missed.join(', ')} — check the staff account ids and the app's 可见范围 / 接口许可` }
    : null;
}

/** The longest start of `text` whose reply (markdown-literal when needed, plus the mentions) fits one response_url post. */
function responseUrlPart(text: string, literal: boolean, mentions: string): string {
  const room = WECOM_MARKDOWN_BYTES - (mentions ? utf8Length(`\n${mentions}`) : 0);
  const shown = (s: string) => utf8Length(literal ? markdownLiteral(s) : s);
  if (shown(text) <= room) return text;
  let end = 0;
  let used = 0;
  for (const ch of text) {
    // Full-width look-alikes take three bytes where the original took one: count what is shown.
    const n = shown(ch);
    if (used + n > room) break;
    used += n;
    end += ch.length;
  }
  // Cut at a line break when one is near the end, so the group part starts on a fresh line.
  const nl = text.lastIndexOf('\n', end);
  return nl > end / 2 ? text.slice(0, nl) : text.slice(0, end);
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
    const fallback = (rest: OutboundMessage) => (t.chatType === 'group' ? toGroup(t.chatId, rest) : send({ ...rest, target: { kind: 'direct', userId: t.chatId } }));
    if (!offHost && t.handle.kind === 'wecom-response-url' && new Date(t.handle.expiresAt) > now()) {
      // A response_url takes one post, within the hour: the first part goes there, the rest (with
      // the @-mentions, so people are pinged once the answer is complete) through the group.
      const literal = m.payload.format !== 'markdown';
      const mentions = mentionsLine(m.payload.mentions);
      const fits = responseUrlPart(m.payload.text, literal, mentions);
      const rest = m.payload.text.slice(fits.length);
      const shown = literal ? markdownLiteral(fits) : fits;
      const content = !rest && mentions ? `${shown}\n${mentions}` : shown;
      let answer: WecomResult | Error;
      try {
        answer = await opts.client.postResponseUrl(t.handle.url, { msgtype: 'markdown', markdown: { content } });
      } catch (e) {
        answer = e as Error;
      }
      const r = answer instanceof Error ? null : classifyWecomResult(answer);
      if (r?.ok) return rest ? fallback({ ...m, payload: { ...m.payload, text: rest.replace(/^\s+/, '') } }) : r;
      // Used, expired, refused or unanswered: it is not tried again; the group channel carries the reply.
      opts.logger.warn('wecom.response_url_rejected', { error: r && !r.ok ? r.error : (answer as Error).message });
    }
    return fallback(m);
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
