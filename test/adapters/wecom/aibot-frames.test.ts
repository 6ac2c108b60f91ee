import { describe, expect, it } from 'vitest';
import { BadPayloadError } from '../../../adapters/http-util';
import { cardButtonKey, parseAibotFrame, parseCardButtonKey, ticketTemplateCard } from '../../../adapters/wecom/aibot-frames';
import { inboundMessageSchema } from '../../../src/domain/message';

const at = new Date('2026-11-23T02:00:00Z');
const frame = (cmd: string, body: unknown, reqId = 'REQ-1') => ({ cmd, headers: { req_id: reqId }, body });
const msg = (body: Record<string, unknown>) => {
  const r = parseAibotFrame(frame('aibot_msg_callback', { msgid: 'MSG-1', aibotid: 'AIBOTID', from: { userid: 'liuzong' }, ...body }), at);
  if (r.kind !== 'message') throw new Error(`expected a message, got ${r.kind}`);
  // Whatever the parser returns must pass the pipeline's own schema.
  expect(inboundMessageSchema.safeParse(r.message).success).toBe(true);
  return r.message;
};

describe('WeCom long-connection frames (101463) → the common message', () => {
  it('a group text: chat id from chatid, reply handle on the frame req_id', () => {
    const m = msg({ chatid: 'wr-county-chat', chattype: 'group', msgtype: 'text', text: { content: '@共治助手 厂房用电报装一个月没接通' } });
    expect(m).toMatchObject({
      platform: 'wecom',
      messageId: 'MSG-1',
      chatType: 'group',
      chatId: 'wr-county-chat',
      sender: { userId: 'liuzong' },
      text: '@共治助手 厂房用电报装一个月没接通',
      reply: { kind: 'wecom-aibot-frame', url: 'REQ-1', expiresAt: '2026-11-23T02:05:00.000Z' },
    });
    expect(m.attachments).toBeUndefined();
  });

  it('a one-to-one text answers the sender: chat id is the userid', () => {
    const m = msg({ chattype: 'single', msgtype: 'text', text: { content: '你好' } });
    expect(m).toMatchObject({ chatType: 'direct', chatId: 'liuzong' });
  });

  it('a photo alone: [图片] and the encrypted URL with its own aeskey as an attachment', () => {
    const m = msg({ chattype: 'single', msgtype: 'image', image: { url: 'https://ww-aibot-img.example/abc', aeskey: 'KEY-1' } });
    expect(m.text).toBe('[图片]');
    expect(m.attachments).toEqual([{ kind: 'wecom-image', url: 'https://ww-aibot-img.example/abc', aesKey: 'KEY-1' }]);
  });

  it('mixed text and photos: the words as text, every photo attached', () => {
    const m = msg({
      chatid: 'wr-county-chat',
      chattype: 'group',
      msgtype: 'mixed',
      mixed: {
        msg_item: [
          { msgtype: 'text', text: { content: '门口的路塌了' } },
          { msgtype: 'image', image: { url: 'https://ww-aibot-img.example/1', aeskey: 'K1' } },
          { msgtype: 'image', image: { url: 'https://ww-aibot-img.example/2', aeskey: 'K2' } },
        ],
      },
    });
    expect(m.text).toBe('门口的路塌了');
    expect(m.attachments?.map((a) => (a as { aesKey?: string }).aesKey)).toEqual(['K1', 'K2']);
  });

  it('voice uses WeCom’s transcript; a file says [文件]', () => {
    expect(msg({ chattype: 'single', msgtype: 'voice', voice: { content: '我们的工程款拖欠了半年' } }).text).toBe('我们的工程款拖欠了半年');
    expect(msg({ chattype: 'single', msgtype: 'file', file: { url: 'https://x.example/f', aeskey: 'k' } }).text).toBe('[文件]');
  });

  it('a quote keeps the quoted words (text, mixed, voice)', () => {
    expect(msg({ chattype: 'single', msgtype: 'text', text: { content: '/认领' }, quote: { msgtype: 'text', text: { content: 'GZ-20261123-0001【派单】' } } }).quotedText).toBe('GZ-20261123-0001【派单】');
    expect(msg({ chattype: 'single', msgtype: 'text', text: { content: '同上' }, quote: { msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: '停电三天' } }] } } }).quotedText).toBe('停电三天');
  });

  it('enter_chat becomes the welcome event, answerable for 5 s on its req_id', () => {
    const r = parseAibotFrame(frame('aibot_event_callback', { msgid: 'EV-1', create_time: 1700000000, aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'liuzong' }, msgtype: 'event', event: { eventtype: 'enter_chat' } }, 'REQ-W'), at);
    expect(r).toMatchObject({ kind: 'message', message: { event: 'enter_chat', text: '', chatType: 'direct', reply: { kind: 'wecom-aibot-welcome', url: 'REQ-W', expiresAt: '2026-11-23T02:00:05.000Z' } } });
  });

  it('a card click, in the documented (nested) and the SDK’s (flat) shape', () => {
    const nested = parseAibotFrame(frame('aibot_event_callback', { msgid: 'EV-2', aibotid: 'A', chatid: 'wr-county-chat', chattype: 'group', from: { userid: 'lidian' }, msgtype: 'event', event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: 'gz-claim-7', task_id: 'gz-ticket-7-x1' } } }, 'REQ-C'), at);
    expect(nested).toEqual({ kind: 'card-click', click: { msgid: 'EV-2', reqId: 'REQ-C', userId: 'lidian', chatType: 'group', chatId: 'wr-county-chat', eventKey: 'gz-claim-7', taskId: 'gz-ticket-7-x1' } });
    const flat = parseAibotFrame(frame('aibot_event_callback', { msgid: 'EV-3', aibotid: 'A', chattype: 'single', from: { userid: 'lidian' }, msgtype: 'event', event: { eventtype: 'template_card_event', event_key: 'gz-resolve-7', task_id: 't' } }), at);
    expect(flat).toMatchObject({ kind: 'card-click', click: { eventKey: 'gz-resolve-7', chatId: 'lidian' } });
  });

  it('disconnected_event says the connection was replaced; other frames are not messages', () => {
    expect(parseAibotFrame(frame('aibot_event_callback', { msgid: 'x', create_time: 0, aibotid: 'A', msgtype: 'event', event: { eventtype: 'disconnected_event' } }), at)).toEqual({ kind: 'replaced' });
    expect(parseAibotFrame(frame('aibot_event_callback', { event: { eventtype: 'disconnected_event' } }), at)).toEqual({ kind: 'replaced' });
    expect(parseAibotFrame({ headers: { req_id: 'ping_1' }, errcode: 0 }, at).kind).toBe('ignored');
    expect(parseAibotFrame(frame('aibot_event_callback', { msgid: 'f', aibotid: 'A', chattype: 'single', from: { userid: 'u' }, msgtype: 'event', event: { eventtype: 'feedback_event' } }), at).kind).toBe('ignored');
  });

  it('refuses a frame without req_id or a message without msgid/from', () => {
    expect(() => parseAibotFrame({ cmd: 'aibot_msg_callback', body: {} }, at)).toThrow(BadPayloadError);
    expect(() => parseAibotFrame(frame('aibot_msg_callback', { msgtype: 'text', text: { content: 'x' } }), at)).toThrow(BadPayloadError);
  });
});

describe('ticket template cards', () => {
  const params = { number: 'GZ-20261123-0001', content: '厂房用电报装一个月没接通', category: '水电气暖网', department: '国网青山县供电公司', assignee: '' };

  it('offers 认领 and 办结 while waiting, 办结 while handled, 查看进度 when done', () => {
    const keys = (status: string) => ticketTemplateCard(1, { ...params, status }, 'gz-ticket-1-a').button_list.map((b) => `${b.text}:${b.key}`);
    expect(keys('待签收')).toEqual(['认领:gz-claim-1', '办结:gz-resolve-1']);
    expect(keys('办理中')).toEqual(['办结:gz-resolve-1']);
    expect(keys('已办结待评价')).toEqual(['查看进度:gz-status-1']);
    const card = ticketTemplateCard(1, { ...params, status: '办理中', assignee: '李电' }, 'gz-ticket-1-a');
    expect(card).toMatchObject({ card_type: 'button_interaction', task_id: 'gz-ticket-1-a', main_title: { title: 'GZ-20261123-0001【派单】' } });
    expect(card.horizontal_content_list).toContainEqual({ keyname: '承办人', value: '李电' });
  });

  it('button keys round-trip and nothing else parses', () => {
    expect(parseCardButtonKey(cardButtonKey('resolve', 42))).toEqual({ action: 'resolve', ticketId: 42 });
    expect(parseCardButtonKey('gz-delete-42')).toBeNull();
    expect(parseCardButtonKey('btn_confirm')).toBeNull();
  });
});
