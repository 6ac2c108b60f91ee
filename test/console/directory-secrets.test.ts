import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { exportDirectory } from '../../src/cli/config-commands';
import { parseConfig } from '../../src/config/parse';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';

/**
 * A group robot key written as ${ENV_VAR} was resolved when the file was read, and the key
 * itself went into directory_revisions, the groups table, `config export` and the console's
 * edit form. The reference is what is stored; the key is read for each post. A key stored
 * written out (older revisions) is shown masked, and sending the masked value back keeps it.
 */
const KEY = 'wecom-push-key-9f8e7d6c5b4a';
const LEGACY = 'legacy-literal-key-0123WXYZ';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

describeOnDatabases('group robot keys in the directory', (db) => {
  let rt: Runtime | undefined;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>> | undefined;
  let cookie = '';
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
  });
  const get = (path: string) => rt!.app.request(path, { headers: { cookie } });
  const stored = async () => {
    const revisions = (await sql`select * from directory_revisions`.execute(rt!.services.db)).rows;
    const groups = await rt!.services.db.selectFrom('groups').selectAll().execute();
    return JSON.stringify(revisions) + JSON.stringify(groups);
  };
  const send = (chatId: string) => rt!.platforms.senders.wecom!.send({ platform: 'wecom', target: { kind: 'group', chatId }, payload: { format: 'text', text: '【派单】测试', mentions: [] } });

  it('stores the ${ENV_VAR} reference, never the key, and posts with the key read from the environment', async () => {
    wecom = await startFakeWecom();
    const env = { GONGZHI_GROUP_KEY_COUNTY: KEY, WECOM_API_BASE: wecom.base };
    const text = `${await readFile(EXAMPLE, 'utf8')}\n`;
    const base = parseConfig(text, 'deploy.yaml', env);
    const withGroup = text.replace(/^groups:\n/m, 'groups:\n  - { id: county-wecom, name: 企业微信群, platform: wecom, chatId: wr-county, outbound: { kind: wecom-webhook, key: "${GONGZHI_GROUP_KEY_COUNTY}" } }\n');
    expect(withGroup).not.toBe(text);
    const config = parseConfig(withGroup, 'deploy.yaml', env);
    expect(config.groups.length).toBe(base.groups.length + 1);
    // Still required at start: a reference to an unset variable stops the file.
    expect(() => parseConfig(withGroup, 'deploy.yaml', { WECOM_API_BASE: wecom!.base })).toThrow(/GONGZHI_GROUP_KEY_COUNTY/);
    const clock = createTestClock('2026-12-02T02:00:00Z');
    rt = await createTestRuntime(db(), { now: clock.now, config, rawEnv: env });
    await setConsolePassword(rt.services.db, 'zhaolei', PASSWORD, clock.now());
    const login = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'zhaolei', password: PASSWORD, next: '/console' }).toString() });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    expect(await stored()).not.toContain(KEY);
    expect(await stored()).toContain('${GONGZHI_GROUP_KEY_COUNTY}');
    expect(await send('wr-county')).toEqual({ ok: true });
    expect(wecom.posts('/cgi-bin/webhook/send').at(-1)!.query.key).toBe(KEY);
  });

  it('never shows a key in the console export, the CLI export or the edit form; a masked key sent back keeps the stored one', async () => {
    // A revision from before: the key written out (as seeding used to store it).
    const live = rt!.services.liveDirectory;
    const groups = [...(live.snapshot.groups as Array<Record<string, unknown>>), { id: 'legacy-wecom', name: '老群', platform: 'wecom', chatId: 'wr-legacy', outbound: { kind: 'wecom-webhook', key: LEGACY } }];
    expect(await live.write({ directory: { ...live.snapshot, groups }, base: live.revision, author: 'zhaolei', source: 'import' })).toMatchObject({ ok: true, written: true });

    const exported = await (await get('/console/directory/export.yaml')).text();
    const cli = (await exportDirectory(rt!.services, rt!.services.now())).out.join('\n');
    for (const text of [exported, cli]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(LEGACY);
      expect(text).toContain('${GONGZHI_GROUP_KEY_COUNTY}');
      expect(text).toContain('****WXYZ');
    }
    for (const path of ['/console/directory/groups', '/console/directory/groups/legacy-wecom', '/console/directory/groups/county-wecom']) {
      const page = await (await get(path)).text();
      expect(page, path).not.toContain(LEGACY);
      expect(page, path).not.toContain(KEY);
    }

    // Renaming the group through the form posts the masked key back: the stored key stays, posts still work.
    const form = await (await get('/console/directory/groups/legacy-wecom')).text();
    const outbound = /<textarea name="outbound"[^>]*>([\s\S]*?)<\/textarea>/.exec(form)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
    expect(outbound).toContain('****WXYZ');
    const base = /name="__base" value="(\d+)"/.exec(form)![1]!;
    const saved = await rt!.app.request('/console/directory/groups/legacy-wecom', { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ __base: base, id: 'legacy-wecom', name: '老群（改名）', platform: 'wecom', chatId: 'wr-legacy', outbound }).toString() });
    expect(saved.status).toBe(303);
    const after = (live.snapshot.groups as Array<{ id: string; name: string; outbound: { key: string } }>).find((g) => g.id === 'legacy-wecom')!;
    expect(after).toMatchObject({ name: '老群（改名）', outbound: { key: LEGACY } });
    expect(await send('wr-legacy')).toEqual({ ok: true });
    expect(wecom!.posts('/cgi-bin/webhook/send').at(-1)!.query.key).toBe(LEGACY);

    // A masked value on a group that has no such key is refused, never stored as a key.
    const refused = await rt!.app.request('/console/directory/groups/new', { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ __base: String(live.revision), id: 'copy-wecom', name: '复制的群', platform: 'wecom', chatId: 'wr-copy', outbound }).toString() });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('遮盖');
    expect(JSON.stringify(live.snapshot)).not.toContain('wr-copy');
  });
});
