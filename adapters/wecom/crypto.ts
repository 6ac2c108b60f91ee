import { timingSafeEqual } from 'node:crypto';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';

export type CryptoFailure =
  | 'bad_signature'
  | 'bad_base64'
  | 'bad_length'
  | 'bad_padding'
  | 'bad_message_length'
  | 'wrong_receive_id'
  | 'bad_key';

export class WecomCryptoError extends Error {
  constructor(readonly code: CryptoFailure) {
    super(code);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The 43-character EncodingAESKey → 32-byte AES key (its first 16 bytes are the IV). */
export function parseAesKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new WecomCryptoError('bad_key');
  return key;
}

/** msg_signature = sha1(sort(token, timestamp, nonce, encrypt)), compared in constant time. */
export function checkSignature(token: string, timestamp: string, nonce: string, encrypted: string, signature: string): boolean {
  const expected = Buffer.from(getSignature(token, timestamp, nonce, encrypted), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * AES-256-CBC with WeCom's framing: random(16) | msg_len(4, big-endian) | msg | receive_id,
 * PKCS#7-padded to a multiple of 32. Stricter than @wecom/crypto, which accepts any padding
 * byte and never compares the receive id: a forged or truncated body fails here.
 */
export async function decryptStrict(key: Buffer, encrypted: string, receiveId: string): Promise<string> {
  if (!BASE64.test(encrypted)) throw new WecomCryptoError('bad_base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 32 !== 0) throw new WecomCryptoError('bad_length');
  const plain = Buffer.from(await aesCbcDecryptRaw(key, data));
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 32 || pad > plain.length) throw new WecomCryptoError('bad_padding');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new WecomCryptoError('bad_padding');
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new WecomCryptoError('bad_message_length');
  const len = body.readUInt32BE(16);
  if (20 + len > body.length) throw new WecomCryptoError('bad_message_length');
  const id = body.subarray(20 + len).toString('utf8');
  if (id !== receiveId) throw new WecomCryptoError('wrong_receive_id');
  return body.subarray(20, 20 + len).toString('utf8');
}

/**
 * AES-256-CBC without padding removal, through Web Crypto so it runs on Node and on Workers
 * alike. crypto.subtle insists on 16-byte PKCS#7 padding, but WeCom pads to 32: we append one
 * crafted block, E(0x10×16 ⊕ C_last), which decrypts to a full 16-byte pad that subtle strips,
 * leaving the raw plaintext with WeCom's own padding for us to check.
 */
async function aesCbcDecryptRaw(keyInput: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const keyBytes = new Uint8Array(keyInput);
  const key = await subtle.importKey('raw', keyBytes, 'AES-CBC', false, ['encrypt', 'decrypt']);
  const lastBlock = new Uint8Array(data.subarray(data.length - 16));
  const fullPad = new Uint8Array(16).fill(16);
  const extra = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: lastBlock }, key, fullPad)).subarray(0, 16);
  const withExtra = new Uint8Array(data.length + 16);
  withExtra.set(data);
  withExtra.set(extra, data.length);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: keyBytes.subarray(0, 16) }, key, withExtra));
}

/** Encrypts a passive reply and signs it, as WeCom expects the response body of a callback. */
export function encryptReply(token: string, encodingAesKey: string, receiveId: string, plaintext: string, timestamp: string, nonce: string) {
  const encrypted = wecomEncrypt(encodingAesKey, plaintext, receiveId);
  return { encrypt: encrypted, msgsignature: getSignature(token, timestamp, nonce, encrypted), timestamp: Number(timestamp), nonce };
}

export { getSignature, wecomEncrypt };
