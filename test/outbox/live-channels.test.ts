import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import type { Runtime } from '../../src/bootstrap';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { eventually, serveApp } from '../helpers/serve';
import { dingtalkRawEnv, robotPayload, startFakeDingtalk } from '../fakes/dingtalk-api';

const APP = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-live-channels' };

describe('outbound channels follow the live directory', () => {
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  let http: Awaited<ReturnType<typeof serveApp>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    dt = await startFakeDingtalk(APP);
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now, config: await platformConfig(['dingtalk']), rawEnv: dingtalkRawEnv(APP, dt.base) });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await dt?.close();
  });

  it('posts into a group added in the console after start-up, without a restart', async () => {
    // The console's edit: a new park group whose posts go through its own custom robot.
    const live = rt.services.liveDirectory;
    const groups = live.snapshot.groups as unknown[];
    const added = { id: 'park-dingtalk', name: '青山经济开发区企业服务群（钉钉）', region: '经济开发区', platform: 'dingtalk', chatId: 'cid-park-new==', outbound: { kind: 'dingtalk-custom-robot', accessToken: 'park-robot-token' } };
    expect(await live.write({ directory: { ...live.snapshot, groups: [...groups, added] }, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });

    const ts = String(clock.now().getTime());
    const report = robotPayload({ msgId: 'msgParkNew1', staffId: 'hengtong-zhang', conversationId: 'cid-park-new==', text: '园区路灯坏了半年了没人修', sessionWebhook: `${dt.base}/robot/sendBySession?session=p1` });
    const res = await fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign: dingtalkSign(APP.clientSecret, ts) }, body: JSON.stringify(report) });
    expect(res.status).toBe(200);
    for (let i = 0; i < 5; i++) await rt.services.drainer.drainOnce();
    const posted = await eventually(() => {
      const p = dt.posts('/robot/send').filter((r) => r.query.access_token === 'park-robot-token');
      return p.length ? p : undefined;
    });
    // The dispatch post (派单) reaches the new group, @-ing the department's staff.
    const texts = posted.map((p) => (p.body as { text: { content: string } }).text.content);
    expect(texts.some((t) => t.includes('【派单】县城市管理局') && t.includes('园区路灯坏了半年了没人修'))).toBe(true);
    const refused = await rt.services.db.selectFrom('outbox').select(['status', 'last_error']).where('status', '=', 'dead').execute();
    expect(refused).toEqual([]);
  });
});
