import { z } from 'zod';

// 'web' is the report page: enterprises outside the chat (or in groups the bot cannot join).
export const PLATFORMS = ['wecom', 'dingtalk', 'local', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const platformSchema = z.enum(PLATFORMS);

/**
 * A way to answer one inbound message directly (WeCom AI-bot `response_url`, DingTalk
 * `sessionWebhook`). Short-lived: after `expiresAt` the group channel is used instead.
 */
export const replyHandleSchema = z.object({
  kind: z.string().min(1),
  url: z.string().min(1),
  expiresAt: z.string().datetime(),
});
export type ReplyHandle = z.infer<typeof replyHandleSchema>;

/**
 * A photo (or file) that came with a chat message. Only a reference travels through the
 * pipeline: the bytes are fetched while the message is processed, because the platforms'
 * URLs expire within minutes and the accepted-message row must stay small.
 */
export const attachmentRefSchema = z.discriminatedUnion('kind', [
  /** WeCom AI bot (webhook or long connection): AES-256-CBC encrypted; long-connection frames carry their own key, webhook ones use the bot's EncodingAESKey. */
  z.object({ kind: z.literal('wecom-image'), url: z.string().url().max(2048), aesKey: z.string().max(128).optional() }),
  /** DingTalk robot `picture` / `richText`: exchanged for a URL via the robot message-file download API. */
  z.object({ kind: z.literal('dingtalk-file'), downloadCode: z.string().min(1).max(4096), robotCode: z.string().max(128).optional() }),
]);
export type AttachmentRef = z.infer<typeof attachmentRefSchema>;

/** What every adapter turns a platform callback into. */
export const inboundMessageSchema = z.object({
  platform: platformSchema,
  messageId: z.string().min(1).max(256),
  chatType: z.enum(['group', 'direct']),
  chatId: z.string().min(1).max(256),
  chatTitle: z.string().max(256).optional(),
  sender: z.object({ userId: z.string().min(1).max(256), name: z.string().max(128).optional() }),
  /** Text with the bot's @mention removed. */
  text: z.string().max(20_000),
  quotedText: z.string().max(20_000).optional(),
  event: z.enum(['enter_chat']).optional(),
  receivedAt: z.date(),
  reply: replyHandleSchema.optional(),
  /** Photos sent with this message (a photo alone has text `[图片]`). */
  attachments: z.array(attachmentRefSchema).max(20).optional(),
  /** Adapter-specific details kept for audit (never secrets). */
  raw: z.record(z.string(), z.unknown()).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const outboundTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), chatId: z.string() }),
  z.object({ kind: z.literal('direct'), userId: z.string() }),
  z.object({ kind: z.literal('reply'), handle: replyHandleSchema, chatId: z.string(), chatType: z.enum(['group', 'direct']) }),
  /**
   * An update of a card the platform delivered earlier (`ref` is what the sender returned for it:
   * DingTalk's outTrackId, WeCom's response_code …); `payload.card.params` is rendered at delivery.
   */
  z.object({ kind: z.literal('card'), chatId: z.string(), ref: z.string().min(1) }),
]);
export type OutboundTarget = z.infer<typeof outboundTargetSchema>;

export const outboundPayloadSchema = z.object({
  format: z.enum(['text', 'markdown']),
  text: z.string(),
  /** Platform user ids to @-mention. */
  mentions: z.array(z.string()).default([]),
  title: z.string().optional(),
  /** An interactive card where the platform supports one (DingTalk); the text is the fallback. */
  card: z.object({ outTrackId: z.string(), params: z.record(z.string(), z.string()) }).optional(),
});
export type OutboundPayload = z.infer<typeof outboundPayloadSchema>;

export interface OutboundMessage {
  platform: Platform;
  target: OutboundTarget;
  payload: OutboundPayload;
}

/** An adapter produced a message outside the common shape (e.g. text over the length limit): a 4xx, not a 5xx. */
export class InvalidMessageError extends Error {}
