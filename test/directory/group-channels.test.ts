import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { importDirectory } from '../../src/cli/config-commands';
import { diffDirectory } from '../../src/directory/diff';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { insertRevision } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const AIBOT_GROUP = { id: 'county-aibot', name: '青山县营商环境共商共治群（企业微信）', region: '青山县', platform: 'wecom', chatId: 'wr-aibot-county', outbound: { kind: 'wecom-aibot' } };

describeOnDatabases('a WeCom AI-bot group without the long connection’s credentials', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let cookie: string;
  const clock = createTestClock('2026-12-04T02:00:00Z');
  beforeAll(async () => {
    // No WECOM_BOT_ID / WECOM_BOT_SECRET in this instance's environment.
    rt = await createTestRuntime(database(), { now: clock.now, rawEnv: {} });
    await setConsolePassword(rt.services.db, 'zhaolei', PASSWORD, clock.now());
    const login = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'zhaolei', password: PASSWORD, next: '/console' }).toString() });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => rt?.close());

  it('is refused by the console with the variables to set, beside the group’s outbound, and nothing is saved', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const res = await rt.app.request('/console/directory/groups/new', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ __base: String(before), id: AIBOT_GROUP.id, name: AIBOT_GROUP.name, region: AIBOT_GROUP.region, platform: 'wecom', chatId: AIBOT_GROUP.chatId, outbound: 'kind: wecom-aibot' }).toString(),
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('群 county-aibot 经智能机器人长连接发消息（outbound: wecom-aibot），但 WECOM_BOT_ID、WECOM_BOT_SECRET 未设置');
    expect(html).toContain('或把这些群改为 wecom-webhook');
    expect(live.revision).toBe(before);
    expect(live.config.groups.some((g) => g.id === AIBOT_GROUP.id)).toBe(false);
  });

  it('is refused by config import, dry run or --apply, naming the variables', async () => {
    const live = rt.services.liveDirectory;
    const before = live.revision;
    const directory = { ...live.snapshot, groups: [...(live.snapshot.groups as unknown[]), AIBOT_GROUP] };
    for (const apply of [false, true]) {
      const r = await importDirectory(rt.services, { directory, apply, author: 'cli', note: 'cli config import county.yaml' });
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).toContain('groups.3.outbound: 群 county-aibot 经智能机器人长连接发消息（outbound: wecom-aibot），但 WECOM_BOT_ID、WECOM_BOT_SECRET 未设置');
    }
    expect(live.revision).toBe(before);
  });

  it('found by a running bot in a revision written elsewhere: one log line with the fix', async () => {
    const live = rt.services.liveDirectory;
    const next = { ...live.snapshot, groups: [...(live.snapshot.groups as unknown[]), AIBOT_GROUP] };
    // Another instance (whose environment has the connection) or an older version wrote it.
    await rt.services.db.transaction().execute((tx) =>
      insertRevision(tx, { base: live.revision, author: 'other-instance', source: 'console', directory: next, changes: diffDirectory(live.snapshot, next) }, clock.now()),
    );
    clock.advance(5_000);
    await live.catchUp();
    expect(live.config.groups.some((g) => g.id === AIBOT_GROUP.id)).toBe(true);
    const lines = rt.logger.lines.filter((l) => l.event === 'directory.group_channel_missing');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', groups: ['county-aibot'], missing: ['WECOM_BOT_ID', 'WECOM_BOT_SECRET'] });
    expect(String(lines[0]!.hint)).toMatch(/set the variables .* restart, or change the groups' outbound/);

    // Unrelated edits still save (refusing them would not make the group deliverable) and say nothing new.
    const fewerFaq = { ...live.snapshot, faq: (live.snapshot.faq as Array<Record<string, unknown>>).slice(1) };
    expect(await live.write({ directory: fewerFaq, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });
    expect(rt.logger.lines.filter((l) => l.event === 'directory.group_channel_missing')).toHaveLength(1);
  });
});

/** Runs the CLI as a user would, on its own embedded database. */
const cli = (args: string[], dataDir: string) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, GONGZHI_CONFIG: EXAMPLE, NODE_ENV: 'development', WECOM_BOT_ID: '', WECOM_BOT_SECRET: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

it('cli config import on its own database refuses the group too', { timeout: 400_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-cli-aibot-'));
  expect((await cli(['migrate'], dataDir)).status).toBe(0);
  const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as { groups: unknown[] };
  yaml.groups = [...yaml.groups, AIBOT_GROUP];
  const path = join(dataDir, 'county.yaml');
  writeFileSync(path, stringifyYaml(yaml));
  const r = await cli(['config', 'import', path, '--apply'], dataDir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('但 WECOM_BOT_ID、WECOM_BOT_SECRET 未设置');
  expect(r.stdout).not.toContain('已写入');
});
