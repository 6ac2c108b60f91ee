import { createCipheriv } from 'node:crypto';
import { encrypt } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, decryptStrict, parseAesKey, WecomCryptoError } from '../../../adapters/wecom/crypto';
import { verifyEchostr } from '../../../adapters/wecom/inbound';

// WeCom's official sample vector (callback/Sample.py in the Python SDK).
const SAMPLE = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  aesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
  answer: '1288432023552776189',
};

const settings = { token: SAMPLE.token, encodingAesKey: SAMPLE.aesKey, receiveId: SAMPLE.corpId, settingNames: { token: 'WECOM_APP_TOKEN', aesKey: 'WECOM_APP_AES_KEY', receiveId: 'WECOM_CORP_ID' } };
const get = (query: string) => ({ method: 'GET', url: new URL(`https://bot.example/webhooks/wecom-app?${query}`), headers: new Headers(), body: '' });

describe('WeCom callback crypto', () => {
  it('answers the official sample GET verification with the plain echostr', async () => {
    const q = `msg_signature=${SAMPLE.signature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(SAMPLE.echostr)}`;
    expect(await verifyEchostr(settings, get(q))).toEqual({ ok: true, value: SAMPLE.answer });
  });

  it('URL-decodes exactly once: a raw "+" in echostr is kept, not turned into a space', async () => {
    const q = `msg_signature=${SAMPLE.signature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${SAMPLE.echostr}`;
    expect(await verifyEchostr(settings, get(q))).toEqual({ ok: true, value: SAMPLE.answer });
    const twice = `msg_signature=${SAMPLE.signature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(encodeURIComponent(SAMPLE.echostr))}`;
    expect((await verifyEchostr(settings, get(twice))).ok).toBe(false);
  });

  it('rejects a wrong signature, naming the setting to check', async () => {
    const q = `msg_signature=${'0'.repeat(40)}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(SAMPLE.echostr)}`;
    expect(await verifyEchostr(settings, get(q))).toMatchObject({ ok: false, reason: 'bad_signature', hint: expect.stringContaining('WECOM_APP_TOKEN') });
    expect(checkSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr, SAMPLE.signature.toUpperCase())).toBe(true);
    expect(checkSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr, 'short')).toBe(false);
  });

  it('checks the receive id that @wecom/crypto ignores', async () => {
    const key = parseAesKey(SAMPLE.aesKey);
    await expect(decryptStrict(key, SAMPLE.echostr, '')).rejects.toThrow(new WecomCryptoError('wrong_receive_id'));
    await expect(decryptStrict(key, SAMPLE.echostr, 'ww-another-corp')).rejects.toThrow(/wrong_receive_id/);
  });

  it('round-trips with @wecom/crypto, including multi-byte text', async () => {
    const text = '{"text":{"content":"@共治助手 园区路灯坏了半年了没人修"}}';
    expect(await decryptStrict(parseAesKey(SAMPLE.aesKey), encrypt(SAMPLE.aesKey, text, ''), '')).toBe(text);
  });

  it('rejects bad padding that @wecom/crypto would accept, and malformed base64', async () => {
    const key = parseAesKey(SAMPLE.aesKey);
    const msg = Buffer.from('hello');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(msg.length);
    const body = Buffer.concat([Buffer.alloc(16, 7), len, msg]);
    const padLen = 32 - (body.length % 32);
    const badPad = Buffer.concat([body, Buffer.alloc(padLen - 1, padLen), Buffer.from([33])]); // last byte 33 > 32
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const forged = Buffer.concat([c.update(badPad), c.final()]).toString('base64');
    await expect(decryptStrict(key, forged, '')).rejects.toThrow(/bad_padding/);
    await expect(decryptStrict(key, 'not base64!!', '')).rejects.toThrow(/bad_base64/);
    await expect(decryptStrict(key, Buffer.alloc(20).toString('base64'), '')).rejects.toThrow(/bad_length/);
    expect(() => parseAesKey('too-short')).toThrow(/bad_key/);
  });
});
