import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign } from '../../../adapters/dingtalk/sign';
import type { Runtime } from '../../../src/bootstrap';
import { TEST_DATABASES } from '../../helpers/databases';
import { platformConfig } from '../../helpers/platform-config';
import { createTestClock, createTestRuntime } from '../../helpers/runtime';
import { eventually, serveApp } from '../../helpers/serve';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../../fakes/dingtalk-api';
import { startFakeServer } from '../../fakes/http-server';

const APP = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-replay' };

describe('DingTalk callbacks: one signature, one message; replies only to DingTalk', () => {
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let attacker: Awaited<ReturnType<typeof startFakeServer>>;
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  let http: Awaited<ReturnType<typeof serveApp>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    dt = await startFakeDingtalk(APP);
    attacker = await startFakeServer(() => ({ json: { errcode: 0 } }));
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      now: clock.now,
      config: await platformConfig(['dingtalk']),
      rawEnv: dingtalkRawEnv(APP, dt.base),
    });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await dt?.close();
    await attacker?.close();
  });

  const post = (body: unknown, ts: string, sign = dingtalkSign(APP.clientSecret, ts)) =>
    fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign }, body: JSON.stringify(body) });

  it('refuses a captured (timestamp, sign) pair on a different message within the hour, and says why', async () => {
    const ts = String(clock.now().getTime());
    const report = robotPayload({ msgId: 'msgReplay1', staffId: 'hengtong-zhang', text: '我们的投标保证金半年了还没退', sessionWebhook: `${dt.base}/robot/sendBySession?session=r1` });
    expect((await post(report, ts)).status).toBe(200);
    // The platform's own retry of the same message still gets through (and is deduplicated downstream).
    expect((await post(report, ts)).status).toBe(200);
    clock.advance(10 * 60_000);
    const forged = robotPayload({ msgId: 'msgForged1', staffId: 'zhengyan', text: '/办结 1 已处理', sessionWebhook: `${dt.base}/robot/sendBySession?session=r2` });
    const res = await post(forged, ts);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'replayed_signature' });
    expect(rt.logger.lines.find((l) => l.event === 'webhook.rejected' && l.reason === 'replayed_signature')).toMatchObject({ hint: expect.stringContaining('timestamp') });
    expect(await rt.services.db.selectFrom('inbound_messages').select('id').where('message_id', '=', 'msgForged1').execute()).toEqual([]);
  });

  it('takes two different messages DingTalk signed in the same millisecond, and the same message twice only once', async () => {
    const ts = String(clock.now().getTime());
    const first = robotPayload({ msgId: 'msgSameMs1', staffId: 'hengtong-zhang', text: '园区门口的路灯坏了一个月了', sessionWebhook: `${dt.base}/robot/sendBySession?session=s1` });
    const second = robotPayload({ msgId: 'msgSameMs2', staffId: 'zhengyan', text: '消防验收材料交了三次还没回复', sessionWebhook: `${dt.base}/robot/sendBySession?session=s2` });
    expect((await post(first, ts)).status).toBe(200);
    clock.advance(300);
    expect((await post(second, ts)).status).toBe(200);
    // The platform retrying the first one: accepted, stored once.
    expect((await post(first, ts)).status).toBe(200);
    const stored = await rt.services.db.selectFrom('inbound_messages').select('message_id').where('message_id', 'in', ['msgSameMs1', 'msgSameMs2']).orderBy('message_id').execute();
    expect(stored.map((r) => r.message_id)).toEqual(['msgSameMs1', 'msgSameMs2']);
    // Once the pair is more than a few seconds old it brings no new message, but the second one's retry still passes.
    clock.advance(30_000);
    expect((await post(second, ts)).status).toBe(200);
    const late = await post(robotPayload({ msgId: 'msgSameMsForged', staffId: 'zhengyan', text: '/办结 1 已处理', sessionWebhook: `${dt.base}/robot/sendBySession?session=s3` }), ts);
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ reason: 'replayed_signature' });
    expect(await rt.services.db.selectFrom('inbound_messages').select('id').where('message_id', '=', 'msgSameMs2').execute()).toHaveLength(1);
  });

  it('accepts the same pair again once the hour has passed and the timestamp is refused anyway', async () => {
    const ts = String(clock.now().getTime());
    expect((await post(robotPayload({ msgId: 'msgFresh1', staffId: 'hengtong-zhang', text: '你好', sessionWebhook: `${dt.base}/robot/sendBySession?session=r3` }), ts)).status).toBe(200);
    clock.advance(61 * 60_000);
    const late = await post(robotPayload({ msgId: 'msgFresh2', staffId: 'hengtong-zhang', text: '你好', sessionWebhook: `${dt.base}/robot/sendBySession?session=r4` }), ts);
    expect(await late.json()).toMatchObject({ reason: 'stale_timestamp' });
  });

  it('never posts a reply to a sessionWebhook outside DingTalk’s API hosts', async () => {
    const ts = String(clock.now().getTime());
    const evil = `${attacker.base}/robot/sendBySession?session=evil`;
    expect((await post(robotPayload({ msgId: 'msgEvilHook', staffId: 'hengtong-zhang', text: '园区路灯坏了半年了没人修', sessionWebhook: evil }), ts)).status).toBe(200);
    // The reply goes to the group through the app robot instead.
    await eventually(() => dt.posts('/v1.0/robot/groupMessages/send').find((p) => JSON.stringify(p.body).includes('已受理')));
    await eventually(() => rt.logger.lines.find((l) => l.event === 'dingtalk.session_webhook_refused'));
    expect(attacker.requests).toEqual([]);
  });
});
