import { PhotoFetchError, type DownloadOptions, type PhotoFailure } from '../../adapters/download';
import { sha256Hex } from '../auth/tokens';
import type { AttachmentRef, InboundMessage } from '../domain/message';
import { templates } from '../domain/templates';
import type { Logger } from '../logger';
import type { InboundOutcome } from '../repo/inbound';
import { appendEvents } from '../repo/tickets';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, sniffImage } from '../report-page/images';
import { reply, type MessageContext } from './context';

/**
 * Photos from the chat. The platforms hand over references (WeCom: an encrypted URL valid for
 * minutes; DingTalk: a download code); the bytes are fetched while the message is processed,
 * before its transaction opens (as the LLM is asked), so a slow platform never holds row locks.
 * They are stored like report-page photos (same table, sniffing and limits) and shown on the
 * console and /t/ pages the same way. A photo that cannot be fetched never costs the message:
 * the ticket is opened all the same, and its timeline says which photo is missing and why.
 */

/** Fetches one reference's bytes on one platform (adapters/wecom/media.ts, adapters/dingtalk/media.ts). */
export type PhotoSource = (ref: AttachmentRef, download: Omit<DownloadOptions, 'plainHttpHosts'>) => Promise<Uint8Array>;
export type PhotoSources = Partial<Record<AttachmentRef['kind'], PhotoSource>>;

export type ChatPhoto = { ok: true; contentType: string; bytes: Uint8Array; sha256: string } | { ok: false; reason: PhotoFailure | 'not_image' | 'too_many' };

export interface PhotoFetcher {
  /** The message's photos, fetched (or failed) in order; undefined for a message without any. */
  fetch(msg: InboundMessage): Promise<ChatPhoto[] | undefined>;
}

export interface PhotoFetcherOptions {
  sources: PhotoSources;
  logger: Logger;
  /** Per photo, from the first request to the last byte. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

const REASONS: Record<Exclude<ChatPhoto, { ok: true }>['reason'], string> = {
  expired: '下载链接已过期',
  not_found: '平台上已找不到该图片',
  too_big: `超过 ${MAX_PHOTO_BYTES / 1024 / 1024} MB`,
  not_image: '不是 JPG、PNG 或 WebP 图片',
  too_many: `每条消息最多收 ${MAX_PHOTOS} 张`,
  timeout: '下载超时',
  refused_host: '下载地址不是平台地址',
  decrypt: '无法解密',
  failed: '下载失败',
  not_configured: '未配置该平台的机器人密钥',
};

export function createPhotoFetcher(opts: PhotoFetcherOptions): PhotoFetcher {
  const doFetch = opts.fetch ?? fetch;
  async function one(msg: InboundMessage, ref: AttachmentRef, index: number): Promise<ChatPhoto> {
    if (index >= MAX_PHOTOS) return { ok: false, reason: 'too_many' };
    const source = opts.sources[ref.kind];
    try {
      if (!source) throw new PhotoFetchError('not_configured', `no ${ref.kind} source configured`);
      const bytes = await source(ref, { fetch: doFetch, maxBytes: MAX_PHOTO_BYTES, signal: AbortSignal.timeout(opts.timeoutMs) });
      if (bytes.length > MAX_PHOTO_BYTES) throw new PhotoFetchError('too_big', `${bytes.length} bytes`);
      const contentType = sniffImage(bytes);
      if (!contentType) {
        opts.logger.warn('photo.not_retrieved', { messageId: msg.messageId, platform: msg.platform, reason: 'not_image', bytes: bytes.length });
        return { ok: false, reason: 'not_image' };
      }
      return { ok: true, contentType, bytes, sha256: await sha256Hex(bytes) };
    } catch (e) {
      const reason = e instanceof PhotoFetchError ? e.reason : 'failed';
      // The URL itself is a short-lived credential: the log names the message, not the link.
      opts.logger.warn('photo.not_retrieved', { messageId: msg.messageId, platform: msg.platform, reason, error: (e as Error).message });
      return { ok: false, reason };
    }
  }
  return {
    async fetch(msg) {
      const refs = msg.attachments ?? [];
      if (!refs.length || msg.event) return undefined;
      return Promise.all(refs.map((ref, i) => one(msg, ref, i)));
    },
  };
}

/** Fetches the photos of a batch's messages in parallel, before its transaction. */
export async function fetchBatchPhotos(fetcher: PhotoFetcher | undefined, msgs: InboundMessage[]): Promise<Array<ChatPhoto[] | undefined>> {
  if (!fetcher) return msgs.map((m) => (m.attachments?.length ? m.attachments.map(() => ({ ok: false, reason: 'not_configured' as const })) : undefined));
  return Promise.all(msgs.map((m) => fetcher.fetch(m)));
}

/** A message of photos and nothing else (`[图片]` is the adapters' placeholder). */
export function isPhotoOnly(msg: InboundMessage): boolean {
  return !!msg.attachments?.length && msg.text.replace(/\[图片\]/g, '').trim() === '';
}

function windowMs(ctx: MessageContext): number {
  return ctx.deps.config.chatPhotos.attachWindowMinutes * 60_000;
}

const originChat = (msg: InboundMessage) => `${msg.platform}:${msg.chatId}`;

function missingNote(photos: ChatPhoto[]): string | null {
  const missing = photos.filter((p): p is Exclude<ChatPhoto, { ok: true }> => !p.ok);
  if (!missing.length) return null;
  const reasons = [...new Set(missing.map((p) => REASONS[p.reason]))].join('；');
  return `${missing.length} 张照片未能取回（${reasons}）`;
}

async function insertPhotos(ctx: MessageContext, photos: ChatPhoto[], ticketId: number | null): Promise<number> {
  const ok = photos.filter((p): p is Extract<ChatPhoto, { ok: true }> => p.ok);
  if (!ok.length) return 0;
  await ctx.tx
    .insertInto('attachments')
    .values(
      ok.map((p) => ({
        ticket_id: ticketId,
        requester_id: ctx.requester!.id,
        origin_chat: ticketId === null ? originChat(ctx.msg) : null,
        content_type: p.contentType,
        bytes: p.bytes.length,
        sha256: p.sha256,
        data: p.bytes,
        created_at: ctx.now,
      })),
    )
    .execute();
  return ok.length;
}

/** A note in the ticket's timeline (console; not the requester's /t/ page, which shows no notes). */
async function noteMissing(ctx: MessageContext, ticketId: number, photos: ChatPhoto[]): Promise<string | null> {
  const note = missingNote(photos);
  if (!note) return null;
  const reasons = photos.flatMap((p) => (p.ok ? [] : [p.reason]));
  await appendEvents(ctx.tx, ticketId, [{ kind: 'note', fromStatus: null, toStatus: null, actor: ctx.actor, at: ctx.now, data: { note, photosMissing: reasons, messageId: ctx.msg.messageId } }]);
  return note;
}

/**
 * The ticket of the sender's last report in this chat within the window: a ticket they opened
 * (found by the ticket itself, so a report earlier in the same batch counts), or the last message
 * of theirs that became a 附议 or a photo on a ticket. Never a private ticket from a group: its
 * number stays out of the group.
 */
async function recentReport(ctx: MessageContext): Promise<{ id: number; number: string } | null> {
  const since = new Date(ctx.now.getTime() - windowMs(ctx));
  // One after the other: both run on the transaction's one connection.
  const opened = await ctx.tx
    .selectFrom('tickets')
    .select(['id', 'number', 'is_private', 'received_at as at'])
    .where('requester_id', '=', ctx.requester!.id)
    .where('origin_platform', '=', ctx.msg.platform)
    .where('origin_chat_id', '=', ctx.msg.chatId)
    .where('received_at', '>=', since)
    .orderBy('received_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const followed = await ctx.tx
    .selectFrom('inbound_messages as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .select(['t.id', 't.number', 't.is_private', 'm.received_at as at'])
    .where('m.platform', '=', ctx.msg.platform)
    .where('m.chat_id', '=', ctx.msg.chatId)
    .where('m.sender_id', '=', ctx.msg.sender.userId)
    .where('m.outcome', 'in', ['ticket', 'attached'])
    .where('m.received_at', '>=', since)
    .orderBy('m.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = [opened, followed].filter((r) => r !== undefined).sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime())[0];
  if (!row || (row.is_private && ctx.msg.chatType === 'group')) return null;
  return { id: row.id, number: row.number };
}

/**
 * A photo sent alone: right after a report by the same sender in the same chat (the window is
 * chatPhotos.attachWindowMinutes) it joins that report's ticket and the bot confirms; otherwise the
 * sender is told how to report, and the photo waits for their next report in this chat within the
 * window (keepPhotos attaches it then).
 */
export async function photoFollowUp(ctx: MessageContext, photos: ChatPhoto[]): Promise<{ outcome: InboundOutcome; ticketId: number | null; ticketNumber: string | null }> {
  const target = await recentReport(ctx);
  const note = missingNote(photos);
  if (target) {
    const stored = await insertPhotos(ctx, photos, target.id);
    await noteMissing(ctx, target.id, photos);
    const parts = [stored ? `已将 ${stored} 张照片附到工单 ${target.number}。` : `照片未能附到工单 ${target.number}。`];
    if (note) parts.push(`${note}，请重新发送。`);
    reply(ctx, parts.join(''), { ticketId: target.id });
    return { outcome: 'attached', ticketId: target.id, ticketNumber: target.number };
  }
  const stored = await insertPhotos(ctx, photos, null);
  await forgetStaleWaiting(ctx);
  const minutes = ctx.deps.config.chatPhotos.attachWindowMinutes;
  const kept = stored ? `照片已收到，${minutes} 分钟内您描述问题时会一并附上。` : '';
  reply(ctx, `${templates.directChatterHint('zh')}${kept}${note ? `${note}，请重新发送。` : ''}`);
  return { outcome: 'ignored', ticketId: null, ticketNumber: null };
}

/**
 * Waiting photos nobody reported within the window are not kept, and a sender keeps at most a
 * report's worth (MAX_PHOTOS, the newest) waiting per chat: photos alone cannot pile up.
 */
async function forgetStaleWaiting(ctx: MessageContext): Promise<void> {
  await ctx.tx.deleteFrom('attachments').where('ticket_id', 'is', null).where('created_at', '<', new Date(ctx.now.getTime() - windowMs(ctx))).execute();
  const mine = () =>
    ctx.tx.selectFrom('attachments').select('id').where('ticket_id', 'is', null).where('requester_id', '=', ctx.requester!.id).where('origin_chat', '=', originChat(ctx.msg));
  const keep = (await mine().orderBy('id', 'desc').limit(MAX_PHOTOS).execute()).map((r) => r.id);
  if (keep.length === MAX_PHOTOS) {
    await ctx.tx.deleteFrom('attachments').where('ticket_id', 'is', null).where('requester_id', '=', ctx.requester!.id).where('origin_chat', '=', originChat(ctx.msg)).where('id', 'not in', keep).execute();
  }
}

/**
 * After a message was handled: a report (ticket or 附议) takes the photos that came with it and
 * those its sender sent alone in this chat just before; photos with other text wait like photos
 * sent alone. Commands, events and staff messages keep no photos.
 */
export async function keepPhotos(ctx: MessageContext, photos: ChatPhoto[] | undefined, handled: { outcome: InboundOutcome; ticketId: number | null }): Promise<void> {
  // A photo sent alone was handled whole by photoFollowUp.
  if (ctx.staff || !ctx.requester || ctx.msg.event || isPhotoOnly(ctx.msg)) return;
  const isReport = (handled.outcome === 'ticket' || handled.outcome === 'attached') && handled.ticketId !== null;
  if (isReport) {
    const since = new Date(ctx.now.getTime() - windowMs(ctx));
    await ctx.tx
      .updateTable('attachments')
      .set({ ticket_id: handled.ticketId, origin_chat: null })
      .where('ticket_id', 'is', null)
      .where('requester_id', '=', ctx.requester.id)
      .where('origin_chat', '=', originChat(ctx.msg))
      .where('created_at', '>=', since)
      .execute();
  }
  if (!photos?.length) return;
  if (isReport) {
    await insertPhotos(ctx, photos, handled.ticketId);
    await noteMissing(ctx, handled.ticketId!, photos);
  } else if (handled.outcome !== 'command') {
    await insertPhotos(ctx, photos, null);
    await forgetStaleWaiting(ctx);
  }
}
