import { afterAll, beforeAll, expect, it } from 'vitest';
import { importDirectory } from '../../src/cli/config-commands';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const DINGTALK_APP_GROUP = { id: 'county-dingtalk', name: '青山县营商环境共商共治群（钉钉）', region: '青山县', platform: 'dingtalk', chatId: 'cid-county==', outbound: { kind: 'dingtalk-robot' } };

async function signIn(rt: Awaited<ReturnType<typeof createTestRuntime>>, now: Date): Promise<string> {
  await setConsolePassword(rt.services.db, 'zhaolei', PASSWORD, now);
  const login = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'zhaolei', password: PASSWORD, next: '/console' }).toString() });
  return login.headers.get('set-cookie')!.split(';')[0]!;
}

describeOnDatabases('a DingTalk app-robot group without the app’s credentials', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let cookie: string;
  const clock = createTestClock('2026-12-04T02:00:00Z');
  beforeAll(async () => {
    // No DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET here: the start would refuse such a group.
    rt = await createTestRuntime(database(), { now: clock.now, rawEnv: {} });
    cookie = await signIn(rt, clock.now());
  });
  afterAll(async () => rt?.close());

  it('is refused by the console with the start-up check’s message, so a save never stops the next restart', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const res = await rt.app.request('/console/directory/groups/new', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ __base: String(before), id: DINGTALK_APP_GROUP.id, name: DINGTALK_APP_GROUP.name, region: DINGTALK_APP_GROUP.region, platform: 'dingtalk', chatId: DINGTALK_APP_GROUP.chatId }).toString(),
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('钉钉群 county-dingtalk 经应用机器人收发消息，但 DINGTALK_CLIENT_ID、DINGTALK_CLIENT_SECRET 未设置');
    expect(html).toContain('或给这些群配 dingtalk-custom-robot');
    expect(live.revision).toBe(before);
    expect(live.config.groups.some((g) => g.id === DINGTALK_APP_GROUP.id)).toBe(false);
  });

  it('is refused by config import, naming the variables; a custom-robot group still saves', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const groups = live.snapshot.groups as unknown[];
    const park = { ...DINGTALK_APP_GROUP, id: 'park-dingtalk', chatId: 'cid-park==', region: '经济开发区' };
    const r = await importDirectory(rt.services, { directory: { ...live.snapshot, groups: [...groups, park] }, apply: true, author: 'cli', note: 'cli config import county.yaml' });
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(`groups.${groups.length}.outbound: 钉钉群 park-dingtalk 经应用机器人收发消息，但 DINGTALK_CLIENT_ID、DINGTALK_CLIENT_SECRET 未设置`);
    expect(live.revision).toBe(before);

    const custom = { ...park, outbound: { kind: 'dingtalk-custom-robot', accessToken: 'park-robot-token' } };
    expect(await live.write({ directory: { ...live.snapshot, groups: [...groups, custom] }, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });
  });
});

describeOnDatabases('long-connection variables set to blanks', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let cookie: string;
  const clock = createTestClock('2026-12-04T02:00:00Z');
  beforeAll(async () => {
    // As an env file's `WECOM_BOT_ID= ` leaves them: set, but no credential.
    rt = await createTestRuntime(database(), { now: clock.now, rawEnv: { WECOM_BOT_ID: ' ', WECOM_BOT_SECRET: '\t' } });
    cookie = await signIn(rt, clock.now());
  });
  afterAll(async () => rt?.close());

  it('count as unset: a WeCom AI-bot group is refused naming both', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const res = await rt.app.request('/console/directory/groups/new', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ __base: String(before), id: 'county-aibot', name: '青山县营商环境共商共治群（企业微信）', region: '青山县', platform: 'wecom', chatId: 'wr-aibot-county', outbound: 'kind: wecom-aibot' }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('群 county-aibot 经智能机器人长连接发消息（outbound: wecom-aibot），但 WECOM_BOT_ID、WECOM_BOT_SECRET 未设置');
    expect(live.revision).toBe(before);
  });
});
