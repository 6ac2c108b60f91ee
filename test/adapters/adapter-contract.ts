import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEndpoint, OutboundAdapter, RawRequest } from '../../adapters/types';
import type { ReplyHandle } from '../../src/domain/message';

export interface ContractMessage {
  messageId: string;
  chatType: 'group' | 'direct';
  chatId: string;
  userId: string;
  text: string;
}

/** What one adapter must provide to be checked by the shared contract. */
export interface AdapterFixture {
  endpoint: InboundEndpoint;
  sender: OutboundAdapter;
  groupChatId: string;
  /** The platform's callback request for a message. */
  request(m: ContractMessage, now: Date): RawRequest;
  /** The same request made with the wrong credentials; null where the platform does not sign. */
  forged(m: ContractMessage, now: Date): RawRequest | null;
  /** A reply handle as the platform's callback would carry it. */
  replyHandle(tag: string): ReplyHandle;
  /** What the platform received that contains `marker`. */
  delivered(marker: string): Promise<{ text: string; mentions: string[] } | undefined>;
  /** Makes the platform throttle the next group post; null where the platform never throttles. */
  throttleNextGroupPost: (() => void) | null;
  close(): Promise<void>;
}

/**
 * One suite, every adapter (as Hono runs one router suite against every router): inbound
 * requests verify and parse into the same common message; forged ones are refused with a
 * hint; group posts, replies and one-to-one posts arrive; throttling asks for a later retry.
 */
export function adapterContract(name: string, make: () => Promise<AdapterFixture>) {
  describe(`adapter contract: ${name}`, () => {
    let f: AdapterFixture;
    const now = new Date();
    beforeAll(async () => {
      f = await make();
    });
    afterAll(async () => f?.close());

    const msg = (over: Partial<ContractMessage> = {}): ContractMessage => ({
      messageId: `contract-${Math.random().toString(36).slice(2)}`,
      chatType: 'group',
      chatId: f.groupChatId,
      userId: 'contract-user',
      text: '厂区配电室跳闸，整条线停了',
      ...over,
    });

    it('verifies and parses a group message into the common shape', async () => {
      const m = msg();
      const v = await f.endpoint.verify(f.request(m, now), now);
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      const parsed = f.endpoint.parse(v.value, now);
      expect(parsed).toMatchObject({ platform: f.endpoint.platform, messageId: m.messageId, chatType: 'group', chatId: m.chatId, sender: { userId: m.userId } });
      expect(parsed!.text).toContain(m.text);
      expect(parsed!.receivedAt).toEqual(now);
    });

    it('parses a one-to-one message with the sender as the chat', async () => {
      const m = msg({ chatType: 'direct', chatId: 'contract-user' });
      const v = await f.endpoint.verify(f.request(m, now), now);
      expect(v.ok && f.endpoint.parse(v.value, now)).toMatchObject({ chatType: 'direct', chatId: 'contract-user' });
    });

    it('is deterministic: a redelivery parses to the same message id', async () => {
      const m = msg();
      const ids: Array<string | null | undefined> = [];
      for (let i = 0; i < 2; i++) {
        const v = await f.endpoint.verify(f.request(m, now), now);
        ids.push(v.ok ? f.endpoint.parse(v.value, now)?.messageId : null);
      }
      expect(ids[0]).toBe(m.messageId);
      expect(ids[1]).toBe(m.messageId);
    });

    it('refuses a forged request with a reason and a configuration hint', async () => {
      const forged = f.forged(msg(), now);
      if (!forged) return; // unsigned platform (the local playground)
      const v = await f.endpoint.verify(forged, now);
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.reason).toBeTruthy();
        expect(v.hint.length).toBeGreaterThan(10);
      }
    });

    it('posts to a group, with @-mentions', async () => {
      const r = await f.sender.send({ platform: f.endpoint.platform, target: { kind: 'group', chatId: f.groupChatId }, payload: { format: 'text', text: '契约测试：群消息 G1', mentions: ['lidian'] } });
      expect(r).toEqual({ ok: true });
      const got = await f.delivered('契约测试：群消息 G1');
      expect(got?.text).toContain('契约测试：群消息 G1');
      expect(got?.mentions).toEqual(['lidian']);
    });

    it('answers through the reply channel while it is valid', async () => {
      const r = await f.sender.send({
        platform: f.endpoint.platform,
        target: { kind: 'reply', handle: f.replyHandle('R1'), chatId: f.groupChatId, chatType: 'group' },
        payload: { format: 'text', text: '契约测试：回复 R1', mentions: [] },
      });
      expect(r).toEqual({ ok: true });
      expect((await f.delivered('契约测试：回复 R1'))?.text).toContain('契约测试：回复 R1');
    });

    it('sends one-to-one', async () => {
      const r = await f.sender.send({ platform: f.endpoint.platform, target: { kind: 'direct', userId: 'lidian' }, payload: { format: 'text', text: '契约测试：私信 D1', mentions: [] } });
      expect(r).toEqual({ ok: true });
      expect((await f.delivered('契约测试：私信 D1'))?.text).toContain('契约测试：私信 D1');
    });

    it('asks for a later retry when the platform throttles', async () => {
      if (!f.throttleNextGroupPost) return;
      f.throttleNextGroupPost();
      const r = await f.sender.send({ platform: f.endpoint.platform, target: { kind: 'group', chatId: f.groupChatId }, payload: { format: 'text', text: '契约测试：限流', mentions: [] } });
      expect(r).toMatchObject({ ok: false, retry: 'throttled', retryAfterMs: expect.any(Number) });
    });

    it('dead-letters a post to a group it has no channel for', async () => {
      const r = await f.sender.send({ platform: f.endpoint.platform, target: { kind: 'group', chatId: 'no-such-group' }, payload: { format: 'text', text: 'x', mentions: [] } });
      if (f.endpoint.platform === 'local') return; // the playground shows every chat
      expect(r).toMatchObject({ ok: false, retry: 'never' });
    });
  });
}
