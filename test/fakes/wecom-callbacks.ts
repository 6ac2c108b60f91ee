import { createCipheriv } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import type { RawRequest } from '../../adapters/types';

export const WECOM_BOT = { token: 'bot-token-for-tests', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
export const WECOM_APP = { corpId: 'ww-test-corp', token: 'app-token-for-tests', aesKey: '0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', agentId: '1000002', secret: 'app-secret' };

/** The environment that switches on both WeCom endpoints (AI bot and self-built app) against `apiBase`. */
export function wecomRawEnv(apiBase: string): Record<string, string> {
  return {
    WECOM_BOT_TOKEN: WECOM_BOT.token,
    WECOM_BOT_AES_KEY: WECOM_BOT.aesKey,
    WECOM_CORP_ID: WECOM_APP.corpId,
    WECOM_APP_TOKEN: WECOM_APP.token,
    WECOM_APP_AES_KEY: WECOM_APP.aesKey,
    WECOM_AGENT_ID: WECOM_APP.agentId,
    WECOM_APP_SECRET: WECOM_APP.secret,
    WECOM_API_BASE: apiBase,
  };
}

/** What WeCom would send: the plaintext encrypted for `receiveId`, signed, with query parameters. */
export function signedCallback(opts: { token: string; aesKey: string; receiveId: string; plaintext: string; timestamp?: string; nonce?: string }) {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? Math.random().toString(36).slice(2, 10);
  const encrypted = encrypt(opts.aesKey, opts.plaintext, opts.receiveId);
  const signature = getSignature(opts.token, timestamp, nonce, encrypted);
  const query = `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
  return { encrypted, signature, timestamp, nonce, query };
}

export function aibotTextPayload(o: { msgid: string; chatid?: string; userid: string; text: string; responseUrl: string; chattype?: 'group' | 'single'; quote?: string }) {
  return JSON.stringify({
    msgid: o.msgid,
    aibotid: 'AIBOTID',
    chattype: o.chattype ?? 'group',
    ...(o.chattype === 'single' ? {} : { chatid: o.chatid ?? 'wr-county-chat' }),
    from: { userid: o.userid },
    response_url: o.responseUrl,
    msgtype: 'text',
    text: { content: o.text },
    ...(o.quote ? { quote: { msgtype: 'text', text: { content: o.quote } } } : {}),
  });
}

export function aibotRequest(base: string, plaintext: string, overrides: { token?: string } = {}): RawRequest & { init: RequestInit; href: string } {
  const cb = signedCallback({ token: overrides.token ?? WECOM_BOT.token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext });
  const href = `${base}/webhooks/wecom?${cb.query}`;
  const body = JSON.stringify({ encrypt: cb.encrypted });
  return { method: 'POST', url: new URL(href), headers: new Headers({ 'content-type': 'application/json' }), body, href, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body } };
}

/**
 * An AI-bot image as WeCom serves it at `image.url`: AES-256-CBC with the key (a long-connection
 * frame's `aeskey`, or the bot's EncodingAESKey for webhooks), IV = the key's first 16 bytes,
 * PKCS#7 padding to a multiple of 32 bytes.
 */
export function encryptWecomMedia(plain: Uint8Array, aesKey: string): Buffer {
  const key = Buffer.from(aesKey.length === 43 ? `${aesKey}=` : aesKey, 'base64');
  const pad = 32 - (plain.length % 32);
  const padded = Buffer.concat([Buffer.from(plain), Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/** An AI-bot callback with photos: `image` alone, or `mixed` text and images (URLs from the fake's serveImage). */
export function aibotImagePayload(o: { msgid: string; chatid?: string; userid: string; responseUrl: string; images: string[]; text?: string; chattype?: 'group' | 'single' }) {
  const base = {
    msgid: o.msgid,
    aibotid: 'AIBOTID',
    chattype: o.chattype ?? 'group',
    ...(o.chattype === 'single' ? {} : { chatid: o.chatid ?? 'wr-county-chat' }),
    from: { userid: o.userid },
    response_url: o.responseUrl,
  };
  if (o.text === undefined && o.images.length === 1) return JSON.stringify({ ...base, msgtype: 'image', image: { url: o.images[0] } });
  const items = [...(o.text !== undefined ? [{ msgtype: 'text', text: { content: o.text } }] : []), ...o.images.map((url) => ({ msgtype: 'image', image: { url } }))];
  return JSON.stringify({ ...base, msgtype: 'mixed', mixed: { msg_item: items } });
}
