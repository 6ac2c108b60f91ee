import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDingtalkClient } from '../../adapters/dingtalk/client';
import { createDingtalkSender } from '../../adapters/dingtalk/sender';
import { createWecomClient } from '../../adapters/wecom/client';
import { createWecomSender } from '../../adapters/wecom/sender';
import type { DatabaseHandle } from '../../src/db/database';
import { createMemoryLogger } from '../../src/logger';
import { createOutboxDrainer } from '../../src/outbox/drainer';
import { enqueueOutbox, type OutboxEntry } from '../../src/repo/outbox';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock } from '../helpers/runtime';
import { startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP } from '../fakes/wecom-callbacks';

const DT = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-tests' };

// Issue 17 fix 5: a 200 / errcode 0 that names recipients it skipped is not a delivery.
describeOnDatabases('partial failures inside a successful answer', (database) => {
  let h: DatabaseHandle;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const logger = createMemoryLogger();
  let drainer: ReturnType<typeof createOutboxDrainer>;

  beforeAll(async () => {
    h = database();
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    dt = await startFakeDingtalk(DT);
    const wecomSender = createWecomSender({
      client: createWecomClient({ apiBase: wecom.base, app: { corpId: WECOM_APP.corpId, secret: WECOM_APP.secret, agentId: 1000002 } }),
      webhookKeyFor: () => 'group-key',
      logger,
      now: clock.now,
      replyHosts: [new URL(wecom.base).host],
    });
    const dingtalkSender = createDingtalkSender({
      client: createDingtalkClient({ apiBase: dt.base, oapiBase: dt.base, ...DT }),
      outboundFor: () => ({ kind: 'dingtalk-robot' }),
      logger,
      cardTemplateId: 'tpl-gongzhi-ticket.schema',
      replyHosts: [new URL(dt.base).host],
      now: clock.now,
    });
    drainer = createOutboxDrainer({ db: h.db, adapters: { wecom: wecomSender, dingtalk: dingtalkSender }, now: clock.now, logger, random: () => 0 });
  });
  afterAll(async () => {
    await wecom?.close();
    await dt?.close();
  });

  const direct = (platform: 'wecom' | 'dingtalk', userId: string, text: string): OutboxEntry => ({ platform, kind: 'direct', target: { kind: 'direct', userId }, payload: { format: 'text', text, mentions: [] } });
  const enqueue = (e: OutboxEntry) => h.db.transaction().execute((tx) => enqueueOutbox(tx, [e], clock.now()));
  const row = (text: string) => h.db.selectFrom('outbox').selectAll().where(({ eb }) => eb('payload', '@>', JSON.stringify({ text }))).executeTakeFirstOrThrow();

  it('WeCom message/send with invaliduser: dead-lettered at once with the reason, not marked sent', async () => {
    wecom.failNext('/cgi-bin/message/send', { errcode: 0, errmsg: 'ok', invaliduser: 'ghost-user', msgid: 'm1' });
    await enqueue(direct('wecom', 'ghost-user', 'GZ-1 待您签收'));
    await drainer.drainOnce();
    const r = await row('GZ-1 待您签收');
    expect(r.status).toBe('dead');
    expect(r.last_error).toMatch(/invaliduser=ghost-user/);
    expect(logger.lines.some((l) => l.event === 'outbox.dead_letter')).toBe(true);
  });

  it('DingTalk batchSend with flowControlledStaffIdList: retried after a minute, then delivered once', async () => {
    dt.failNext('/v1.0/robot/oToMessages/batchSend', { status: 200, json: { processQueryKey: 'q1', flowControlledStaffIdList: ['dt-tangning'], invalidStaffIdList: [] } });
    await enqueue(direct('dingtalk', 'dt-tangning', 'GZ-2 待您签收'));
    await drainer.drainOnce();
    let r = await row('GZ-2 待您签收');
    expect(r).toMatchObject({ status: 'pending', attempts: 1 });
    expect(r.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(60_000);
    clock.advance(61_000);
    await drainer.drainOnce();
    r = await row('GZ-2 待您签收');
    expect(r.status).toBe('sent');
    expect(dt.posts('/v1.0/robot/oToMessages/batchSend').filter((p) => JSON.stringify(p.body).includes('GZ-2 待您签收'))).toHaveLength(2);
  });

  it('DingTalk batchSend with invalidStaffIdList: dead-lettered, naming the account', async () => {
    dt.failNext('/v1.0/robot/oToMessages/batchSend', { status: 200, json: { processQueryKey: 'q2', invalidStaffIdList: ['dt-left-the-org'], flowControlledStaffIdList: [] } });
    await enqueue(direct('dingtalk', 'dt-left-the-org', 'GZ-3 待您签收'));
    await drainer.drainOnce();
    const r = await row('GZ-3 待您签收');
    expect(r.status).toBe('dead');
    expect(r.last_error).toMatch(/dt-left-the-org/);
  });

  it('DingTalk createAndDeliver whose deliverResults failed: the dispatch notice goes out as text instead', async () => {
    dt.failNext('/v1.0/card/instances/createAndDeliver', {
      status: 200,
      json: { success: true, result: { outTrackId: 'gz-ticket-999', deliverResults: [{ spaceType: 'IM_GROUP', spaceId: 'cid-county==', success: false, errorMsg: 'robot not in group' }] } },
    });
    await enqueue({ platform: 'dingtalk', kind: 'notice', target: { kind: 'group', chatId: 'cid-county==' }, payload: { format: 'text', text: 'GZ-4 已派单给县住建局', mentions: [], card: { outTrackId: 'gz-ticket-999', params: { number: 'GZ-4' } } } });
    await drainer.drainOnce();
    expect((await row('GZ-4 已派单给县住建局')).status).toBe('sent');
    const text = dt.posts('/v1.0/robot/groupMessages/send').find((p) => JSON.stringify(p.body).includes('GZ-4 已派单给县住建局'));
    expect(text).toBeTruthy();
    expect(logger.lines.find((l) => l.event === 'dingtalk.card_rejected')?.error).toMatch(/robot not in group/);
  });
});
