import type { AttachmentRef } from '../../src/domain/message';
import { downloadCapped, PhotoFetchError, type DownloadOptions } from '../download';

/**
 * The AES key of a WeCom AI-bot file: a long-connection frame's own `aeskey` (base64), or the
 * bot's 43-character EncodingAESKey for webhook callbacks (base64 without its final `=`).
 */
function mediaKey(aesKey: string): Uint8Array {
  const key = Buffer.from(aesKey.length === 43 ? `${aesKey}=` : aesKey, 'base64');
  if (key.length !== 32) throw new PhotoFetchError('decrypt', `the AES key decodes to ${key.length} bytes, not 32`);
  return new Uint8Array(key);
}

/**
 * Decrypts an AI-bot image or file exactly as @wecom/aibot-node-sdk's decryptFile does:
 * AES-256-CBC, the IV is the key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes,
 * and nothing else around the content (unlike callback bodies, no random prefix or receive id).
 * Through Web Crypto so the webhook path does the same on Workers.
 */
export async function decryptWecomMedia(data: Uint8Array, aesKey: string): Promise<Uint8Array> {
  const key = mediaKey(aesKey);
  if (data.length === 0 || data.length % 16 !== 0) throw new PhotoFetchError('decrypt', `encrypted length ${data.length} is not a multiple of 16`);
  const subtle = globalThis.crypto.subtle;
  const cryptoKey = await subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt', 'decrypt']);
  // subtle insists on its own 16-byte PKCS#7: one crafted block, E(0x10×16 ⊕ C_last), decrypts to
  // a full pad that subtle strips, leaving WeCom's 32-byte padding for us to check.
  const last = data.slice(data.length - 16);
  const extra = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: last }, cryptoKey, new Uint8Array(16).fill(16))).subarray(0, 16);
  const input = new Uint8Array(data.length + 16);
  input.set(data);
  input.set(extra, data.length);
  const plain = new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: key.slice(0, 16) }, cryptoKey, input));
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 32 || pad > plain.length) throw new PhotoFetchError('decrypt', 'bad padding: wrong key, or not a WeCom file');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new PhotoFetchError('decrypt', 'bad padding: wrong key, or not a WeCom file');
  return plain.subarray(0, plain.length - pad);
}

export interface WecomPhotoSourceOptions {
  /** WECOM_BOT_AES_KEY, for images from webhook callbacks (which carry no key of their own). */
  encodingAesKey: string | null;
  /** The configured API host(s): fetched over http too (a proxy, loopback fakes); other URLs must be https. */
  plainHttpHosts: string[];
}

/** Fetches and decrypts an AI-bot image (the URL is valid about five minutes after the message). */
export function createWecomPhotoSource(opts: WecomPhotoSourceOptions) {
  return async (ref: AttachmentRef, download: Omit<DownloadOptions, 'plainHttpHosts'>): Promise<Uint8Array> => {
    if (ref.kind !== 'wecom-image') throw new PhotoFetchError('failed', `not a WeCom image: ${ref.kind}`);
    const key = ref.aesKey ?? opts.encodingAesKey;
    if (!key) throw new PhotoFetchError('not_configured', 'an image without its own aeskey needs WECOM_BOT_AES_KEY');
    // The encrypted body is at most 32 bytes longer than the photo.
    const encrypted = await downloadCapped(ref.url, { ...download, maxBytes: download.maxBytes + 32, plainHttpHosts: opts.plainHttpHosts });
    return decryptWecomMedia(encrypted, key);
  };
}
