import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDingtalkRobot } from '../../../adapters/dingtalk/inbound';
import { dingtalkSign } from '../../../adapters/dingtalk/sign';
import type { Runtime } from '../../../src/bootstrap';
import { TEST_DATABASES } from '../../helpers/databases';
import { startDingtalkStreamRuntime, STREAM_APP, type DingtalkStreamRuntime } from '../../helpers/dingtalk-stream';
import { platformConfig } from '../../helpers/platform-config';
import { createTestRuntime } from '../../helpers/runtime';
import { eventually, serveApp } from '../../helpers/serve';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../../fakes/dingtalk-api';

/**
 * In a cross-organisation DingTalk group, a member of the other organisation whose userid there
 * happens to be (or is made to be) one of our staff's — dt-lidian, 供电公司 — was taken for that
 * staff member and could claim and resolve the department's tickets. senderCorpId decides.
 */
const POWER = '我们厂新建的厂房申请用电报装一个月了还没接通';
const APP = STREAM_APP;

describe('DingTalk HTTP callbacks from another organisation', () => {
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    dt = await startFakeDingtalk(APP);
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { config: await platformConfig(['dingtalk']), rawEnv: dingtalkRawEnv(APP, dt.base) });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await dt?.close();
  });
  const post = (payload: Record<string, unknown>) => {
    const ts = Date.now();
    return fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: String(ts), sign: dingtalkSign(APP.clientSecret, String(ts)) }, body: JSON.stringify(payload) });
  };
  const ticket = () => rt.services.db.selectFrom('tickets').selectAll().where('content', '=', POWER).executeTakeFirstOrThrow();

  it('does not let another organisation’s member with our staff’s userid claim a ticket; our own staff member can', async () => {
    expect((await post(robotPayload({ msgId: 'corp-report', staffId: 'hengtong-zhang', text: POWER, sessionWebhook: `${dt.base}/robot/sendBySession?session=r` }))).status).toBe(200);
    const t = await eventually(async () => (await rt.services.db.selectFrom('tickets').select('id').where('content', '=', POWER).executeTakeFirst()) && ticket());
    expect(t).toMatchObject({ status: 'dispatched', department_id: 'power' });

    const impostor = { ...robotPayload({ msgId: 'corp-claim-1', staffId: 'dt-lidian', nick: '李电', text: `/认领 ${t.number}`, sessionWebhook: `${dt.base}/robot/sendBySession?session=x` }), senderCorpId: 'ding-other-corp', senderId: '$:LWCP_v1:$other-lidian' };
    expect((await post(impostor)).status).toBe(200);
    const answer = await eventually(() => dt.posts('/robot/sendBySession').find((p) => p.query.session === 'x'));
    expect(JSON.stringify(answer.body)).not.toContain('已签收');
    expect((await ticket()).status).toBe('dispatched');
    // Kept apart as a person of its own, never matching the staff account.
    const requester = await rt.services.db.selectFrom('requesters').select('user_id').where('user_id', 'like', 'ext:%').executeTakeFirst();
    expect(requester?.user_id).toBe('ext:ding-other-corp:$:LWCP_v1:$other-lidian');

    const own = robotPayload({ msgId: 'corp-claim-2', staffId: 'dt-lidian', nick: '李电', text: `/认领 ${t.number}`, sessionWebhook: `${dt.base}/robot/sendBySession?session=y` });
    expect((await post(own)).status).toBe(200);
    await eventually(async () => (await ticket()).status === 'claimed');
  });
});

describe('DingTalk Stream with DINGTALK_CORP_ID', () => {
  let f: DingtalkStreamRuntime;
  beforeAll(async () => {
    f = await startDingtalkStreamRuntime(await TEST_DATABASES[0]!.open(), { DINGTALK_CORP_ID: 'ding-corp', DINGTALK_CARD_TEMPLATE_ID: 'tpl-gongzhi-ticket.schema' });
  });
  afterAll(async () => f?.close());
  const ticket = () => f.rt.services.db.selectFrom('tickets').selectAll().where('content', '=', POWER).executeTakeFirst();

  it('takes a sender who names no organisation, or another, for nobody’s staff — in messages and card clicks', async () => {
    const { dt } = f;
    dt.pushRobot(robotPayload({ msgId: 'stream-corp-report', staffId: 'hengtong-zhang', text: POWER, sessionWebhook: `${dt.base}/robot/sendBySession?session=s0` }));
    const t = await eventually(async () => (await ticket())?.status === 'dispatched' && ticket());
    // The robot's organisation in the payload does not vouch for the sender once the deployment names its own.
    const { senderCorpId: _dropped, ...nameless } = robotPayload({ msgId: 'stream-corp-claim', staffId: 'dt-lidian', text: `/认领 ${t!.number}`, sessionWebhook: `${dt.base}/robot/sendBySession?session=s1` });
    dt.pushRobot(nameless);
    await eventually(() => dt.posts('/robot/sendBySession').find((p) => p.query.session === 's1'));
    expect((await ticket())!.status).toBe('dispatched');
    const click = dt.pushCardClick(`gz-ticket-${t!.id}`, 'dt-lidian', ['claim'], {}, 'ding-other-corp');
    await eventually(() => dt.acks(click)[0]);
    expect((await ticket())!.status).toBe('dispatched');
    const own = dt.pushCardClick(`gz-ticket-${t!.id}`, 'dt-lidian', ['claim']);
    await eventually(() => dt.acks(own)[0]);
    await eventually(async () => (await ticket())!.status === 'claimed');
  });
});

it('parses a sender of another organisation apart from our userids, by the configured corp or the robot’s', () => {
  const at = new Date(0);
  const base = robotPayload({ msgId: 'm1', staffId: 'dt-lidian', text: 'hi', sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=1' });
  expect(parseDingtalkRobot(JSON.stringify(base), at)!.sender.userId).toBe('dt-lidian');
  expect(parseDingtalkRobot(JSON.stringify(base), at, { corpId: 'ding-corp' })!.sender.userId).toBe('dt-lidian');
  const other = { ...base, senderCorpId: 'ding-other' };
  expect(parseDingtalkRobot(JSON.stringify(other), at)!.sender.userId).toBe(`ext:ding-other:${base.senderId}`);
  // The robot's organisation stands in only without DINGTALK_CORP_ID: the configured one wins.
  expect(parseDingtalkRobot(JSON.stringify({ ...base, chatbotCorpId: 'ding-other', senderCorpId: 'ding-other' }), at, { corpId: 'ding-corp' })!.sender.userId).toMatch(/^ext:ding-other:/);
  const direct = parseDingtalkRobot(JSON.stringify({ ...other, conversationType: '1' }), at)!;
  expect(direct).toMatchObject({ chatType: 'direct', chatId: `ext:ding-other:${base.senderId}`, raw: { external: true, senderCorpId: 'ding-other' } });
});
