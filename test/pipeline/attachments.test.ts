import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhotoFetcher } from '../../src/pipeline/attachments';
import { createMemoryLogger } from '../../src/logger';
import type { InboundMessage } from '../../src/domain/message';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import type { Runtime } from '../../src/bootstrap';
import { startDingtalkStream } from '../../src/node/dingtalk-stream';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { getGroup } from '../../src/repo/directory';
import type { StreamReceiver } from '../../adapters/dingtalk/stream';
import { describeOnDatabases } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { eventually, serveApp } from '../helpers/serve';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';
import { aibotImagePayload, aibotRequest, aibotTextPayload, WECOM_APP, WECOM_BOT, wecomRawEnv } from '../fakes/wecom-callbacks';

const APP = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-tests' };
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A distinct "photo" per seed: what sniffing sees is the PNG signature and an IHDR declaring 640×480. */
const IHDR = [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 0x80, 0, 0, 1, 0xe0, 8, 6, 0, 0, 0];
const png = (seed: number, size = 200) => new Uint8Array([...PNG_SIGNATURE, ...IHDR, ...Array.from({ length: size }, (_, i) => (seed * 31 + i) % 256)]);
const jpeg = (size: number) => {
  const b = new Uint8Array(size);
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
};

describeOnDatabases('photos from the chat', (database) => {
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  let http: Awaited<ReturnType<typeof serveApp>>;
  let stream: StreamReceiver;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  let n = 0;

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    dt = await startFakeDingtalk(APP);
    const config = await platformConfig(['wecom', 'dingtalk']);
    rt = await createTestRuntime(database(), {
      now: clock.now,
      // Short enough that the slow fake times out; loopback downloads take milliseconds.
      config: { ...config, chatPhotos: { attachWindowMinutes: 10, downloadTimeoutMs: 800 } },
      rawEnv: { ...wecomRawEnv(wecom.base), ...dingtalkRawEnv(APP, dt.base), DINGTALK_MODE: 'stream' },
    });
    http = await serveApp(rt.app);
    stream = startDingtalkStream(rt.services, rt.platforms.dingtalk!);
    await eventually(() => stream.state().connected);
  });
  afterAll(async () => {
    await stream?.stop();
    await http?.close();
    await rt?.close();
    await wecom?.close();
    await dt?.close();
  });

  const db = () => rt.services.db;
  const responseUrl = () => `${wecom.base}/cgi-bin/aibot/response?response_code=rc-${++n}`;
  const postWecom = async (plaintext: string) => {
    const r = aibotRequest(http.base, plaintext);
    const res = await fetch(r.href, r.init);
    expect(res.status).toBe(200);
  };
  const postDingtalk = async (payload: Record<string, unknown>) => {
    // A fresh signed timestamp per callback, by the injected clock (the pair serves one message).
    const ts = String(clock.now().getTime() + ++n);
    const res = await fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign: dingtalkSign(APP.clientSecret, ts) }, body: JSON.stringify(payload) });
    expect(res.status).toBe(200);
  };
  /** The message once processed (PostgreSQL acknowledges before the work is done). */
  const handled = (messageId: string) =>
    eventually(async () => {
      const row = await db().selectFrom('inbound_messages').select(['outcome', 'ticket_id']).where('message_id', '=', messageId).executeTakeFirst();
      return row && row.outcome !== 'pending' && row.outcome !== 'processing' ? row : undefined;
    });
  const photosOf = (ticketId: number) => db().selectFrom('attachments').select(['id', 'content_type', 'bytes', 'data', 'requester_id']).where('ticket_id', '=', ticketId).orderBy('id').execute();
  const ticket = (id: number) => db().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /**
   * What the bot answered the message whose response_url this is. Read from the outbox: the
   * senders judge a response_url's hour by the wall clock, the pipeline by the injected one.
   */
  const replyText = (url: string) =>
    eventually(async () => {
      const rows = await db().selectFrom('outbox').select(['target', 'payload']).where('kind', '=', 'reply').execute();
      const mine = rows.filter((r) => (r.target as { handle?: { url?: string } }).handle?.url === url);
      return mine.length ? mine.map((r) => (r.payload as { text: string }).text).join('\n') : undefined;
    });
  const notes = (ticketId: number) => db().selectFrom('ticket_events').select(['kind', 'data']).where('ticket_id', '=', ticketId).where('kind', '=', 'note').execute();
  const dtPayload = (o: { msgId: string; staffId: string; group?: boolean }, content: Record<string, unknown>, msgtype: 'picture' | 'richText') => {
    const { text: _text, ...base } = robotPayload({ msgId: o.msgId, staffId: o.staffId, text: '', sessionWebhook: `${dt.base}/robot/sendBySession?session=${o.msgId}`, ...(o.group === false ? { group: false } : {}) });
    return { ...base, msgtype, content };
  };

  it('WeCom webhook: a 图文混排 report opens one ticket with its words and the decrypted photo, shown on the console ticket page', async () => {
    const photo = png(1);
    const url = responseUrl();
    await postWecom(aibotImagePayload({ msgid: 'mixed-streetlight', userid: 'qs-jixie-liu', responseUrl: url, text: '@共治助手 园区路灯坏了半年了没人修，照片如下', images: [wecom.serveImage(photo, WECOM_BOT.aesKey)] }));
    const row = await handled('mixed-streetlight');
    expect(row.outcome).toBe('ticket');
    const t = await ticket(row.ticket_id!);
    expect(t.content).toBe('园区路灯坏了半年了没人修，照片如下');
    const photos = await photosOf(t.id);
    expect(photos).toHaveLength(1);
    expect(photos[0]).toMatchObject({ content_type: 'image/png', bytes: photo.length });
    expect(new Uint8Array(photos[0]!.data)).toEqual(photo);
    expect(await replyText(url)).toContain(`${t.number} 已受理`);

    await setConsolePassword(db(), 'wangmin', 'correct horse battery', clock.now());
    const login = await rt.app.request('/console/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body: new URLSearchParams({ staffId: 'wangmin', password: 'correct horse battery', next: '/console' }).toString() });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await rt.app.request(`/console/tickets/${t.number}`, { headers: { cookie } })).text()).toContain(`/console/attachments/${photos[0]!.id}`);
    const img = await rt.app.request(`/console/attachments/${photos[0]!.id}`, { headers: { cookie } });
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(photo);
  });

  it('a photo sent alone right after the report joins that ticket, and the bot says so', async () => {
    const [t] = await db().selectFrom('tickets').selectAll().where('content', '=', '园区路灯坏了半年了没人修，照片如下').execute();
    clock.advance(3 * 60_000);
    const url = responseUrl();
    await postWecom(aibotImagePayload({ msgid: 'photo-after-streetlight', userid: 'qs-jixie-liu', responseUrl: url, images: [wecom.serveImage(png(2), WECOM_BOT.aesKey)] }));
    expect(await handled('photo-after-streetlight')).toEqual({ outcome: 'attached', ticket_id: t!.id });
    expect(await photosOf(t!.id)).toHaveLength(2);
    expect(await replyText(url)).toContain(`已将 1 张照片附到工单 ${t!.number}`);
    // No new ticket, and not the "please describe your problem" answer.
    expect(await db().selectFrom('tickets').select('id').where('requester_id', '=', t!.requester_id).execute()).toHaveLength(1);
    expect(await replyText(url)).not.toContain('没有识别到具体诉求');
  });

  it('a photo alone with no report before gets the how-to answer and waits for the sender’s report within the window; after the window it is not kept', async () => {
    const url = responseUrl();
    await postWecom(aibotImagePayload({ msgid: 'photo-first', userid: 'qs-photo-first', responseUrl: url, images: [wecom.serveImage(png(3), WECOM_BOT.aesKey)] }));
    expect((await handled('photo-first')).outcome).toBe('ignored');
    const answer = await replyText(url);
    expect(answer).toContain('没有识别到具体诉求');
    expect(answer).toContain('10 分钟内');
    clock.advance(4 * 60_000);
    await postWecom(aibotTextPayload({ msgid: 'report-after-photo', userid: 'qs-photo-first', text: '@共治助手 我们厂门口的下水道堵了一个星期，污水漫到路上', responseUrl: responseUrl() }));
    const row = await handled('report-after-photo');
    expect(row.outcome).toBe('ticket');
    const photos = await photosOf(row.ticket_id!);
    expect(photos).toHaveLength(1);
    expect(new Uint8Array(photos[0]!.data)).toEqual(png(3));

    // Photos alone pile up to a report's worth at most: the newest three wait, the rest go.
    for (const i of [20, 21, 22, 23]) {
      await postWecom(aibotImagePayload({ msgid: `photo-pile-${i}`, userid: 'qs-photo-pile', responseUrl: responseUrl(), images: [wecom.serveImage(png(i), WECOM_BOT.aesKey)] }));
      await handled(`photo-pile-${i}`);
    }
    await postWecom(aibotTextPayload({ msgid: 'report-after-pile', userid: 'qs-photo-pile', text: '@共治助手 我们申请的施工许可证已经等了两个月还没有批下来', responseUrl: responseUrl() }));
    const piled = await handled('report-after-pile');
    expect(piled.outcome).toBe('ticket');
    expect((await photosOf(piled.ticket_id!)).map((p) => new Uint8Array(p.data))).toEqual([png(21), png(22), png(23)]);

    // Another sender's photo, then a report eleven minutes later: the photo is not attached.
    await postWecom(aibotImagePayload({ msgid: 'photo-too-early', userid: 'qs-late-reporter', responseUrl: responseUrl(), images: [wecom.serveImage(png(4), WECOM_BOT.aesKey)] }));
    await handled('photo-too-early');
    clock.advance(11 * 60_000);
    await postWecom(aibotTextPayload({ msgid: 'report-too-late', userid: 'qs-late-reporter', text: '@共治助手 我们公司的出口退税申报三个月了还没到账', responseUrl: responseUrl() }));
    const late = await handled('report-too-late');
    expect(late.outcome).toBe('ticket');
    expect(await photosOf(late.ticket_id!)).toHaveLength(0);
  });

  it('an expired link, a 404, a non-image, one too big and a slow one: the ticket is opened all the same and the photos are noted as not retrieved', async () => {
    clock.advance(30 * 60_000);
    const expired = wecom.serveImage(png(5), WECOM_BOT.aesKey);
    wecom.expireImage(expired);
    const url = responseUrl();
    await postWecom(
      aibotImagePayload({
        msgid: 'broken-photos-1',
        userid: 'qs-broken-photos',
        responseUrl: url,
        text: '@共治助手 厂区外的道路塌了一个大坑，货车进不来，已经一个月没人管',
        images: [expired, `${wecom.base}/media/never-existed`, wecom.serveImage(new TextEncoder().encode('%PDF-1.7 not a photo'), WECOM_BOT.aesKey)],
      }),
    );
    const row = await handled('broken-photos-1');
    expect(row.outcome).toBe('ticket');
    expect(await photosOf(row.ticket_id!)).toHaveLength(0);
    const [note] = await notes(row.ticket_id!);
    expect(note!.data).toMatchObject({ photosMissing: ['expired', 'not_found', 'not_image'], note: expect.stringContaining('3 张照片未能取回') });
    expect(rt.logger.lines.filter((l) => l.event === 'photo.not_retrieved' && l.messageId === 'broken-photos-1').map((l) => l.reason)).toEqual(expect.arrayContaining(['expired', 'not_found', 'not_image']));
    expect(await replyText(url)).toContain('已受理');

    await postWecom(
      aibotImagePayload({
        msgid: 'broken-photos-2',
        userid: 'qs-broken-photos-2',
        responseUrl: responseUrl(),
        text: '@共治助手 我们申请的食品经营许可证提交材料两个月了还没批下来',
        images: [wecom.serveImage(jpeg(5 * 1024 * 1024 + 1), WECOM_BOT.aesKey), wecom.serveImage(png(6), WECOM_BOT.aesKey, { delayMs: 1500 }), wecom.serveImage(png(7), WECOM_BOT.aesKey)],
      }),
    );
    const row2 = await handled('broken-photos-2');
    expect(row2.outcome).toBe('ticket');
    // The good one is kept; the big and the slow ones are noted.
    expect(await photosOf(row2.ticket_id!)).toHaveLength(1);
    expect((await notes(row2.ticket_id!))[0]!.data).toMatchObject({ photosMissing: ['too_big', 'timeout'] });
  });

  it('a one-to-one report with a photo stays private: the photo is on the ticket, and no post about it reaches the group — not even after a photo sent in the group', async () => {
    clock.advance(30 * 60_000);
    const url = responseUrl();
    await postWecom(aibotImagePayload({ msgid: 'private-photo', userid: 'qs-private', chattype: 'single', responseUrl: url, text: '我们被要求给检查人员报销餐费，不给就刁难，照片是收据', images: [wecom.serveImage(png(8), WECOM_BOT.aesKey)] }));
    const row = await handled('private-photo');
    expect(row.outcome).toBe('ticket');
    const t = await ticket(row.ticket_id!);
    expect(t.is_private).toBe(true);
    expect(await photosOf(t.id)).toHaveLength(1);
    // The same sender sends a photo in the group: it is not the private ticket's (another chat).
    const groupUrl = responseUrl();
    await postWecom(aibotImagePayload({ msgid: 'private-photo-in-group', userid: 'qs-private', responseUrl: groupUrl, images: [wecom.serveImage(png(9), WECOM_BOT.aesKey)] }));
    expect((await handled('private-photo-in-group')).outcome).toBe('ignored');
    expect(await replyText(groupUrl)).not.toContain(t.number);
    expect(await photosOf(t.id)).toHaveLength(1);
    const posts = await db().selectFrom('outbox').select(['target', 'payload']).where('ticket_id', '=', t.id).execute();
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) expect((p.target as { kind: string }).kind).not.toBe('group');
    await rt.services.drainer.drainOnce();
    expect(wecom.posts('/cgi-bin/webhook/send').filter((p) => JSON.stringify(p.body).includes(t.number))).toHaveLength(0);
  });

  it('a chat photo that comes with a 附议 on a report-page ticket is on the console, not on the first reporter’s /t/ page (which shows their own photos only)', async () => {
    clock.advance(30 * 60_000);
    const text = '开发区东区的路灯全部不亮已经两个星期了，晚上下班很危险';
    const web = await rt.services.pipeline.submitReport({
      submissionId: 'photos-web-1',
      group: (await getGroup(db(), 'county-wecom'))!,
      enterprise: '青山精密机械有限公司',
      contact: '刘建国',
      phone: '13800138123',
      text,
      location: null,
      photos: [{ contentType: 'image/png', bytes: png(30), sha256: 'web-photo' }],
      publicNotice: true,
    });
    if (web.status === 'duplicate') throw new Error('unexpected duplicate');
    await postWecom(aibotImagePayload({ msgid: 'metoo-with-photo', userid: 'qs-neighbour', responseUrl: responseUrl(), text: `@共治助手 ${text}`, images: [wecom.serveImage(png(31), WECOM_BOT.aesKey)] }));
    const row = await handled('metoo-with-photo');
    expect(row.outcome).toBe('attached');
    const t = await db().selectFrom('tickets').select('id').where('number', '=', web.number).executeTakeFirstOrThrow();
    expect(row.ticket_id).toBe(t.id);
    expect(await photosOf(t.id)).toHaveLength(2);
    const page = await (await rt.app.request(`/t/${web.link}`)).text();
    expect(page.match(/\/photos\/\d+/g) ?? []).toHaveLength(1);
  });

  it('DingTalk HTTP: a richText of words and a picture is one ticket with both; a picture alone right after joins it', async () => {
    clock.advance(30 * 60_000);
    const photo = png(10);
    const code = dt.addFile(photo);
    await postDingtalk(dtPayload({ msgId: 'dt-rich-1', staffId: 'hengtong-zhang' }, { richText: [{ text: '我们的投标保证金半年了还没退，' }, { type: 'picture', downloadCode: code, pictureDownloadCode: 'pdc-ignored' }, { text: '这是退款申请回执' }] }, 'richText'));
    const row = await handled('dt-rich-1');
    expect(row.outcome).toBe('ticket');
    const t = await ticket(row.ticket_id!);
    expect(t.content).toBe('我们的投标保证金半年了还没退，这是退款申请回执');
    const photos = await photosOf(t.id);
    expect(photos).toHaveLength(1);
    expect(new Uint8Array(photos[0]!.data)).toEqual(photo);
    // The code was exchanged at the configured API host, for this robot.
    expect(dt.posts('/v1.0/robot/messageFiles/download').find((p) => (p.body as { downloadCode: string }).downloadCode === code)!.body).toEqual({ downloadCode: code, robotCode: APP.clientId });

    clock.advance(60_000);
    await postDingtalk(dtPayload({ msgId: 'dt-picture-after', staffId: 'hengtong-zhang' }, { downloadCode: dt.addFile(png(11)), pictureDownloadCode: 'pdc' }, 'picture'));
    expect(await handled('dt-picture-after')).toEqual({ outcome: 'attached', ticket_id: t.id });
    expect(await photosOf(t.id)).toHaveLength(2);
    const confirm = await eventually(() => dt.posts('/robot/sendBySession').find((p) => p.query.session === 'dt-picture-after'));
    expect(JSON.stringify(confirm.body)).toContain(`附到工单 ${t.number}`);
  });

  it('DingTalk: an expired download code still opens the ticket, noted as not retrieved', async () => {
    const code = dt.addFile(png(12));
    dt.expireFile(code);
    await postDingtalk(dtPayload({ msgId: 'dt-rich-expired', staffId: 'yuanfeng-wu' }, { richText: [{ text: '园区的天然气管道开通申请三个月了还没有安装' }, { type: 'picture', downloadCode: code }] }, 'richText'));
    const row = await handled('dt-rich-expired');
    expect(row.outcome).toBe('ticket');
    expect(await photosOf(row.ticket_id!)).toHaveLength(0);
    expect((await notes(row.ticket_id!))[0]!.data).toMatchObject({ photosMissing: ['expired'] });
  });

  it('DingTalk Stream: a picture after a report arrives on the socket and joins the ticket', async () => {
    clock.advance(30 * 60_000);
    dt.pushRobot(robotPayload({ msgId: 'stream-report', staffId: 'stream-photo-co', text: '我们厂的环评审批材料交了四十天还没有回复', sessionWebhook: `${dt.base}/robot/sendBySession?session=stream-report` }));
    const row = await handled('stream-report');
    expect(row.outcome).toBe('ticket');
    clock.advance(60_000);
    const photo = png(13);
    dt.pushRobot(dtPayload({ msgId: 'stream-picture', staffId: 'stream-photo-co' }, { downloadCode: dt.addFile(photo) }, 'picture'));
    expect(await handled('stream-picture')).toEqual({ outcome: 'attached', ticket_id: row.ticket_id });
    const photos = await photosOf(row.ticket_id!);
    expect(photos).toHaveLength(1);
    expect(new Uint8Array(photos[0]!.data)).toEqual(photo);
  });
});

describe('photo limits per message', () => {
  it('keeps the report page’s three photos per message and notes the rest; a photo source that is not configured is noted too', async () => {
    const logger = createMemoryLogger();
    const fetcher = createPhotoFetcher({ sources: { 'wecom-image': async (ref) => png(Number(new URL(ref.kind === 'wecom-image' ? ref.url : 'https://x/0').pathname.slice(1))) }, logger, timeoutMs: 1000 });
    const msg = (attachments: InboundMessage['attachments']): InboundMessage => ({
      platform: 'wecom',
      messageId: 'limits',
      chatType: 'group',
      chatId: 'wr-county-chat',
      sender: { userId: 'qs-jixie-liu' },
      text: '[图片]',
      receivedAt: new Date(0),
      ...(attachments ? { attachments } : {}),
    });
    const four = await fetcher.fetch(msg([1, 2, 3, 4].map((i) => ({ kind: 'wecom-image' as const, url: `https://img.example/${i}` }))));
    expect(four!.map((p) => (p.ok ? p.contentType : p.reason))).toEqual(['image/png', 'image/png', 'image/png', 'too_many']);
    const dingtalk = await fetcher.fetch(msg([{ kind: 'dingtalk-file', downloadCode: 'dc' }]));
    expect(dingtalk).toEqual([{ ok: false, reason: 'not_configured' }]);
    expect(await fetcher.fetch(msg(undefined))).toBeUndefined();
  });
});
