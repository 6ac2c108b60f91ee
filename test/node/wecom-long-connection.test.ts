import { WSClient } from '@wecom/aibot-node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWecomLongConnection, type WecomLongConnection } from '../../src/node/wecom-long-connection';
import { TEST_DATABASES } from '../helpers/databases';
import { AIBOT, closeLongConnection, openLongConnection, type LongConnectionFixture } from '../helpers/wecom-long-connection';
import { eventually } from '../helpers/serve';
import { aibotEvent, aibotMessage, startFakeAibot } from '../fakes/wecom-aibot-ws';

const BOT = AIBOT;
const GROUP = 'wr-county-chat';
const REPORT = '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通';
const TIMINGS = { reconnectBaseMs: 50, heartbeatMs: 150, authTimeoutMs: 300, replacedBackoffMs: 2000 };


type Fake = Awaited<ReturnType<typeof startFakeAibot>>;
const templateCard = (f: Fake['frames'] extends (...a: never[]) => Array<infer F> ? F : never) =>
  (f.body as { template_card: { task_id: string; button_list: Array<{ text: string; key: string }>; horizontal_content_list: Array<{ keyname: string; value: string }> } }).template_card;
const row = (card: ReturnType<typeof templateCard>, name: string) => card.horizontal_content_list.find((r) => r.keyname === name)?.value;

describe.each(TEST_DATABASES.map((d) => [d.kind, d] as const))('WeCom AI bot over the long connection (official SDK against a loopback server) on %s', (_kind, database) => {
  let fake: Fake;
  let rt: LongConnectionFixture['rt'];
  let lc: WecomLongConnection;
  const ticketsFor = (content: string) => rt.services.db.selectFrom('tickets').selectAll().where('content', '=', content).execute();

  // Migrations and the classifier load first: slow on a shared machine.
  beforeAll(async () => void ({ fake, rt, lc } = await openLongConnection(database, TIMINGS)), 180_000);
  afterAll(() => closeLongConnection({ fake, rt, lc }));

  it('subscribes with the bot id and secret', () => {
    expect(fake.frames('aibot_subscribe')[0]!.body).toEqual({ bot_id: BOT.botId, secret: BOT.secret });
  });

  let reportMsg: Record<string, unknown>;
  it('a report in the group → one ticket, the answer on the frame’s req_id, the dispatch card with 认领/办结 sent to the chat', async () => {
    reportMsg = aibotMessage({ userId: 'liuzong', chatId: GROUP, text: REPORT });
    const reqId = fake.pushMessage(reportMsg);
    const [t] = await eventually(async () => {
      const r = await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通');
      return r.length ? r : undefined;
    });
    expect(t).toMatchObject({ origin_platform: 'wecom', origin_chat_id: GROUP, status: 'dispatched' });
    const answer = await eventually(() => fake.answers(reqId).find((f) => f.cmd === 'aibot_respond_msg'));
    expect(answer.body).toMatchObject({ msgtype: 'stream', stream: { finish: true } });
    expect((answer.body as { stream: { content: string } }).stream.content).toContain(t!.number);
    const cardFrame = await eventually(() => fake.frames('aibot_send_msg').find((f) => (f.body as { msgtype: string }).msgtype === 'template_card'));
    expect(cardFrame.body).toMatchObject({ chatid: GROUP, msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: `${t!.number}【派单】` } } });
    const card = templateCard(cardFrame);
    expect(card.button_list.map((b) => b.text)).toEqual(['认领', '办结']);
    expect(row(card, '承办单位')).toBe('国网青山县供电公司');
    expect(row(card, '状态')).toBe('待签收');
  });

  it('认领 on the card runs the typed command with its rule table, and the click answer updates the card', async () => {
    const [t] = await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通');
    const card = templateCard(fake.frames('aibot_send_msg').find((f) => (f.body as { msgtype: string }).msgtype === 'template_card')!);
    const claimKey = card.button_list.find((b) => b.text === '认领')!.key;
    const click = (userId: string) =>
      fake.pushEvent(aibotEvent({ userId, chatId: GROUP, eventtype: 'template_card_event', event: { template_card_event: { card_type: 'button_interaction', event_key: claimKey, task_id: card.task_id } } }));

    // The enterprise may not claim: refused as the typed command would be; the card keeps its state.
    const byEnterprise = click('liuzong');
    const refused = await eventually(() => fake.answers(byEnterprise).find((f) => f.cmd === 'aibot_respond_update_msg'), 10_000);
    expect(row(templateCard(refused), '状态')).toBe('待签收');
    expect((await ticketsFor(t!.content))[0]!.status).toBe('dispatched');

    // The power company's staff member clicks 认领: claimed, and the card is replaced (same task_id).
    const byStaff = click('lidian');
    const update = await eventually(() => fake.answers(byStaff).find((f) => f.cmd === 'aibot_respond_update_msg'), 10_000);
    expect(update.body).toMatchObject({ response_type: 'update_template_card', template_card: { task_id: card.task_id } });
    const updated = templateCard(update);
    expect(row(updated, '状态')).toBe('办理中');
    expect(row(updated, '承办人')).toBe('李电');
    expect(updated.button_list.map((b) => b.text)).toEqual(['办结']);
    expect((await ticketsFor(t!.content))[0]).toMatchObject({ status: 'claimed', assignee_id: 'lidian' });
  });

  it('a click naming a ticket that is not this chat’s does nothing to it, and the chat is told why without naming it', async () => {
    const [t] = await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通');
    expect(t!.status).toBe('claimed');
    const card = templateCard(fake.frames('aibot_send_msg').find((f) => (f.body as { msgtype: string }).msgtype === 'template_card')!);
    const resolveKey = `gz-resolve-${t!.id}`;
    const click = (chatId: string, taskId: string) =>
      fake.pushEvent(aibotEvent({ userId: 'lidian', chatId, eventtype: 'template_card_event', event: { template_card_event: { card_type: 'button_interaction', event_key: resolveKey, task_id: taskId } } }));
    const noticesTo = (chatId: string) =>
      fake.frames('aibot_send_msg').filter((f) => (f.body as { chatid: string; msgtype: string }).chatid === chatId && (f.body as { msgtype: string }).msgtype === 'markdown').map((f) => (f.body as { markdown: { content: string } }).markdown.content);

    // The same button, clicked in another group (a card that reached it some other way).
    const elsewhere = click('wr-other-chat', card.task_id);
    const notice = await eventually(() => noticesTo('wr-other-chat').find((c) => c.includes('不属于本群')), 10_000);
    expect(notice).not.toContain(t!.number);
    expect(fake.answers(elsewhere).filter((f) => f.cmd === 'aibot_respond_update_msg')).toEqual([]);
    // In its own group, a button key that names another ticket than the card's task id.
    click(GROUP, 'gz-ticket-999999-forged');
    await eventually(() => noticesTo(GROUP).find((c) => c.includes('不属于本群')), 10_000);
    expect((await ticketsFor(t!.content))[0]).toMatchObject({ status: 'claimed', assignee_id: 'lidian' });
    expect(rt.logger.lines.filter((l) => l.event === 'wecom.aibot.card_click_refused').map((l) => l.reason)).toEqual(['other_chat', 'task_id_mismatch']);
  });

  it('a photo sent right after the report is downloaded, decrypted with its own aeskey and attached to that ticket', async () => {
    const [t] = await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通');
    // The smallest valid PNG (1×1): the photo path sniffs the bytes, as the report page does.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const image = fake.serveEncrypted(png);
    fake.pushMessage(aibotMessage({ userId: 'liuzong', chatId: GROUP, msgtype: 'image', extra: { image } }));
    const [photo] = await eventually(async () => {
      const rows = await rt.services.db.selectFrom('attachments').selectAll().where('ticket_id', '=', t!.id).execute();
      return rows.length ? rows : undefined;
    }, 10_000);
    expect(photo).toMatchObject({ content_type: 'image/png', bytes: png.length });
    expect(Buffer.from(photo!.data as Uint8Array).equals(png)).toBe(true);
  });

  it('the welcome on enter_chat is the answer to that event (aibot_respond_welcome_msg), within 5 s', async () => {
    const reqId = fake.pushEvent(aibotEvent({ userId: 'newcomer-zhang', eventtype: 'enter_chat' }));
    const welcome = await eventually(() => fake.answers(reqId).find((f) => f.cmd === 'aibot_respond_welcome_msg'), 4500);
    expect(welcome.body).toMatchObject({ msgtype: 'text' });
    expect((welcome.body as { text: { content: string } }).text.content).toContain('共治助手');
  });

  it('answers a message on its req_id once: a second answer, an expired one and a late welcome go to the chat (aibot_send_msg)', async () => {
    const sender = rt.platforms.senders.wecom!;
    const reqId = fake.pushMessage(aibotMessage({ userId: 'liuzong', chatId: GROUP, text: '收到，谢谢' }));
    await new Promise((r) => setTimeout(r, 200));
    const handle = { kind: 'wecom-aibot-frame', url: reqId, expiresAt: '2999-01-01T00:00:00.000Z' };
    const target = { kind: 'reply' as const, handle, chatId: GROUP, chatType: 'group' as const };
    const sends = fake.frames('aibot_send_msg').length;
    expect(await sender.send({ platform: 'wecom', target, payload: { format: 'text', text: '第一条 <@all> [链接](http://x)', mentions: [] } })).toEqual({ ok: true });
    expect(await sender.send({ platform: 'wecom', target, payload: { format: 'text', text: '第二条', mentions: [] } })).toEqual({ ok: true });
    const onFrame = fake.answers(reqId).filter((f) => f.cmd === 'aibot_respond_msg');
    expect(onFrame).toHaveLength(1);
    // Users' words are echoed as written: no @all, no link.
    expect((onFrame[0]!.body as { stream: { content: string } }).stream.content).toBe('第一条 ＜@all＞ ［链接］(http://x)');
    const toChat = fake.frames('aibot_send_msg').slice(sends);
    expect(toChat.map((f) => f.body)).toEqual([{ chatid: GROUP, msgtype: 'markdown', markdown: { content: '第二条' } }]);

    const expired = { kind: 'reply' as const, handle: { ...handle, url: 'REQ-OLD', expiresAt: '2000-01-01T00:00:00.000Z' }, chatId: GROUP, chatType: 'group' as const };
    expect(await sender.send({ platform: 'wecom', target: expired, payload: { format: 'text', text: '过期后', mentions: [] } })).toEqual({ ok: true });
    expect(fake.answers('REQ-OLD')).toHaveLength(0);
    const lateWelcome = { kind: 'reply' as const, handle: { kind: 'wecom-aibot-welcome', url: 'REQ-W-OLD', expiresAt: '2000-01-01T00:00:00.000Z' }, chatId: 'newcomer-li', chatType: 'direct' as const };
    expect(await sender.send({ platform: 'wecom', target: lateWelcome, payload: { format: 'text', text: '欢迎', mentions: [] } })).toEqual({ ok: true });
    expect(fake.frames('aibot_send_msg').slice(sends).map((f) => (f.body as { chatid: string }).chatid)).toEqual([GROUP, GROUP, 'newcomer-li']);
    // A refusal the platform gives for the chat is not retried for ever: it dead-letters.
    fake.refuseNext('aibot_send_msg', 93006);
    expect(await sender.send({ platform: 'wecom', target: { kind: 'group', chatId: 'wr-gone' }, payload: { format: 'text', text: 'x', mentions: [] } })).toMatchObject({ ok: false, retry: 'never' });
  });

  it('a killed connection reconnects with back-off and loses nothing pushed meanwhile; the same report redelivered is not a second ticket', async () => {
    const before = lc.state();
    fake.setRedeliverOnReconnect(true);
    fake.killAll();
    // Pushed while the connection is down: the server delivers it on the next subscription.
    const late = aibotMessage({ userId: 'zhaoxin', chatId: GROUP, text: '@共治助手 园区门口的路灯坏了一个月没人修' });
    fake.pushMessage(late);
    await eventually(() => lc.state().authenticated > before.authenticated && lc.state().connected);
    fake.setRedeliverOnReconnect(false);
    await eventually(async () => (await ticketsFor('园区门口的路灯坏了一个月没人修')).length === 1);
    // Everything was pushed again after the reconnect: the inbound de-dup held.
    await new Promise((r) => setTimeout(r, 300));
    expect(await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通')).toHaveLength(1);
    expect(await ticketsFor('园区门口的路灯坏了一个月没人修')).toHaveLength(1);
    expect(fake.liveConnections()).toBe(1);
  });

  it('an aibot_subscribe ack that never comes times out and the client reconnects; a missing heartbeat ack too', async () => {
    fake.switches.ackSubscribe = false;
    const before = lc.state();
    fake.killAll();
    await eventually(() => lc.state().authTimeouts > before.authTimeouts, 3000);
    expect(lc.state().connected).toBe(false);
    fake.switches.ackSubscribe = true;
    await eventually(() => lc.state().connected && lc.state().authenticated > before.authenticated, 3000);

    // The socket stays open but pings go unanswered: after two the SDK drops it, and we are back.
    const beforePings = lc.state();
    fake.switches.ackPings = false;
    await eventually(() => lc.state().connects > beforePings.connects, 3000);
    fake.switches.ackPings = true;
    await eventually(() => lc.state().connected, 3000);
  });

  it('a connection replaced by another one (disconnected_event) stays off for the back-off: no reconnect storm; the report pushed again is still one ticket', async () => {
    const before = lc.state();
    const connectionsBefore = fake.connections();
    // Someone else connects with the same bot secret (another deployment, a developer's laptop).
    const rogue = new WSClient({ ...BOT, wsUrl: fake.wsUrl, maxReconnectAttempts: 0, logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    rogue.connect();
    await eventually(() => lc.state().replaced > before.replaced);
    expect(lc.state().connected).toBe(false);
    rogue.disconnect();
    // Within the back-off only the rogue connected; then we come back once.
    await new Promise((r) => setTimeout(r, TIMINGS.replacedBackoffMs / 4));
    expect(fake.connections() - connectionsBefore).toBe(1);
    await eventually(() => lc.state().connected, 6000);
    expect(fake.connections() - connectionsBefore).toBe(2);

    const reqId = fake.pushMessage(reportMsg);
    await new Promise((r) => setTimeout(r, 400));
    expect(await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通')).toHaveLength(1);
    // A duplicate gets no second answer.
    expect(fake.answers(reqId)).toHaveLength(0);
  });

  it('proactive posts wait in the outbox while the connection is down and go out when it is back (no webhook key needed)', async () => {
    await lc.stop();
    const [t] = await ticketsFor('我们厂新建的厂房申请用电报装一个月了还没接通');
    const sends = fake.frames('aibot_send_msg').length;
    // A typed 办结 posts to the group: with no connection on this instance it waits, not dead-lettered.
    await rt.services.pipeline.receive({ platform: 'wecom', messageId: `typed-resolve-${t!.id}`, chatType: 'group', chatId: GROUP, sender: { userId: 'lidian' }, text: `/办结 ${t!.number} 已接电`, receivedAt: new Date(0) });
    await rt.services.drainer.drainOnce();
    const waiting = await rt.services.db.selectFrom('outbox').select(['status', 'attempts']).where('ticket_id', '=', t!.id).where('status', '!=', 'sent').execute();
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((w) => w.status === 'pending' && w.attempts === 0)).toBe(true);
    lc = startWecomLongConnection(rt.services, rt.platforms.wecomLongConnection!, TIMINGS);
    await eventually(() => lc.state().connected);
    await rt.services.db.updateTable('outbox').set({ next_attempt_at: new Date(0) }).where('status', '=', 'pending').execute();
    await rt.services.drainer.drainOnce();
    await eventually(() => fake.frames('aibot_send_msg').length > sends);
    const post = fake.frames('aibot_send_msg').at(-1)!;
    expect(post.body).toMatchObject({ chatid: GROUP, msgtype: 'markdown' });
    expect((post.body as { markdown: { content: string } }).markdown.content).toContain(t!.number);
  });
});
