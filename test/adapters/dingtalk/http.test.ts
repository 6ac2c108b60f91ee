import { createHmac } from 'node:crypto';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign, verifyDingtalkHeaders } from '../../../adapters/dingtalk/sign';
import type { Runtime } from '../../../src/bootstrap';
import { TEST_DATABASES } from '../../helpers/databases';
import { platformConfig } from '../../helpers/platform-config';
import { createTestRuntime } from '../../helpers/runtime';
import { eventually, serveApp } from '../../helpers/serve';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../../fakes/dingtalk-api';

const APP = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-tests' };

describe('DingTalk signature', () => {
  const now = new Date('2026-11-23T02:00:00Z');
  const headers = (ts: number, sign: string) => new Headers({ timestamp: String(ts), sign });

  it('matches an independent HmacSHA256 and accepts a fresh timestamp', () => {
    const ts = now.getTime() - 5000;
    const independent = createHmac('sha256', APP.clientSecret).update(`${ts}\n${APP.clientSecret}`).digest('base64');
    expect(dingtalkSign(APP.clientSecret, String(ts))).toBe(independent);
    expect(verifyDingtalkHeaders(headers(ts, independent), APP.clientSecret, now)).toEqual({ ok: true });
  });

  it('rejects a wrong secret, a timestamp over an hour off, and missing headers — each with a hint', () => {
    const ts = now.getTime();
    expect(verifyDingtalkHeaders(headers(ts, dingtalkSign('other', String(ts))), APP.clientSecret, now)).toMatchObject({ ok: false, reason: 'bad_signature', hint: expect.stringContaining('DINGTALK_CLIENT_SECRET') });
    const old = ts - 61 * 60_000;
    expect(verifyDingtalkHeaders(headers(old, dingtalkSign(APP.clientSecret, String(old))), APP.clientSecret, now)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verifyDingtalkHeaders(new Headers(), APP.clientSecret, now)).toMatchObject({ ok: false, reason: 'missing_headers' });
  });
});

describe('DingTalk HTTP callback mode end to end', () => {
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  let http: Awaited<ReturnType<typeof serveApp>>;

  beforeAll(async () => {
    dt = await startFakeDingtalk(APP);
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      config: await platformConfig(['dingtalk']),
      rawEnv: dingtalkRawEnv(APP, dt.base),
    });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await dt?.close();
  });

  const signedPost = (body: string, secret = APP.clientSecret, ts = Date.now()) =>
    fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: String(ts), sign: dingtalkSign(secret, String(ts)) }, body });

  it('turns a signed callback into one ticket in `payment` and replies through the session webhook', async () => {
    const body = JSON.stringify(robotPayload({ msgId: 'msgBidBond1', staffId: 'hengtong-zhang', text: '我们的投标保证金半年了还没退', sessionWebhook: `${dt.base}/robot/sendBySession?session=s1` }));
    const [a, b] = await Promise.all([signedPost(body), signedPost(body)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const tickets = await rt.services.db.selectFrom('tickets').selectAll().where('origin_platform', '=', 'dingtalk').execute();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ category: 'payment', content: '我们的投标保证金半年了还没退', group_id: 'county-dingtalk' });
    const reply = await eventually(() => dt.posts('/robot/sendBySession').find((p) => p.query.session === 's1'));
    expect(reply.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringMatching(/^GZ-\d{8}-\d{4} 已受理/) } });
    // The group notice goes through the app robot's group-message API with a cached token.
    const notice = await eventually(() => dt.posts('/v1.0/robot/groupMessages/send').find((p) => JSON.stringify(p.body).includes('【派单】')));
    expect(notice.body).toMatchObject({ robotCode: APP.clientId, openConversationId: 'cid-county==', msgKey: 'sampleText' });
    expect(JSON.parse((notice.body as { msgParam: string }).msgParam).content).toContain('县公共资源交易中心');
  });

  it('falls back to the group API when the session webhook has expired', async () => {
    const ticket = (await rt.services.db.selectFrom('tickets').selectAll().where('origin_platform', '=', 'dingtalk').executeTakeFirstOrThrow());
    const body = JSON.stringify(robotPayload({ msgId: 'msgStatus1', staffId: 'hengtong-zhang', text: `/进度 ${ticket.seq}`, sessionWebhook: `${dt.base}/robot/sendBySession?session=old`, expiresInMs: -1000 }));
    expect((await signedPost(body)).status).toBe(200);
    await eventually(() => dt.posts('/v1.0/robot/groupMessages/send').find((p) => JSON.stringify(p.body).includes('待签收')));
    expect(dt.posts('/robot/sendBySession').some((p) => p.query.session === 'old')).toBe(false);
  });

  it('rejects a wrong secret and a stale timestamp with 401 and a log hint; malformed JSON with 400; a huge body with 413', async () => {
    const body = JSON.stringify(robotPayload({ msgId: 'msgBad', staffId: 'x', text: 'hi', sessionWebhook: `${dt.base}/robot/sendBySession?session=x` }));
    expect((await signedPost(body, 'wrong-secret')).status).toBe(401);
    expect((await signedPost(body, APP.clientSecret, Date.now() - 2 * 3600_000)).status).toBe(401);
    expect(rt.logger.lines.filter((l) => l.event === 'webhook.rejected').map((l) => l.reason)).toEqual(['bad_signature', 'stale_timestamp']);
    expect((await signedPost('{"msgId": ')).status).toBe(400);
    expect((await signedPost(JSON.stringify({ hello: 1 }))).status).toBe(400);
    const ts = String(Date.now());
    const huge = await fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(APP.clientSecret, ts) }, body: 'x'.repeat(3_000_000), dispatcher: new Agent({ pipelining: 0 }) } as RequestInit);
    expect(huge.status).toBe(413);
  });
});

describe('DingTalk custom robot 加签', () => {
  it('URL-encodes the sign exactly once', async () => {
    const { customRobotQuery } = await import('../../../adapters/dingtalk/sign');
    const now = new Date(1700000000000);
    const q = new URLSearchParams(customRobotQuery('tok', 'SECabc', now));
    expect(q.get('timestamp')).toBe('1700000000000');
    expect(q.get('sign')).toBe(dingtalkSign('SECabc', '1700000000000'));
    expect(customRobotQuery('tok', 'SECabc', now)).not.toMatch(/%25/);
    expect(customRobotQuery('tok', undefined, now)).toBe('access_token=tok');
  });
});
