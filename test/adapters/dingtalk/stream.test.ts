import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStreamReceiver, type StreamReceiver } from '../../../adapters/dingtalk/stream';
import { createMemoryLogger } from '../../../src/logger';
import { TEST_DATABASES } from '../../helpers/databases';
import { platformConfig } from '../../helpers/platform-config';
import { eventually } from '../../helpers/serve';
import { startDingtalkStreamRuntime, STREAM_APP, type DingtalkStreamRuntime } from '../../helpers/dingtalk-stream';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../../fakes/dingtalk-api';
import { createDingtalkPlatform } from '../../../adapters/dingtalk/index';
import { STATUS_NAMES } from '../../../src/domain/ticket';

const templatesStatus = (s: string) => STATUS_NAMES[s as keyof typeof STATUS_NAMES];

const APP = STREAM_APP;

describe('DingTalk Stream mode through the supervised dingtalk-stream client', () => {
  let f: DingtalkStreamRuntime;
  let dt: DingtalkStreamRuntime['dt'];
  let rt: DingtalkStreamRuntime['rt'];
  let stream: DingtalkStreamRuntime['stream'];

  beforeAll(async () => {
    f = await startDingtalkStreamRuntime(await TEST_DATABASES[0]!.open(), { DINGTALK_CORP_ID: 'ding-corp', DINGTALK_CARD_TEMPLATE_ID: 'tpl-gongzhi-ticket.schema' });
    ({ dt, rt, stream } = f);
  });
  afterAll(async () => f?.close());

  const ticketsFor = (content: string) => rt.services.db.selectFrom('tickets').selectAll().where('content', '=', content).execute();

  it('acks a robot push at once, makes one ticket and replies through the session webhook', async () => {
    const msg = robotPayload({ msgId: 'streamBidBond', staffId: 'hengtong-zhang', text: '我们的投标保证金半年了还没退', sessionWebhook: `${dt.base}/robot/sendBySession?session=stream1` });
    const frameId = dt.pushRobot(msg);
    const ack = await eventually(() => dt.acks(frameId)[0]);
    expect(ack.frame).toMatchObject({ code: 200, message: 'OK', headers: { messageId: frameId } });
    await eventually(async () => (await ticketsFor('我们的投标保证金半年了还没退')).length === 1);
    // DingTalk re-pushes a late-acked message 16–60 s later: same msgId, new frame.
    dt.pushRobot(msg);
    await eventually(() => dt.posts('/robot/sendBySession').find((p) => p.query.session === 'stream1'));
    await new Promise((r) => setTimeout(r, 200));
    expect(await ticketsFor('我们的投标保证金半年了还没退')).toHaveLength(1);
    const [t] = await ticketsFor('我们的投标保证金半年了还没退');
    expect(t).toMatchObject({ category: 'payment', origin_platform: 'dingtalk' });
  });

  it('sends the dispatch notice as a card whose 认领 button claims the ticket, with the same permission checks', async () => {
    const [t] = await ticketsFor('我们的投标保证金半年了还没退');
    const card = await eventually(() => dt.posts('/v1.0/card/instances/createAndDeliver').find((p) => (p.body as { outTrackId: string }).outTrackId === `gz-ticket-${t!.id}`));
    expect(card.body).toMatchObject({
      cardTemplateId: 'tpl-gongzhi-ticket.schema',
      callbackType: 'STREAM',
      openSpaceId: 'dtv1.card//IM_GROUP.cid-county==',
      imGroupOpenDeliverModel: { robotCode: APP.clientId },
      cardData: { cardParamMap: { number: t!.number, status: '待签收', department: '县公共资源交易中心' } },
    });
    // An enterprise clicking 认领 is refused like the typed command; the card keeps its status.
    const refusedId = dt.pushCardClick(`gz-ticket-${t!.id}`, 'hengtong-zhang', ['claim']);
    const refused = await eventually(() => dt.acks(refusedId)[0]);
    expect(JSON.parse(refused.frame.data!).response.cardData.cardParamMap.status).toBe('待签收');
    // The department's staff member clicks 认领: claimed, and the card shows it in place.
    const id = dt.pushCardClick(`gz-ticket-${t!.id}`, 'dt-tangning', ['claim']);
    const ack = await eventually(() => dt.acks(id)[0]);
    // Wrapped as the SDKs answer every callback: { response: { cardUpdateOptions, cardData } }.
    expect(JSON.parse(ack.frame.data!)).toMatchObject({ response: { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: { status: '办理中', assignee: '唐宁' } } } });
    const [after] = await ticketsFor('我们的投标保证金半年了还没退');
    expect(after).toMatchObject({ status: 'claimed', assignee_id: 'tangning' });
  });

  it('updates the card when the ticket changes outside a click: a typed command, then a console action', async () => {
    const [t] = await ticketsFor('我们的投标保证金半年了还没退');
    const track = `gz-ticket-${t!.id}`;
    const updatesOf = () => dt.cardUpdates().filter((r) => (r.body as { outTrackId: string }).outTrackId === track);
    const before = updatesOf().length;
    dt.pushRobot(robotPayload({ msgId: 'streamResolveTyped', staffId: 'dt-tangning', text: `/办结 ${t!.number} 保证金已退还`, sessionWebhook: `${dt.base}/robot/sendBySession?session=stream-resolve` }));
    const typed = await eventually(() => updatesOf().slice(before).find((r) => (r.body as { cardData: { cardParamMap: { status: string } } }).cardData.cardParamMap.status !== '办理中'));
    expect(typed.body).toMatchObject({ outTrackId: track, cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: { number: t!.number, status: '已办结待评价', assignee: '唐宁' } } });
    // 王敏 reopens it in the console: the card follows, through the outbox like every post.
    const r = await rt.services.pipeline.perform({ actor: { kind: 'staff', staffId: 'wangmin' }, ticketId: t!.id, command: { name: 'reopen', ref: null, reason: '企业反映保证金未到账' } });
    expect(r.ok).toBe(true);
    const [now] = await ticketsFor('我们的投标保证金半年了还没退');
    const consoleUpdate = await eventually(() => updatesOf().find((u) => (u.body as { cardData: { cardParamMap: { status: string } } }).cardData.cardParamMap.status === templatesStatus(now!.status)));
    expect(consoleUpdate.body).toMatchObject({ outTrackId: track });
    // One update per change: nothing is sent again when nothing on the card changed.
    const count = updatesOf().length;
    await rt.services.drainer.drainOnce();
    expect(updatesOf()).toHaveLength(count);
  });

  it('answers SYSTEM pings with the same headers', async () => {
    const id = dt.pushSystem('ping', '{"opaque":"abc"}');
    const pong = await eventually(() => dt.acks(id)[0]);
    expect(pong.frame).toMatchObject({ code: 200, data: '{"opaque":"abc"}' });
  });

  it('reconnects after a server disconnect frame, with one live socket and one heartbeat, and loses no message', async () => {
    const before = dt.connections();
    dt.pushSystem('disconnect', '{"reason":"server rebalancing"}');
    await eventually(() => dt.connections() === before + 1 && stream.state().connected);
    await eventually(() => dt.openSockets() === 1);
    expect(stream.state()).toMatchObject({ liveSockets: 1, heartbeats: 1 });
    dt.pushRobot(robotPayload({ msgId: 'afterDisconnect', staffId: 'lvyuan-chen', text: '园区门口的道路积水严重，下雨天货车进不来', sessionWebhook: `${dt.base}/robot/sendBySession?session=stream2` }));
    await eventually(async () => (await ticketsFor('园区门口的道路积水严重，下雨天货车进不来')).length === 1);
  });
});

describe('Stream supervisor backoff', () => {
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let receiver: StreamReceiver | null = null;
  beforeAll(async () => {
    dt = await startFakeDingtalk(APP);
  });
  afterEach(async () => receiver?.stop());
  afterAll(async () => dt?.close());

  it('says why a connect failed: the HTTP status and the gateway’s own code and message, never the secret', async () => {
    dt.setGatewayDown(1);
    const logger = createMemoryLogger();
    receiver = createStreamReceiver({ ...APP, gatewayUrl: `${dt.base}/v1.0/gateway/connections/open`, logger, onRobotMessage: async () => undefined, initialBackoffMs: 20, maxBackoffMs: 40, random: () => 1 });
    receiver.start();
    await eventually(() => receiver!.state().connected, 10_000);
    const failed = logger.lines.find((l) => l.event === 'dingtalk.stream.connect_failed')!;
    expect(failed).toMatchObject({ failures: 1, status: 503, detail: 'ServiceUnavailable down' });
    expect(JSON.stringify(logger.lines)).not.toContain(APP.clientSecret);
  });

  it('backs off exponentially with a cap while the gateway is down, with never two connects at once, then connects once', async () => {
    dt.setGatewayDown(6);
    const logger = createMemoryLogger();
    receiver = createStreamReceiver({
      ...APP,
      gatewayUrl: `${dt.base}/v1.0/gateway/connections/open`,
      logger,
      onRobotMessage: async () => undefined,
      initialBackoffMs: 20,
      maxBackoffMs: 160,
      random: () => 1, // no jitter: exact delays
    });
    const start = dt.gatewayCalls().length;
    receiver.start();
    await eventually(() => receiver!.state().connected, 10_000);
    const calls = dt.gatewayCalls().slice(start);
    expect(calls).toHaveLength(7);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    // 20, 40, 80, 160, 160, 160 ms (capped); timers are never early.
    [20, 40, 80, 160, 160, 160].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
    expect(gaps[5]!).toBeLessThan(400);
    expect(dt.openSockets()).toBe(1);
    expect(logger.lines.filter((l) => l.event === 'dingtalk.stream.connect_failed')).toHaveLength(6);
  });

  it('reconnects a socket that stays open but goes silent (no frame, not even a SYSTEM ping), and not one that keeps getting pings', async () => {
    const logger = createMemoryLogger();
    receiver = createStreamReceiver({ ...APP, gatewayUrl: `${dt.base}/v1.0/gateway/connections/open`, logger, onRobotMessage: async () => undefined, initialBackoffMs: 20, heartbeatMs: 60_000, silenceMs: 400 });
    receiver.start();
    await eventually(() => receiver!.state().connected);
    const before = dt.connections();
    // The gateway pings every 100 ms for a second: alive, so the socket stays.
    for (let i = 0; i < 10; i++) {
      dt.pushSystem('ping');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dt.connections()).toBe(before);
    expect(logger.lines.some((l) => l.event === 'dingtalk.stream.silent')).toBe(false);
    // Then nothing: the TCP connection (and ws ping/pong) is fine, but no frame arrives.
    await eventually(() => dt.connections() === before + 1 && receiver!.state().connected, 5000);
    expect(logger.lines.filter((l) => l.event === 'dingtalk.stream.silent')).toHaveLength(1);
    await eventually(() => dt.openSockets() === 1);
  });

  it('app-robot group posts name the staff to @ in the text (groupMessages/send cannot @); unknown ids are left out', async () => {
    const platform = createDingtalkPlatform(dingtalkRawEnv(APP, dt.base), await platformConfig(['dingtalk']), createMemoryLogger());
    const r = await platform.sender!.send({ platform: 'dingtalk', target: { kind: 'group', chatId: 'cid-county==' }, payload: { format: 'text', text: 'GZ-20261123-0009 已派单给县公共资源交易中心，请签收。', mentions: ['dt-tangning', 'dt-nobody'] } });
    expect(r).toEqual({ ok: true });
    const post = dt.posts('/v1.0/robot/groupMessages/send').at(-1)!;
    const content = (JSON.parse((post.body as { msgParam: string }).msgParam) as { content: string }).content;
    expect(content).toBe('GZ-20261123-0009 已派单给县公共资源交易中心，请签收。\n@唐宁');
    expect(content).not.toContain('dt-');
  });
});
