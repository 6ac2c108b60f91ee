import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const url = process.env.DATABASE_URL;
const OUT = 'dist/worker-group-channels';
const PASSWORD = 'correct horse battery';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', 'cf-connecting-ip': '203.0.113.7' };

/**
 * A Worker never opens the AI bot's long connection (Node only) and strips its variables, so a
 * wecom-aibot group's posts there all dead-letter: its console must refuse to save one, as a Node
 * instance without the variables does.
 */
describe.runIf(url)('the Worker’s console and a WeCom AI-bot group', () => {
  let mf: Miniflare;
  let schema = '';
  let cookie = '';

  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', OUT], { stdio: 'pipe' });
    schema = `gz_worker_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    const { openDatabase } = await import('../../src/db/open');
    const { migrateToLatest } = await import('../../src/db/database');
    const { setConsolePassword } = await import('../../src/repo/console-accounts');
    const h = await openDatabase({ url: url!, schema });
    await migrateToLatest(h.db);
    // The directory the Worker would seed on its first request, so the admin has a staff row.
    const { syncDirectory } = await import('../../src/repo/directory');
    const { loadConfigFile } = await import('../../src/config/load');
    await syncDirectory(h.db, await loadConfigFile('config/example.yaml'), new Date('2026-12-04T02:00:00Z'));
    await setConsolePassword(h.db, 'zhaolei', PASSWORD, new Date('2026-12-04T02:00:00Z'));
    await h.close();
    const u = new URL(url!);
    u.searchParams.set('options', `-c search_path=${schema}`);
    mf = new Miniflare({
      modules: true,
      scriptPath: `${OUT}/worker.js`,
      compatibilityDate: '2024-09-23', // as in wrangler.toml
      compatibilityFlags: ['nodejs_compat'],
      bindings: {
        GONGZHI_CONFIG_TEXT: readFileSync('config/example.yaml', 'utf8'),
        GONGZHI_SESSION_SECRET: 'worker-session-secret-for-tests-0123456789',
        // Set, as an operator moving from Node might leave them: a Worker still has no connection.
        WECOM_BOT_ID: 'bot-id',
        WECOM_BOT_SECRET: 'bot-secret',
        DATABASE_URL: u.toString(),
      },
    });
    const login = await mf.dispatchFetch('http://localhost/console/login', {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ staffId: 'zhaolei', password: PASSWORD, next: '/console' }).toString(),
      redirect: 'manual',
    });
    cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/=/);
  }, 240_000);

  afterAll(async () => {
    await mf?.dispose();
    if (schema) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    }
  });

  it('refuses the save, saying the Worker has no long connection and to use wecom-webhook', async () => {
    const page = await mf.dispatchFetch('http://localhost/console/directory/groups/new', { headers: { cookie, 'cf-connecting-ip': '203.0.113.7' } });
    expect(page.status).toBe(200);
    const base = /name="__base" value="(\d+)"/.exec(await page.text())?.[1];
    expect(base).toBeDefined();
    const res = await mf.dispatchFetch('http://localhost/console/directory/groups/new', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ __base: base!, id: 'county-aibot', name: '青山县营商环境共商共治群（企业微信）', region: '青山县', platform: 'wecom', chatId: 'wr-aibot-county', outbound: 'kind: wecom-aibot' }).toString(),
      redirect: 'manual',
    });
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('群 county-aibot 经智能机器人长连接发消息（outbound: wecom-aibot），但 Cloudflare Workers 上没有长连接');
    expect(html).toContain('请把这些群改为 wecom-webhook');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const groups = (await c.query(`select id from ${schema}.groups where id = 'county-aibot'`)).rows;
    await c.end();
    expect(groups).toEqual([]);
  });
});
