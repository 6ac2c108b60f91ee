import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomClient } from '../../../adapters/wecom/client';
import { createWecomSender } from '../../../adapters/wecom/sender';
import type { OutboundMessage } from '../../../src/domain/message';
import { createMemoryLogger } from '../../../src/logger';
import { startFakeServer } from '../../fakes/http-server';
import { startFakeWecom } from '../../fakes/wecom-api';
import { WECOM_APP } from '../../fakes/wecom-callbacks';
import { createTestClock } from '../../helpers/runtime';
import type { DatabaseHandle } from '../../../src/db/database';
import { createOutboxDrainer } from '../../../src/outbox/drainer';
import { enqueueOutbox } from '../../../src/repo/outbox';
import { describeOnDatabases } from '../../helpers/databases';

describe('WeCom replies through response_url', () => {
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let attacker: Awaited<ReturnType<typeof startFakeServer>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const logger = createMemoryLogger();
  let sender: ReturnType<typeof createWecomSender>;

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    attacker = await startFakeServer(() => ({ json: { errcode: 0 } }));
    const client = createWecomClient({ apiBase: wecom.base, app: null });
    sender = createWecomSender({ client, webhookKeyFor: (chatId) => (chatId === 'wr-county' ? 'group-key' : null), logger, now: clock.now, replyHosts: [new URL(wecom.base).host] });
  });
  afterAll(async () => {
    await wecom?.close();
    await attacker?.close();
  });

  const reply = (url: string, text: string, mentions: string[] = []): OutboundMessage => ({
    platform: 'wecom',
    target: { kind: 'reply', chatType: 'group', chatId: 'wr-county', handle: { kind: 'wecom-response-url', url, expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() } },
    payload: { format: 'text', text, mentions },
  } as OutboundMessage);

  it('shows echoed user text literally: no links, mentions or formatting smuggled into the markdown', async () => {
    const url = `${wecom.base}/cgi-bin/aibot/response?response_code=md-1`;
    const echoed = 'GZ-20261123-0001 诉求：[点此领取补贴](http://evil.example/) <@all> **紧急** <font color="warning">假通知</font>\n# 标题\n> 引用 `code`';
    expect(await sender.send(reply(url, echoed, ['caojun']))).toEqual({ ok: true });
    const post = wecom.posts('/cgi-bin/aibot/response').find((p) => p.query.response_code === 'md-1')!;
    const content = (post.body as { markdown: { content: string } }).markdown.content;
    expect(content).not.toMatch(/\]\(|<@all>|\*\*|<font|^#|^>|`/m);
    expect(content).toContain('点此领取补贴');
    expect(content).toContain('假通知');
    // Our own mention stays a mention.
    expect(content.endsWith('<@caojun>')).toBe(true);
  });

  it('never posts to a response_url outside the WeCom API host; the group carries the reply', async () => {
    const r = await sender.send(reply(`${attacker.base}/cgi-bin/aibot/response?response_code=evil`, 'GZ-20261123-0002 已受理'));
    expect(r).toEqual({ ok: true });
    expect(attacker.requests).toEqual([]);
    expect(wecom.posts('/cgi-bin/webhook/send').some((p) => JSON.stringify(p.body).includes('GZ-20261123-0002 已受理'))).toBe(true);
    expect(logger.lines.find((l) => l.event === 'wecom.response_url_refused')).toBeTruthy();
  });
});

// Issue 17 fix 3: a response_url takes one post within the hour.
describe('WeCom response_url: once per message, long replies and refusals through the group', () => {
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const logger = createMemoryLogger();
  let sender: ReturnType<typeof createWecomSender>;

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    const client = createWecomClient({ apiBase: wecom.base, app: null });
    sender = createWecomSender({ client, webhookKeyFor: (chatId) => (chatId === 'wr-county' ? 'group-key' : null), logger, now: clock.now, replyHosts: [new URL(wecom.base).host] });
  });
  afterAll(async () => wecom?.close());

  const reply = (code: string, text: string, mentions: string[] = [], expiresInMs = 3600_000): OutboundMessage => ({
    platform: 'wecom',
    target: { kind: 'reply', chatType: 'group', chatId: 'wr-county', handle: { kind: 'wecom-response-url', url: `${wecom.base}/cgi-bin/aibot/response?response_code=${code}`, expiresAt: new Date(clock.now().getTime() + expiresInMs).toISOString() } },
    payload: { format: 'text', text, mentions },
  });
  const groupTexts = () => wecom.posts('/cgi-bin/webhook/send').map((p) => p.body as { msgtype: string; text?: { content: string; mentioned_list?: string[] } });
  const bytes = (s: string) => new TextEncoder().encode(s).length;

  it('a long reply: the first part through the response_url, the rest in the group, nothing cut off, @ once at the end', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `第 ${i + 1} 条：青山县营商环境共商共治工单进度说明，承办单位已签收并正在办理。`);
    const text = lines.join('\n');
    expect(bytes(text)).toBeGreaterThan(8000);
    const before = groupTexts().length;
    expect(await sender.send(reply('long-1', text, ['caojun']))).toEqual({ ok: true });
    const [first] = wecom.posts('/cgi-bin/aibot/response').filter((p) => p.query.response_code === 'long-1');
    const head = (first!.body as { markdown: { content: string } }).markdown.content;
    expect(bytes(head)).toBeLessThanOrEqual(4096);
    expect(head).not.toContain('<@caojun>');
    const rest = groupTexts().slice(before);
    expect(rest.length).toBeGreaterThanOrEqual(2);
    // Every line arrives exactly once across the two channels.
    const all = [head, ...rest.map((r) => r.text!.content)].join('\n');
    for (const line of lines) expect(all.split(line).length - 1).toBe(1);
    expect(rest.at(-1)!.text!.mentioned_list).toEqual(['caojun']);
    expect(rest.slice(0, -1).every((r) => !r.text!.mentioned_list)).toBe(true);
  });

  it('a used or expired response_url is not tried again: the group carries the reply at once', async () => {
    expect(await sender.send(reply('once-1', 'GZ-20261123-0003 已受理'))).toEqual({ ok: true });
    const before = groupTexts().length;
    expect(await sender.send(reply('once-1', 'GZ-20261123-0003 已派单'))).toEqual({ ok: true });
    expect(groupTexts().slice(before).map((t) => t.text!.content)).toEqual(['GZ-20261123-0003 已派单']);
    expect(logger.lines.filter((l) => l.event === 'wecom.response_url_rejected').length).toBeGreaterThanOrEqual(1);
    // Past its hour the URL is not even called.
    const calls = wecom.posts('/cgi-bin/aibot/response').length;
    expect(await sender.send(reply('late-1', 'GZ-20261123-0004 已办结', [], -1))).toEqual({ ok: true });
    expect(wecom.posts('/cgi-bin/aibot/response')).toHaveLength(calls);
    expect(groupTexts().at(-1)!.text!.content).toBe('GZ-20261123-0004 已办结');
  });

  it('classifies WeCom codes: throttled ones wait, invalid targets and unknown codes are not retried', async () => {
    const group = (text: string): OutboundMessage => ({ platform: 'wecom', target: { kind: 'group', chatId: 'wr-county' }, payload: { format: 'text', text, mentions: [] } });
    wecom.failNext('/cgi-bin/webhook/send', { errcode: 45009, errmsg: 'api freq out of limit' });
    expect(await sender.send(group('a'))).toMatchObject({ ok: false, retry: 'throttled', retryAfterMs: 60_000 });
    wecom.failNext('/cgi-bin/webhook/send', { errcode: 93004, errmsg: 'robot disabled' });
    expect(await sender.send(group('b'))).toMatchObject({ ok: false, retry: 'never', error: expect.stringContaining('disabled') });
    wecom.failNext('/cgi-bin/webhook/send', { errcode: 731234, errmsg: 'something new' });
    expect(await sender.send(group('c'))).toMatchObject({ ok: false, retry: 'never', error: expect.stringContaining('outbox resend') });
    wecom.failNext('/cgi-bin/webhook/send', { errcode: -1, errmsg: 'system busy' });
    expect(await sender.send(group('d'))).toMatchObject({ ok: false, retry: 'transient' });
  });
});

describeOnDatabases('WeCom response_url used once per inbound message', (database) => {
  let h: DatabaseHandle;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    h = database();
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
  });
  afterAll(async () => wecom?.close());

  it('three replies to one message (two in one transaction, one later): one response_url call, two group posts, in order', async () => {
    const logger = createMemoryLogger();
    const client = createWecomClient({ apiBase: wecom.base, app: null });
    const sender = createWecomSender({ client, webhookKeyFor: () => 'group-key', logger, now: clock.now, replyHosts: [new URL(wecom.base).host] });
    const drainer = createOutboxDrainer({ db: h.db, adapters: { wecom: sender }, now: clock.now, logger, random: () => 0.5 });
    const handle = { kind: 'wecom-response-url', url: `${wecom.base}/cgi-bin/aibot/response?response_code=tx-1`, expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() };
    const entry = (text: string) => ({ platform: 'wecom' as const, kind: 'reply' as const, target: { kind: 'reply' as const, handle, chatId: 'wr-county', chatType: 'group' as const }, payload: { format: 'text' as const, text, mentions: [] } });
    await h.db.transaction().execute((tx) => enqueueOutbox(tx, [entry('已受理 GZ-1'), entry('已派单 GZ-1')], clock.now()));
    await h.db.transaction().execute((tx) => enqueueOutbox(tx, [entry('补充：请上传照片')], clock.now()));
    await drainer.drainOnce();
    expect(wecom.posts('/cgi-bin/aibot/response').filter((p) => p.query.response_code === 'tx-1')).toHaveLength(1);
    expect(wecom.posts('/cgi-bin/webhook/send').map((p) => (p.body as { text: { content: string } }).text.content)).toEqual(['已派单 GZ-1', '补充：请上传照片']);
    expect(logger.lines.filter((l) => l.event === 'wecom.response_url_rejected')).toEqual([]);
    expect((await h.db.selectFrom('outbox').select('status').execute()).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });
});
