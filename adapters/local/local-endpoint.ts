import { z } from 'zod';
import type { InboundMessage } from '../../src/domain/message';
import { BadPayloadError } from '../http-util';
import type { InboundEndpoint } from '../types';

/** The playground's wire format: what the page posts, as a platform would post its callback. */
export const localMessageSchema = z.object({
  messageId: z.string().min(1).max(128),
  chat: z.enum(['group', 'direct']),
  chatId: z.string().min(1).max(128),
  chatTitle: z.string().max(128).optional(),
  userId: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  text: z.string().min(1, '消息不能为空').max(2000, '消息过长（最多 2000 字）'),
  /** A ticket number the message replies to, as a quote would. */
  quote: z.string().max(64).optional(),
});
export type LocalWireMessage = z.infer<typeof localMessageSchema>;

/**
 * The playground runs only on a developer's machine (off in production), so there is no
 * signature: verification checks that the body is JSON, parsing checks its shape.
 */
export function createLocalEndpoint(): InboundEndpoint {
  return {
    platform: 'local',
    name: 'local',
    verify(req) {
      try {
        JSON.parse(req.body);
        return { ok: true, value: req.body };
      } catch {
        return { ok: false, reason: 'bad_body', hint: 'the playground posts JSON' };
      }
    },
    parse(verified, receivedAt): InboundMessage {
      const r = localMessageSchema.safeParse(JSON.parse(verified));
      if (!r.success) throw new BadPayloadError(r.error.issues.map((i) => i.message).join('; '));
      const m = r.data;
      return {
        platform: 'local',
        messageId: m.messageId,
        chatType: m.chat,
        chatId: m.chat === 'group' ? m.chatId : m.userId,
        ...(m.chatTitle ? { chatTitle: m.chatTitle } : {}),
        sender: { userId: m.userId, name: m.name },
        text: m.text,
        ...(m.quote ? { quotedText: m.quote } : {}),
        receivedAt,
      };
    },
    ack: () => ({ body: '{}', contentType: 'application/json' }),
  };
}
