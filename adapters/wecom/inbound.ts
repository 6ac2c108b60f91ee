import { z } from 'zod';
import type { AttachmentRef, InboundMessage } from '../../src/domain/message';
import { BadPayloadError, parseQueryOnce, readXmlFields } from '../http-util';
import type { RawRequest, VerifyResult } from '../types';
import { checkSignature, decryptStrict, parseAesKey, WecomCryptoError } from './crypto';

export interface WecomCallbackSettings {
  token: string;
  encodingAesKey: string;
  /** "" for the AI bot (智能机器人); the corp id for a self-built app. */
  receiveId: string;
  /** Which settings an operator should check, for log lines. */
  settingNames: { token: string; aesKey: string; receiveId?: string };
}

const HINTS: Record<string, (s: WecomCallbackSettings) => string> = {
  missing_params: () => 'the request lacks msg_signature/timestamp/nonce: is this URL really the WeCom callback URL?',
  bad_signature: (s) => `msg_signature does not match: check ${s.settingNames.token} against the Token in the WeCom admin console`,
  bad_key: (s) => `${s.settingNames.aesKey} must be the 43-character EncodingAESKey from the WeCom admin console`,
  wrong_receive_id: (s) =>
    s.settingNames.receiveId
      ? `the message was encrypted for another corp: check ${s.settingNames.receiveId}`
      : 'the message carries a receive id: this URL is for the AI bot (智能机器人); self-built app callbacks go to /webhooks/wecom-app',
  default: (s) => `the encrypted body could not be decrypted: check ${s.settingNames.aesKey} (EncodingAESKey)`,
};

const failure = <T>(reason: string, s: WecomCallbackSettings): VerifyResult<T> => ({
  ok: false,
  reason,
  hint: (HINTS[reason] ?? HINTS.default!)(s),
});

/** Verifies msg_signature over `encrypted` and decrypts it; pure apart from the AES itself. */
export async function verifyAndDecrypt(s: WecomCallbackSettings, query: Record<string, string>, encrypted: string): Promise<VerifyResult<string>> {
  const { msg_signature: sig, timestamp, nonce } = query;
  if (!sig || !timestamp || !nonce) return failure('missing_params', s);
  if (!checkSignature(s.token, timestamp, nonce, encrypted, sig)) return failure('bad_signature', s);
  try {
    return { ok: true, value: await decryptStrict(parseAesKey(s.encodingAesKey), encrypted, s.receiveId) };
  } catch (e) {
    if (e instanceof WecomCryptoError) return failure(e.code, s);
    return { ok: false, reason: 'bad_body', hint: `${HINTS.default!(s)} (${(e as Error).message})` };
  }
}

/** GET URL verification: decrypt echostr and answer it as plain text (no quotes, no newline). */
export async function verifyEchostr(s: WecomCallbackSettings, req: RawRequest): Promise<VerifyResult<string>> {
  const query = parseQueryOnce(req.url);
  if (!query.echostr) return failure('missing_params', s);
  return verifyAndDecrypt(s, query, query.echostr);
}

// --- 智能机器人 (AI bot, API mode): JSON bodies ---------------------------------------------

const textPart = z.object({ content: z.string() });
/** An image's download URL (valid about five minutes, AES-256-CBC encrypted); long-connection frames add the key. */
const imagePart = z.object({ url: z.string(), aeskey: z.string().optional() });
const aibotSchema = z.object({
  msgid: z.string().min(1).max(256),
  aibotid: z.string().optional(),
  chatid: z.string().optional(),
  chattype: z.enum(['single', 'group']),
  from: z.object({ userid: z.string().min(1) }),
  response_url: z.string().url().optional(),
  msgtype: z.string(),
  text: textPart.optional(),
  voice: textPart.optional(),
  image: imagePart.optional(),
  mixed: z
    .object({ msg_item: z.array(z.object({ msgtype: z.string(), text: textPart.optional(), image: imagePart.optional() })) })
    .optional(),
  quote: z
    .object({ msgtype: z.string(), text: textPart.optional(), mixed: z.unknown().optional() })
    .optional(),
  event: z.object({ eventtype: z.string() }).passthrough().optional(),
});
export type AibotCallback = z.infer<typeof aibotSchema>;

export async function verifyAibotPost(s: WecomCallbackSettings, req: RawRequest): Promise<VerifyResult<string>> {
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return { ok: false, reason: 'bad_body', hint: 'the body is not JSON: WeCom AI-bot callbacks are {"encrypt": "..."}' };
  }
  const encrypted = z.object({ encrypt: z.string().min(1) }).safeParse(body);
  if (!encrypted.success) return { ok: false, reason: 'bad_body', hint: 'the body has no "encrypt" field: is the AI bot in API mode with JSON callbacks?' };
  return verifyAndDecrypt(s, parseQueryOnce(req.url), encrypted.data.encrypt);
}

/** The response_url may be used once, within an hour of the callback. */
const RESPONSE_URL_TTL_MS = 60 * 60 * 1000;

export function parseAibot(plaintext: string, receivedAt: Date): InboundMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw new BadPayloadError('decrypted AI-bot payload is not JSON');
  }
  const r = aibotSchema.safeParse(json);
  if (!r.success) throw new BadPayloadError(`unexpected AI-bot payload: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const m = r.data;
  const isGroup = m.chattype === 'group';
  const base = {
    platform: 'wecom' as const,
    messageId: m.msgid,
    chatType: isGroup ? ('group' as const) : ('direct' as const),
    chatId: isGroup && m.chatid ? m.chatid : m.from.userid,
    sender: { userId: m.from.userid },
    receivedAt,
    ...(m.response_url
      ? { reply: { kind: 'wecom-response-url', url: m.response_url, expiresAt: new Date(receivedAt.getTime() + RESPONSE_URL_TTL_MS).toISOString() } }
      : {}),
    raw: { aibotid: m.aibotid ?? null, msgtype: m.msgtype },
  };
  if (m.msgtype === 'event') {
    return m.event?.eventtype === 'enter_chat' ? { ...base, text: '', event: 'enter_chat' } : null;
  }
  // Stream refreshes only ask how a streamed answer is going; we never stream.
  if (m.msgtype === 'stream') return null;
  const images = aibotImages(m);
  const text =
    m.msgtype === 'text'
      ? m.text?.content ?? ''
      : m.msgtype === 'mixed'
        ? mixedText(m)
        : m.msgtype === 'voice'
          ? m.voice?.content ?? '[语音]'
          : m.msgtype === 'image'
            ? '[图片]'
            : m.msgtype === 'file'
              ? '[文件]'
              : '';
  const quoted = m.quote?.text?.content;
  return { ...base, text, ...(quoted ? { quotedText: quoted } : {}), ...(images.length ? { attachments: images } : {}) };
}

/** The words of a 图文混排 message; photos travel as attachments, so only a photo-only message reads `[图片]`. */
function mixedText(m: AibotCallback): string {
  const words = (m.mixed?.msg_item ?? []).flatMap((i) => (i.msgtype === 'text' && i.text?.content.trim() ? [i.text.content.trim()] : []));
  return words.length ? words.join(' ') : '[图片]';
}

/** Photo references (webhook: decrypted with the bot's EncodingAESKey; long connection: each URL's own aeskey). */
export function aibotImages(m: Pick<AibotCallback, 'msgtype' | 'image' | 'mixed'>): AttachmentRef[] {
  const parts = m.msgtype === 'image' ? [m.image] : m.msgtype === 'mixed' ? (m.mixed?.msg_item ?? []).filter((i) => i.msgtype === 'image').map((i) => i.image) : [];
  return parts.flatMap((p) => (p && p.url.length <= 2048 && URL.canParse(p.url) && (p.aeskey ?? '').length <= 128 ? [{ kind: 'wecom-image' as const, url: p.url, ...(p.aeskey ? { aesKey: p.aeskey } : {}) }] : [])).slice(0, 20);
}

// --- 自建应用 (self-built app): XML bodies, one-to-one --------------------------------------

export async function verifyAppPost(s: WecomCallbackSettings, req: RawRequest): Promise<VerifyResult<string>> {
  let fields: Record<string, string>;
  try {
    fields = readXmlFields(req.body);
  } catch {
    return { ok: false, reason: 'bad_body', hint: 'the body is not WeCom callback XML (<xml><Encrypt>…</Encrypt></xml>)' };
  }
  if (!fields.Encrypt) return { ok: false, reason: 'bad_body', hint: 'the XML has no <Encrypt>: enable 安全模式 (encrypted callbacks) for the app' };
  return verifyAndDecrypt(s, parseQueryOnce(req.url), fields.Encrypt);
}

export function parseApp(plaintext: string, receivedAt: Date): InboundMessage | null {
  const f = readXmlFields(plaintext);
  if (!f.FromUserName || !f.MsgType) throw new BadPayloadError('app callback without FromUserName/MsgType');
  const base = {
    platform: 'wecom' as const,
    chatType: 'direct' as const,
    chatId: f.FromUserName,
    sender: { userId: f.FromUserName },
    receivedAt,
    raw: { agentId: f.AgentID ?? null, msgtype: f.MsgType },
  };
  if (f.MsgType === 'event') {
    if (f.Event !== 'enter_agent' && f.Event !== 'subscribe') return null;
    // Events have no MsgId; one welcome per user per event time is what WeCom would resend.
    return { ...base, messageId: `app:event:${f.FromUserName}:${f.Event}:${f.CreateTime ?? ''}`, text: '', event: 'enter_chat' };
  }
  if (!f.MsgId) throw new BadPayloadError('app message without MsgId');
  const text = f.MsgType === 'text' ? f.Content ?? '' : f.MsgType === 'voice' ? f.Recognition || '[语音]' : f.MsgType === 'image' ? '[图片]' : '';
  return { ...base, messageId: `app:${f.MsgId}`, text };
}
