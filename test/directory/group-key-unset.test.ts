import { afterAll, beforeAll, expect, it } from 'vitest';
import { importDirectory } from '../../src/cli/config-commands';
import { diffDirectory } from '../../src/directory/diff';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { insertRevision } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const KEY = 'group-key-0123456789abcdef';
const webhookGroup = (id: string, variable: string) => ({
  id,
  name: `${id} 企业微信群`,
  region: '青山县',
  platform: 'wecom',
  chatId: `wr-${id}`,
  outbound: { kind: 'wecom-webhook', key: `\${${variable}}` },
});

/**
 * A group key pointing at a GONGZHI_GROUP_KEY_* variable this instance has not set (or set to
 * blanks) was saved: every post to the group then failed with only a log line per post, and
 * the file holding the same reference would not even start. The save is refused as the start is.
 */
describeOnDatabases('a group key naming a variable that is not set', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let cookie: string;
  const clock = createTestClock('2026-12-04T02:00:00Z');
  const groups = () => rt.services.liveDirectory.snapshot.groups as Array<Record<string, unknown>>;
  beforeAll(async () => {
    // GONGZHI_GROUP_KEY_MISSING is absent; GONGZHI_GROUP_KEY_BLANK as an env file's `X= ` leaves it.
    rt = await createTestRuntime(database(), { now: clock.now, rawEnv: { GONGZHI_GROUP_KEY_COUNTY: KEY, GONGZHI_GROUP_KEY_BLANK: '  ' } });
    await setConsolePassword(rt.services.db, 'zhaolei', PASSWORD, clock.now());
    const login = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'zhaolei', password: PASSWORD, next: '/console' }).toString() });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => rt?.close());

  it('is refused by the console with the start-up check’s message naming the variable, and nothing is saved', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const res = await rt.app.request('/console/directory/groups/new', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ __base: String(before), id: 'park-wecom', name: '开发区企业微信群', region: '青山县', platform: 'wecom', chatId: 'wr-park', outbound: 'kind: wecom-webhook\nkey: "${GONGZHI_GROUP_KEY_MISSING}"' }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('环境变量 GONGZHI_GROUP_KEY_MISSING 未设置（environment variable GONGZHI_GROUP_KEY_MISSING is not set）');
    expect(live.revision).toBe(before);
    expect(live.config.groups.some((g) => g.id === 'park-wecom')).toBe(false);
  });

  it('is refused by config import, dry run or --apply, a blank variable too; a set one saves', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const n = groups().length;
    const custom = { id: 'park-dingtalk', name: '开发区钉钉群', region: '青山县', platform: 'dingtalk', chatId: 'cid-park==', outbound: { kind: 'dingtalk-custom-robot', accessToken: '${GONGZHI_GROUP_KEY_COUNTY}', secret: '${GONGZHI_GROUP_KEY_BLANK}' } };
    for (const apply of [false, true]) {
      const r = await importDirectory(rt.services, { directory: { ...live.snapshot, groups: [...groups(), webhookGroup('park-wecom', 'GONGZHI_GROUP_KEY_MISSING'), custom] }, apply, author: 'cli', note: 'cli config import county.yaml' });
      expect(r.code).toBe(1);
      const err = r.err.join('\n');
      expect(err).toContain(`groups.${n}.outbound.key: 环境变量 GONGZHI_GROUP_KEY_MISSING 未设置`);
      expect(err).toContain(`groups.${n + 1}.outbound.secret: 环境变量 GONGZHI_GROUP_KEY_BLANK 未设置`);
      expect(err).not.toContain('GONGZHI_GROUP_KEY_COUNTY');
    }
    expect(live.revision).toBe(before);

    const ok = await importDirectory(rt.services, { directory: { ...live.snapshot, groups: [...groups(), webhookGroup('park-wecom', 'GONGZHI_GROUP_KEY_COUNTY')] }, apply: true, author: 'cli', note: 'cli config import county.yaml' });
    expect(ok.code).toBe(0);
    expect(live.config.groups.find((g) => g.id === 'park-wecom')?.outbound).toEqual({ kind: 'wecom-webhook', key: '${GONGZHI_GROUP_KEY_COUNTY}' });
  });

  it('stored elsewhere: logged once, unrelated edits still save, and pointing it at another unset variable is refused', async () => {
    const live = rt.services.liveDirectory;
    const next = { ...live.snapshot, groups: [...groups(), webhookGroup('town-wecom', 'GONGZHI_GROUP_KEY_TOWN')] };
    // Another instance (whose environment has the variable) wrote it.
    await rt.services.db.transaction().execute((tx) =>
      insertRevision(tx, { base: live.revision, author: 'other-instance', source: 'console', directory: next, changes: diffDirectory(live.snapshot, next) }, clock.now()),
    );
    clock.advance(5_000);
    await live.catchUp();
    expect(live.config.groups.some((g) => g.id === 'town-wecom')).toBe(true);
    const lines = rt.logger.lines.filter((l) => l.event === 'directory.group_channel_missing');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', groups: ['town-wecom'], missing: ['GONGZHI_GROUP_KEY_TOWN'] });

    const fewerFaq = { ...live.snapshot, faq: (live.snapshot.faq as Array<Record<string, unknown>>).slice(1) };
    expect(await live.write({ directory: fewerFaq, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });
    const renamed = groups().map((g) => (g.id === 'town-wecom' ? { ...g, name: '城关镇企业微信群' } : g));
    expect(await live.write({ directory: { ...live.snapshot, groups: renamed }, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });

    const repointed = groups().map((g) => (g.id === 'town-wecom' ? webhookGroup('town-wecom', 'GONGZHI_GROUP_KEY_BLANK') : g));
    const refused = await live.write({ directory: { ...live.snapshot, groups: repointed }, base: live.revision, author: 'zhaolei', source: 'console' });
    expect(refused).toMatchObject({ ok: false, issues: [{ message: expect.stringContaining('环境变量 GONGZHI_GROUP_KEY_BLANK 未设置') }] });
    const fixed = groups().map((g) => (g.id === 'town-wecom' ? webhookGroup('town-wecom', 'GONGZHI_GROUP_KEY_COUNTY') : g));
    expect(await live.write({ directory: { ...live.snapshot, groups: fixed }, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });
  });
});
