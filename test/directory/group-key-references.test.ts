import { readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { ConfigError, parseConfig } from '../../src/config/parse';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';

/**
 * A group's outbound.key could reference ANY environment variable: whoever edits the directory
 * (console admins, an import) could make the server put GONGZHI_SESSION_SECRET, DATABASE_URL,
 * WECOM_APP_SECRET… into the ?key= of every post to that group — to WeCom, or to the egress
 * proxy, whose access logs keep it. Only GONGZHI_GROUP_KEY_* may be named now.
 */
const SESSION = 'session-secret-abcdefghijklmnopqrstuvwxyz0123';
const KEY = 'group-key-0123456789abcdef';
const groupWith = (text: string, key: string) =>
  text.replace(/^groups:\n/m, `groups:\n  - { id: county-wecom, name: 企业微信群, platform: wecom, chatId: wr-county, outbound: { kind: wecom-webhook, key: "${key}" } }\n`);

it('attack "group key names a server secret": the file is refused, the error names the GONGZHI_GROUP_KEY_ rule', async () => {
  const text = `${await readFile(EXAMPLE, 'utf8')}\n`;
  const env = { GONGZHI_SESSION_SECRET: SESSION, DATABASE_URL: 'postgres://u:p@db/x', GONGZHI_GROUP_KEY_COUNTY: KEY };
  for (const name of ['GONGZHI_SESSION_SECRET', 'DATABASE_URL', 'WECOM_APP_SECRET', 'GONGZHI_GROUP_KEY_']) {
    const withGroup = groupWith(text, `\${${name}}`);
    expect(() => parseConfig(withGroup, 'deploy.yaml', env)).toThrow(ConfigError);
    expect(() => parseConfig(withGroup, 'deploy.yaml', env)).toThrow(/groups\[0\]\.outbound\.key: \$\{\w+\}：群机器人密钥只能引用以 GONGZHI_GROUP_KEY_ 开头的环境变量/);
  }
  expect(parseConfig(groupWith(text, '${GONGZHI_GROUP_KEY_COUNTY}'), 'deploy.yaml', env).groups[0]!.outbound).toEqual({ kind: 'wecom-webhook', key: '${GONGZHI_GROUP_KEY_COUNTY}' });
});

describeOnDatabases('attack: group key references a server secret', (db) => {
  let rt: Runtime | undefined;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>> | undefined;
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
  });
  const send = () => rt!.platforms.senders.wecom!.send({ platform: 'wecom', target: { kind: 'group', chatId: 'wr-county' }, payload: { format: 'text', text: '【派单】测试', mentions: [] } });

  it('a console write naming another variable is refused, the group keeps posting with its own key', async () => {
    wecom = await startFakeWecom();
    const env = { GONGZHI_SESSION_SECRET: SESSION, GONGZHI_GROUP_KEY_COUNTY: KEY, WECOM_API_BASE: wecom.base };
    const config = parseConfig(groupWith(`${await readFile(EXAMPLE, 'utf8')}\n`, '${GONGZHI_GROUP_KEY_COUNTY}'), 'deploy.yaml', env);
    rt = await createTestRuntime(db(), { now: createTestClock('2026-12-02T02:00:00Z').now, config, rawEnv: env });
    expect(await send()).toEqual({ ok: true });
    expect(wecom.posts('/cgi-bin/webhook/send').at(-1)!.query.key).toBe(KEY);

    const live = rt.services.liveDirectory;
    const pointAt = (key: string) => (live.snapshot.groups as Array<Record<string, unknown>>).map((g) => (g.id === 'county-wecom' ? { ...g, outbound: { kind: 'wecom-webhook', key } } : g));
    const refused = await live.write({ directory: { ...live.snapshot, groups: pointAt('${GONGZHI_SESSION_SECRET}') }, base: live.revision, author: 'zhaolei', source: 'console' });
    expect(refused).toMatchObject({ ok: false });
    expect(JSON.stringify(refused)).toContain('GONGZHI_GROUP_KEY_');
    expect(await send()).toEqual({ ok: true });
    expect(wecom.posts('/cgi-bin/webhook/send').at(-1)!.query.key).toBe(KEY);
  });

  it('a directory stored before the rule names GONGZHI_SESSION_SECRET: the post fails, the secret never goes out', async () => {
    const env = { GONGZHI_SESSION_SECRET: SESSION, WECOM_API_BASE: wecom!.base };
    const config = parseConfig(`${await readFile(EXAMPLE, 'utf8')}\n`, 'deploy.yaml', env);
    config.groups.push({ id: 'county-wecom', name: '企业微信群', platform: 'wecom', chatId: 'wr-county', outbound: { kind: 'wecom-webhook', key: '${GONGZHI_SESSION_SECRET}' } } as (typeof config.groups)[number]);
    const before = wecom!.posts('/cgi-bin/webhook/send').length;
    const old = await createTestRuntime(db(), { now: createTestClock('2026-12-02T02:00:00Z').now, config, rawEnv: env });
    try {
      const result = await old.platforms.senders.wecom!.send({ platform: 'wecom', target: { kind: 'group', chatId: 'wr-county' }, payload: { format: 'text', text: '【派单】测试', mentions: [] } });
      expect(result).toMatchObject({ ok: false });
      const after = wecom!.posts('/cgi-bin/webhook/send').slice(before);
      expect(JSON.stringify(after)).not.toContain(SESSION);
    } finally {
      await old.close();
    }
  });
});
