import { randomBytes } from 'node:crypto';
import { decryptFile } from '@wecom/aibot-node-sdk';
import { describe, expect, it } from 'vitest';
import { decryptWecomMedia } from '../../../adapters/wecom/media';
import { parseAibot } from '../../../adapters/wecom/inbound';
import { PhotoFetchError } from '../../../adapters/download';
import { encryptWecomMedia, WECOM_BOT } from '../../fakes/wecom-callbacks';

const at = new Date('2026-11-23T02:00:00Z');
const base = { msgid: 'm1', aibotid: 'AIBOTID', chatid: 'wr-county-chat', chattype: 'group', from: { userid: 'qs-jixie-liu' }, response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x' };

describe('WeCom AI-bot photos (接收消息: image, mixed)', () => {
  it('an image message is the placeholder text and one reference; a long-connection aeskey travels with it', () => {
    const m = parseAibot(JSON.stringify({ ...base, msgtype: 'image', image: { url: 'https://ww-aibot-img.example.qq.com/a?x=1', aeskey: 'k'.repeat(43) } }), at)!;
    expect(m.text).toBe('[图片]');
    expect(m.attachments).toEqual([{ kind: 'wecom-image', url: 'https://ww-aibot-img.example.qq.com/a?x=1', aesKey: 'k'.repeat(43) }]);
  });

  it('a 图文混排 message keeps its words as the text and every image as a reference (webhook: no key of its own)', () => {
    const m = parseAibot(
      JSON.stringify({
        ...base,
        msgtype: 'mixed',
        mixed: { msg_item: [{ msgtype: 'text', text: { content: '@共治助手 路灯坏了' } }, { msgtype: 'image', image: { url: 'https://img.example/1' } }, { msgtype: 'text', text: { content: '半年了' } }, { msgtype: 'image', image: { url: 'https://img.example/2' } }] },
      }),
      at,
    )!;
    expect(m.text).toBe('@共治助手 路灯坏了 半年了');
    expect(m.attachments).toEqual([
      { kind: 'wecom-image', url: 'https://img.example/1' },
      { kind: 'wecom-image', url: 'https://img.example/2' },
    ]);
    const onlyImages = parseAibot(JSON.stringify({ ...base, msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'image', image: { url: 'https://img.example/3' } }] } }), at)!;
    expect(onlyImages.text).toBe('[图片]');
  });

  it('a text message has no attachments; an image without a usable URL is left out rather than failing the message', () => {
    expect(parseAibot(JSON.stringify({ ...base, msgtype: 'text', text: { content: 'hi' } }), at)!.attachments).toBeUndefined();
    const m = parseAibot(JSON.stringify({ ...base, msgtype: 'image', image: { url: 'not a url' } }), at)!;
    expect(m.text).toBe('[图片]');
    expect(m.attachments).toBeUndefined();
  });

  it('decrypts exactly as the official SDK does, with the webhook EncodingAESKey and with a frame key', async () => {
    for (const key of [WECOM_BOT.aesKey, randomBytes(32).toString('base64')]) {
      for (const size of [1, 31, 32, 33, 1000]) {
        const plain = randomBytes(size);
        const encrypted = encryptWecomMedia(plain, key);
        const sdkKey = key.length === 43 ? `${key}=` : key;
        expect(Buffer.from(decryptFile(encrypted, sdkKey))).toEqual(plain);
        expect(Buffer.from(await decryptWecomMedia(new Uint8Array(encrypted), key))).toEqual(plain);
      }
    }
  });

  it('a wrong key or a body that is not WeCom ciphertext fails as "decrypt", never as garbage bytes', async () => {
    const encrypted = encryptWecomMedia(randomBytes(100), WECOM_BOT.aesKey);
    await expect(decryptWecomMedia(new Uint8Array(encrypted), randomBytes(32).toString('base64'))).rejects.toSatisfy((e) => e instanceof PhotoFetchError && e.reason === 'decrypt');
    await expect(decryptWecomMedia(new Uint8Array(17), WECOM_BOT.aesKey)).rejects.toSatisfy((e) => e instanceof PhotoFetchError && e.reason === 'decrypt');
    await expect(decryptWecomMedia(new Uint8Array(encrypted), 'c2hvcnQ=')).rejects.toSatisfy((e) => e instanceof PhotoFetchError && e.reason === 'decrypt');
  });
});
