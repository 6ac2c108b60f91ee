import { z } from 'zod';
import type { AttachmentRef, InboundMessage } from '../../src/domain/message';
import { BadPayloadError } from '../http-util';

/**
 * 智能机器人长连接 (document 101463, SDK @wecom/aibot-node-sdk): the frames as they travel on the
 * socket. Pure: no socket, no clock — the receiver passes the time it got the frame.
 */
export const AIBOT_CMD = {
  subscribe: 'aibot_subscribe',
  ping: 'ping',
  msgCallback: 'aibot_msg_callback',
  eventCallback: 'aibot_event_callback',
  respond: 'aibot_respond_msg',
  respondWelcome: 'aibot_respond_welcome_msg',
  respondUpdate: 'aibot_respond_update_msg',
  send: 'aibot_send_msg',
} as const;

/** Reply handles of long-connection messages: `url` holds the frame's req_id (replies go back on the socket). */
export const AIBOT_REPLY_KIND = 'wecom-aibot-frame';
export const AIBOT_WELCOME_KIND = 'wecom-aibot-welcome';

/** The welcome must be the answer to the enter_chat frame within 5 s (101463 回复欢迎语). */
export const AIBOT_WELCOME_WINDOW_MS = 5000;
/**
 * How long we answer a message on its own req_id. The document gives no figure for ordinary
 * replies; a reply that waits longer (rate limit, retries) goes to the chat with aibot_send_msg.
 */
export const AIBOT_REPLY_WINDOW_MS = 5 * 60_000;

const textPart = z.object({ content: z.string().max(20_000) });
const imagePart = z.object({ url: z.string().url().max(2048), aeskey: z.string().max(128).optional() });
const mixedPart = z.object({
  msg_item: z.array(z.object({ msgtype: z.string(), text: textPart.optional(), image: imagePart.optional() })).max(50),
});

const bodySchema = z
  .object({
    msgid: z.string().min(1).max(256),
    aibotid: z.string().optional(),
    chatid: z.string().min(1).max(256).optional(),
    chattype: z.enum(['single', 'group']).optional(),
    from: z.object({ userid: z.string().min(1).max(256), corpid: z.string().optional() }),
    msgtype: z.string(),
    text: textPart.optional(),
    image: imagePart.optional(),
    mixed: mixedPart.optional(),
    voice: textPart.optional(),
    file: z.object({ url: z.string().optional() }).passthrough().optional(),
    quote: z
      .object({ msgtype: z.string(), text: textPart.optional(), mixed: mixedPart.optional(), voice: textPart.optional(), image: imagePart.optional() })
      .optional(),
    event: z
      .object({
        eventtype: z.string(),
        // 101027 nests the click under the event type's name; the SDK's types put it on the event itself.
        template_card_event: z.object({ event_key: z.string().optional(), task_id: z.string().optional() }).passthrough().optional(),
        event_key: z.string().optional(),
        task_id: z.string().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const aibotFrameSchema = z.object({
  cmd: z.string().optional(),
  headers: z.object({ req_id: z.string().min(1).max(512) }).passthrough(),
  body: z.unknown().optional(),
  errcode: z.number().optional(),
  errmsg: z.string().optional(),
});
export type AibotFrame = z.infer<typeof aibotFrameSchema>;

export interface CardClick {
  msgid: string;
  reqId: string;
  userId: string;
  chatType: 'group' | 'direct';
  chatId: string;
  eventKey: string;
  taskId: string;
}

export type ParsedAibotFrame =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'card-click'; click: CardClick }
  /** disconnected_event: another connection for this bot took over; the server closes this one. */
  | { kind: 'replaced' }
  | { kind: 'ignored'; reason: string };

function mixedText(m: z.infer<typeof mixedPart> | undefined): { text: string; images: AttachmentRef[] } {
  const images: AttachmentRef[] = [];
  const words: string[] = [];
  for (const item of m?.msg_item ?? []) {
    if (item.msgtype === 'text' && item.text) words.push(item.text.content);
    if (item.msgtype === 'image' && item.image) images.push({ kind: 'wecom-image', url: item.image.url, ...(item.image.aeskey ? { aesKey: item.image.aeskey } : {}) });
  }
  const text = words.join(' ').trim();
  return { text: text || (images.length ? '[图片]' : ''), images };
}

/** A long-connection callback frame → the common message, a card click, or nothing to handle. */
export function parseAibotFrame(input: unknown, receivedAt: Date): ParsedAibotFrame {
  const frame = aibotFrameSchema.safeParse(input);
  if (!frame.success) throw new BadPayloadError('long-connection frame without headers.req_id');
  const { cmd, headers } = frame.data;
  if (cmd !== AIBOT_CMD.msgCallback && cmd !== AIBOT_CMD.eventCallback) return { kind: 'ignored', reason: `cmd ${cmd ?? '(none)'}` };
  const r = bodySchema.safeParse(frame.data.body);
  if (!r.success) {
    // The server's own notice carries little more than the event type.
    const ev = (frame.data.body as { event?: { eventtype?: unknown } } | undefined)?.event?.eventtype;
    if (ev === 'disconnected_event') return { kind: 'replaced' };
    throw new BadPayloadError(`unexpected long-connection body: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  }
  const m = r.data;
  const isGroup = m.chattype === 'group' && !!m.chatid;
  const chatType = isGroup ? ('group' as const) : ('direct' as const);
  const chatId = isGroup ? m.chatid! : m.from.userid;
  const base = {
    platform: 'wecom' as const,
    messageId: m.msgid,
    chatType,
    chatId,
    sender: { userId: m.from.userid },
    receivedAt,
    raw: { aibotid: m.aibotid ?? null, msgtype: m.msgtype, channel: 'long-connection' },
  };

  if (cmd === AIBOT_CMD.eventCallback || m.msgtype === 'event') {
    const type = m.event?.eventtype;
    if (type === 'disconnected_event') return { kind: 'replaced' };
    if (type === 'enter_chat') {
      const handle = { kind: AIBOT_WELCOME_KIND, url: headers.req_id, expiresAt: new Date(receivedAt.getTime() + AIBOT_WELCOME_WINDOW_MS).toISOString() };
      return { kind: 'message', message: { ...base, text: '', event: 'enter_chat', reply: handle } };
    }
    if (type === 'template_card_event') {
      const eventKey = m.event?.template_card_event?.event_key ?? m.event?.event_key;
      const taskId = m.event?.template_card_event?.task_id ?? m.event?.task_id;
      if (!eventKey || !taskId) return { kind: 'ignored', reason: 'template_card_event without event_key/task_id' };
      return { kind: 'card-click', click: { msgid: m.msgid, reqId: headers.req_id, userId: m.from.userid, chatType, chatId, eventKey, taskId } };
    }
    return { kind: 'ignored', reason: `event ${type ?? '(none)'}` };
  }

  let text: string;
  let attachments: AttachmentRef[] = [];
  switch (m.msgtype) {
    case 'text':
      text = m.text?.content ?? '';
      break;
    case 'voice':
      // WeCom transcribes voice messages; the transcript is what the enterprise said.
      text = m.voice?.content || '[语音]';
      break;
    case 'image':
      text = '[图片]';
      if (m.image) attachments = [{ kind: 'wecom-image', url: m.image.url, ...(m.image.aeskey ? { aesKey: m.image.aeskey } : {}) }];
      break;
    case 'mixed': {
      const mixed = mixedText(m.mixed);
      text = mixed.text;
      attachments = mixed.images;
      break;
    }
    case 'file':
      text = '[文件]';
      break;
    default:
      return { kind: 'ignored', reason: `msgtype ${m.msgtype}` };
  }
  const q = m.quote;
  const quoted = q ? (q.msgtype === 'mixed' ? mixedText(q.mixed).text : q.msgtype === 'voice' ? q.voice?.content : q.msgtype === 'image' ? '[图片]' : q.text?.content) : undefined;
  const reply = { kind: AIBOT_REPLY_KIND, url: headers.req_id, expiresAt: new Date(receivedAt.getTime() + AIBOT_REPLY_WINDOW_MS).toISOString() };
  return {
    kind: 'message',
    message: {
      ...base,
      text,
      reply,
      ...(quoted ? { quotedText: quoted } : {}),
      ...(attachments.length ? { attachments: attachments.slice(0, 20) } : {}),
    },
  };
}

// --- Template cards (按钮交互型) on dispatch notices -----------------------------------------

/** Button keys name the action and the ticket; task ids must be unique per bot (≤128 bytes of [A-Za-z0-9_-@]). */
export type CardAction = 'claim' | 'resolve' | 'status';
export const cardButtonKey = (action: CardAction, ticketId: number) => `gz-${action}-${ticketId}`;

export function parseCardButtonKey(key: string): { action: CardAction; ticketId: number } | null {
  const m = /^gz-(claim|resolve|status)-(\d{1,12})$/.exec(key);
  return m ? { action: m[1] as CardAction, ticketId: Number(m[2]) } : null;
}

export const cardTaskId = (ticketId: number, unique: string) => `gz-ticket-${ticketId}-${unique.replace(/[^A-Za-z0-9_\-@]/g, '').slice(0, 60)}`;

export interface AibotTemplateCard {
  card_type: 'button_interaction';
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: Array<{ keyname: string; value: string }>;
  button_list: Array<{ text: string; style?: number; key: string }>;
  task_id: string;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The ticket as a template card (params are pipeline/cards.ts's ticketCardParams, already
 * masked). Buttons only for what the ticket still needs: 认领 while it waits to be claimed,
 * 办结 while it is being handled; otherwise 查看进度 (a button card needs one button, and a
 * text_notice would need a link to open).
 */
export function ticketTemplateCard(ticketId: number, params: Record<string, string>, taskId: string): AibotTemplateCard {
  const status = params.status ?? '';
  const buttons = [
    ...(status === '待签收' ? [{ text: '认领', style: 1, key: cardButtonKey('claim', ticketId) }] : []),
    ...(status === '待签收' || status === '办理中' ? [{ text: '办结', style: 2, key: cardButtonKey('resolve', ticketId) }] : []),
  ];
  if (buttons.length === 0) buttons.push({ text: '查看进度', style: 2, key: cardButtonKey('status', ticketId) });
  const rows = [
    { keyname: '类别', value: params.category ?? '' },
    { keyname: '承办单位', value: params.department ?? '' },
    { keyname: '状态', value: status },
    ...(params.assignee ? [{ keyname: '承办人', value: params.assignee }] : []),
  ].map((r) => ({ keyname: cut(r.keyname, 5), value: cut(r.value, 30) }));
  const card: AibotTemplateCard = {
    card_type: 'button_interaction',
    main_title: { title: cut(`${params.number ?? ''}【派单】`, 26), desc: cut(params.department ?? '', 30) },
    sub_title_text: cut(params.content ?? '', 112),
    horizontal_content_list: rows,
    button_list: buttons,
    task_id: taskId,
  };
  return card;
}
