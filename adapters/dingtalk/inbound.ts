import { z } from 'zod';
import type { InboundMessage } from '../../src/domain/message';
import { BadPayloadError } from '../http-util';

const robotMessage = z.object({
  msgId: z.string().min(1).max(256),
  msgtype: z.string(),
  conversationId: z.string().min(1),
  conversationType: z.string(),
  conversationTitle: z.string().optional(),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
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
      richText: z.array(z.object({ text: z.string().optional(), type: z.string().optional() }).passthrough()).optional(),
      recognition: z.string().optional(),
      downloadCode: z.string().optional(),
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
    case 'richText':
      return (m.content?.richText ?? [])
        .map((p) => (p.text !== undefined ? p.text : p.type === 'picture' ? '[图片]' : ''))
        .join('')
        .trim();
    case 'picture':
      return '[图片]';
    case 'audio':
      return m.content?.recognition ?? '[语音]';
    default:
      return '';
  }
}

/** The same payload arrives in HTTP mode (request body) and Stream mode (frame data). */
export function parseDingtalkRobot(json: string, receivedAt: Date): InboundMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new BadPayloadError('DingTalk robot payload is not JSON');
  }
  const r = robotMessage.safeParse(data);
  if (!r.success) throw new BadPayloadError(`unexpected DingTalk robot payload: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const m = r.data;
  const userId = m.senderStaffId ?? m.senderId;
  if (!userId) throw new BadPayloadError('DingTalk robot payload without a sender');
  const isGroup = m.conversationType === '2';
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
    raw: { robotCode: m.robotCode ?? null, msgtype: m.msgtype, conversationId: m.conversationId, isInAtList: m.isInAtList ?? null },
  };
}
