import { z } from 'zod';
import type { OutboundMessage } from '../../src/domain/message';
import type { Logger } from '../../src/logger';
import { isAllowedReplyUrl } from '../http-util';
import { splitByBytes } from '../text-split';
import type { OutboundAdapter, SendResult } from '../types';
import type { DingtalkClient, DingtalkOutcome } from './client';

/** DingTalk accepts up to 20,000 bytes of text; stay clear of it. */
export const DINGTALK_TEXT_BYTES = 18_000;

export type DingtalkGroupOutbound =
  | { kind: 'dingtalk-robot'; openConversationId?: string | undefined }
  | { kind: 'dingtalk-custom-robot'; accessToken: string; secret?: string | undefined };

export interface DingtalkSenderOptions {
  client: DingtalkClient;
  outboundFor: (chatId: string) => DingtalkGroupOutbound | null;
  logger: Logger;
  /** The card template (DingTalk card builder) for tickets; without one, posts stay text. */
  cardTemplateId?: string | undefined;
  /** Hosts a sessionWebhook may point at: the configured API bases (oapi.dingtalk.com in production). */
  replyHosts: string[];
  /** A staff member's name for a DingTalk user id (app-robot posts name people instead of @-mentioning them). */
  nameOf?: (userId: string) => string | null;
  /** false without DINGTALK_CLIENT_ID/SECRET: only custom robots (and session webhooks) can post. */
  hasApp?: boolean;
  now?: () => Date;
}


export function classifyDingtalk(o: DingtalkOutcome): SendResult {
  if (o.ok) return { ok: true };
  const error = `${o.code} ${o.message}`.trim();
  if (o.code === '130101') return { ok: false, retry: 'throttled', retryAfterMs: 10 * 60_000, error: `${error} — the robot posted over 20 messages a minute and is muted for 10 minutes` };
  if (o.code === '310000') return { ok: false, retry: 'never', error: `${error} — the custom robot’s security settings (keywords, 加签 secret or IP list) rejected the post` };
  if (o.status === 429 || /Throttl|QpsLimit|Frequency/i.test(o.code)) return { ok: false, retry: 'throttled', retryAfterMs: 60_000, error };
  if (o.status >= 500 || o.code === '-1') return { ok: false, retry: 'transient', error };
  return { ok: false, retry: 'never', error };
}

const batchSendAnswer = z.object({ invalidStaffIdList: z.array(z.string()).optional(), flowControlledStaffIdList: z.array(z.string()).optional() }).passthrough();
const deliverAnswer = z
  .object({
    success: z.boolean().optional(),
    result: z.object({ deliverResults: z.array(z.object({ success: z.boolean(), spaceId: z.string().optional(), errorMsg: z.string().optional() }).passthrough()).optional() }).passthrough().optional(),
  })
  .passthrough();

/**
 * oToMessages/batchSend answers 200 while naming the staff it did not reach: flow-controlled ones
 * (try again in a minute) and invalid ones (not in the organisation or the robot's range).
 */
export function classifyBatchSend(o: DingtalkOutcome): SendResult {
  const r = classifyDingtalk(o);
  if (!r.ok || !o.ok) return r;
  const body = batchSendAnswer.safeParse(o.body ?? {});
  if (!body.success) return r;
  const flow = body.data.flowControlledStaffIdList ?? [];
  const invalid = body.data.invalidStaffIdList ?? [];
  if (invalid.length) return { ok: false, retry: 'never', error: `DingTalk accepted the message but not for ${invalid.join(', ')} (invalidStaffIdList): check the staff accounts (钉钉 userId) and the robot's 可见范围` };
  if (flow.length) return { ok: false, retry: 'throttled', retryAfterMs: 60_000, error: `DingTalk held the message back for ${flow.join(', ')} (flowControlledStaffIdList)` };
  return r;
}

/** createAndDeliver answers 200 with a result per space; a card that reached no space was not delivered. */
export function cardDeliveryFailure(o: DingtalkOutcome): string | null {
  if (!o.ok) return null;
  const body = deliverAnswer.safeParse(o.body ?? {});
  if (!body.success) return null;
  if (body.data.success === false) return 'createAndDeliver answered success=false';
  const failed = (body.data.result?.deliverResults ?? []).filter((d) => !d.success);
  return failed.length ? `card not delivered to ${failed.map((d) => `${d.spaceId ?? '?'}${d.errorMsg ? ` (${d.errorMsg})` : ''}`).join(', ')}` : null;
}

export function createDingtalkSender(opts: DingtalkSenderOptions): OutboundAdapter {
  const now = opts.now ?? (() => new Date());

  async function each(text: string, send: (piece: string, last: boolean) => Promise<DingtalkOutcome>): Promise<SendResult> {
    const pieces = splitByBytes(text, DINGTALK_TEXT_BYTES);
    for (const [i, p] of pieces.entries()) {
      const r = classifyDingtalk(await send(p, i === pieces.length - 1));
      if (!r.ok) return r;
    }
    return { ok: true };
  }

  function toGroup(chatId: string, m: OutboundMessage): Promise<SendResult> {
    const out = opts.outboundFor(chatId);
    if (!out) {
      return Promise.resolve({ ok: false, retry: 'never', error: `no outbound channel for DingTalk group ${chatId}: add outbound { kind: dingtalk-robot } (app robot installed in the group) or dingtalk-custom-robot to this group` });
    }
    if (out.kind !== 'dingtalk-custom-robot' && opts.hasApp === false) {
      return Promise.resolve({ ok: false, retry: 'never', error: `DingTalk group ${chatId} posts through the app robot, but DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not set: set them, or give the group a dingtalk-custom-robot` });
    }
    if (out.kind === 'dingtalk-custom-robot') {
      return each(m.payload.text, (p, last) =>
        opts.client.sendCustomRobot(out.accessToken, out.secret, { msgtype: 'text', text: { content: p }, ...(last && m.payload.mentions.length ? { at: { atUserIds: m.payload.mentions } } : {}) }),
      );
    }
    const card = m.payload.card;
    if (card && opts.cardTemplateId) {
      return (async (): Promise<SendResult> => {
        const answer = await opts.client.createGroupCard(out.openConversationId ?? chatId, opts.cardTemplateId!, card.outTrackId, card.params);
        const undelivered = cardDeliveryFailure(answer);
        const r = classifyDingtalk(answer);
        if (r.ok && !undelivered) return { ok: true, card: { ref: card.outTrackId } };
        if (!r.ok && r.retry !== 'never') return r;
        // A broken template, or a card that reached nobody, must not swallow the dispatch: the text goes instead.
        opts.logger.warn('dingtalk.card_rejected', { error: r.ok ? undelivered : r.error });
        return toGroup(chatId, { ...m, payload: { ...m.payload, card: undefined } });
      })();
    }
    // groupMessages/send has no @ (only custom robots and session webhooks do): the people are
    // named at the end instead, so the post still says who is asked; unknown ids are left out.
    const names = m.payload.mentions.map((id) => opts.nameOf?.(id) ?? null).filter((n): n is string => !!n);
    const text = names.length ? `${m.payload.text}\n${names.map((n) => `@${n}`).join(' ')}` : m.payload.text;
    return each(text, (p) =>
      m.payload.format === 'markdown'
        ? opts.client.sendGroup(out.openConversationId ?? chatId, 'sampleMarkdown', { title: m.payload.title ?? p.slice(0, 20), text: p })
        : opts.client.sendGroup(out.openConversationId ?? chatId, 'sampleText', { content: p }),
    );
  }

  async function send(m: OutboundMessage): Promise<SendResult> {
    const t = m.target;
    if (t.kind === 'group') return toGroup(t.chatId, m);
    if (t.kind === 'card') {
      // Cards exist only where a template is configured; the params were rendered by the drainer.
      if (!opts.cardTemplateId || !m.payload.card) return { ok: true };
      return classifyDingtalk(await opts.client.updateCard(t.ref, m.payload.card.params));
    }
    if (t.kind === 'direct') {
      if (opts.hasApp === false) return { ok: false, retry: 'never', error: 'a DingTalk one-to-one message needs the app robot: set DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET' };
      const pieces = splitByBytes(m.payload.text, DINGTALK_TEXT_BYTES);
      for (const p of pieces) {
        const r = classifyBatchSend(await opts.client.sendDirect([t.userId], 'sampleText', { content: p }));
        if (!r.ok) return r;
      }
      return { ok: true };
    }
    if (t.handle.kind === 'dingtalk-session' && !isAllowedReplyUrl(t.handle.url, opts.replyHosts)) {
      opts.logger.warn('dingtalk.session_webhook_refused', { host: URL.canParse(t.handle.url) ? new URL(t.handle.url).host : null, hint: `a sessionWebhook outside ${opts.replyHosts.join(', ')}: a forged callback, or DINGTALK_OAPI_BASE does not name the host DingTalk sends` });
    } else if (t.handle.kind === 'dingtalk-session' && new Date(t.handle.expiresAt) > now()) {
      const r = await each(m.payload.text, (p, last) =>
        opts.client.sendSession(t.handle.url, { msgtype: 'text', text: { content: p }, ...(last && m.payload.mentions.length ? { at: { atUserIds: m.payload.mentions } } : {}) }),
      );
      if (r.ok || r.retry !== 'never') return r;
      opts.logger.warn('dingtalk.session_webhook_rejected', { error: r.error });
    }
    // The session webhook expired (or was refused): proactive APIs carry the reply instead.
    return t.chatType === 'group' ? toGroup(t.chatId, m) : send({ ...m, target: { kind: 'direct', userId: t.chatId } });
  }

  return {
    platform: 'dingtalk',
    async send(m) {
      try {
        return await send(m);
      } catch (e) {
        return { ok: false, retry: 'transient', error: (e as Error).message };
      }
    },
  };
}
