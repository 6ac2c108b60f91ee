import { z } from 'zod';
import type { AttachmentRef, InboundMessage } from '../../src/domain/message';
import { BadPayloadError } from '../http-util';

const robotMessage = z.object({
  msgId: z.string().min(1).max(256),
  msgtype: z.string(),
  conversationId: z.string().min(1),
  conversationType: z.string(),
  conversationTitle: z.string().optional(),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
  /** The organisation the sender belongs to; in a cross-organisation group, another one's. */
  senderCorpId: z.string().optional(),
  /** The organisation the robot (our app) belongs to. */
  chatbotCorpId: z.string().optional(),
  senderNick: z.string().optional(),
  atUsers: z.array(z.object({ dingtalkId: z.string().optional(), staffId: z.string().optional() })).optional(),
  isInAtList: z.boolean().optional(),
  sessionWebhook: z.string().url().optional(),
  sessionWebhookExpiredTime: z.number().optional(),
  robotCode: z.string().optional(),
  createAt: z.number().optional(),
  text: z.object({ content: z.string() }).optional(),
  content: z
    .object({
      richText: z
        .array(z.object({ text: z.string().optional(), type: z.string().optional(), downloadCode: z.string().optional(), pictureDownloadCode: z.string().optional() }).passthrough())
        .optional(),
      recognition: z.string().optional(),
      downloadCode: z.string().optional(),
      pictureDownloadCode: z.string().optional(),
    })
    .passthrough()
    .optional(),
});
export type DingtalkRobotMessage = z.infer<typeof robotMessage>;

function textOf(m: DingtalkRobotMessage): string {
  switch (m.msgtype) {
    case 'text':
      // DingTalk removes the @mention but leaves the space that followed it.
      return (m.text?.content ?? '').trim();
    case 'richText': {
      // Pictures travel as attachments: only a richText of pictures alone reads `[图片]`.
      const words = (m.content?.richText ?? []).map((p) => p.text ?? '').join('').trim();
      return words || ((m.content?.richText ?? []).some((p) => p.type === 'picture') ? '[图片]' : '');
    }
    case 'picture':
      return '[图片]';
    case 'audio':
      return m.content?.recognition ?? '[语音]';
    default:
      return '';
  }
}

/**
 * Pictures as download codes, exchanged for a URL by the robot message-file API
 * (POST /v1.0/robot/messageFiles/download {downloadCode, robotCode}).
 */
export function dingtalkPictures(m: DingtalkRobotMessage): AttachmentRef[] {
  const code = (p: { downloadCode?: string | undefined; pictureDownloadCode?: string | undefined } | undefined) => p?.downloadCode || p?.pictureDownloadCode || '';
  const codes =
    m.msgtype === 'picture' ? [code(m.content)] : m.msgtype === 'richText' ? (m.content?.richText ?? []).filter((p) => p.type === 'picture').map(code) : [];
  return codes
    .filter((c) => c.length > 0 && c.length <= 4096)
    .slice(0, 20)
    .map((downloadCode) => ({ kind: 'dingtalk-file' as const, downloadCode, ...(m.robotCode && m.robotCode.length <= 128 ? { robotCode: m.robotCode } : {}) }));
}

export interface DingtalkParseOptions {
  /** The deployment's own organisation (DINGTALK_CORP_ID); without it the robot's (chatbotCorpId) stands in. */
  corpId?: string | undefined;
}

/**
 * A sender of another organisation (an external contact, or a member of the other organisation
 * in a cross-organisation group) is nobody's staff here: their senderStaffId is a userid of
 * their own organisation and may equal one of ours. Their id is kept apart (ext:<corp>:<senderId>)
 * so it never matches a staff account. With DINGTALK_CORP_ID set a sender must name that
 * organisation; without it, only a sender naming an organisation other than the robot's is apart.
 */
function foreignCorp(m: DingtalkRobotMessage, corpId: string | undefined): boolean {
  if (corpId) return m.senderCorpId !== corpId;
  return !!m.senderCorpId && !!m.chatbotCorpId && m.senderCorpId !== m.chatbotCorpId;
}

/** The same payload arrives in HTTP mode (request body) and Stream mode (frame data). */
export function parseDingtalkRobot(json: string, receivedAt: Date, opts: DingtalkParseOptions = {}): InboundMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new BadPayloadError('DingTalk robot payload is not JSON');
  }
  const r = robotMessage.safeParse(data);
  if (!r.success) throw new BadPayloadError(`unexpected DingTalk robot payload: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const m = r.data;
  const foreign = foreignCorp(m, opts.corpId);
  const own = m.senderStaffId ?? m.senderId;
  if (!own) throw new BadPayloadError('DingTalk robot payload without a sender');
  const userId = foreign ? `ext:${(m.senderCorpId ?? 'unknown').slice(0, 64)}:${(m.senderId ?? own).slice(0, 180)}` : own;
  const isGroup = m.conversationType === '2';
  const pictures = dingtalkPictures(m);
  const reply =
    m.sessionWebhook && m.sessionWebhookExpiredTime
      ? { kind: 'dingtalk-session', url: m.sessionWebhook, expiresAt: new Date(m.sessionWebhookExpiredTime).toISOString() }
      : undefined;
  return {
    platform: 'dingtalk',
    messageId: m.msgId,
    chatType: isGroup ? 'group' : 'direct',
    chatId: isGroup ? m.conversationId : userId,
    ...(m.conversationTitle ? { chatTitle: m.conversationTitle } : {}),
    sender: { userId, ...(m.senderNick ? { name: m.senderNick } : {}) },
    text: textOf(m),
    receivedAt,
    ...(reply ? { reply } : {}),
    ...(pictures.length ? { attachments: pictures } : {}),
    raw: { robotCode: m.robotCode ?? null, msgtype: m.msgtype, conversationId: m.conversationId, isInAtList: m.isInAtList ?? null, ...(foreign ? { senderCorpId: m.senderCorpId ?? null, external: true } : {}) },
  };
}
