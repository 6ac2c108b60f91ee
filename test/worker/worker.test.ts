import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Miniflare } from 'miniflare';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { signedCallback, WECOM_BOT } from '../fakes/wecom-callbacks';
import { robotPayload } from '../fakes/dingtalk-api';
import { eventually } from '../helpers/serve';

const url = process.env.DATABASE_URL;
const DT = { id: 'ding-robot-code', secret: 'dt-secret-worker' };

describe('the Worker bundle in workerd (Miniflare)', () => {
  let mf: Miniflare;
  let schemaUrl: string | null = null;
  let schema = '';

  beforeAll(async () => {
    // The same build `wrangler deploy` would upload.
    execFileSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', 'dist/worker'], { stdio: 'pipe' });
    if (url) {
      // Migrations run from the CLI, never in the Worker: prepare an isolated schema first.
      schema = `gz_worker_${randomBytes(4).toString('hex')}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      const { openDatabase } = await import('../../src/db/open');
      const { migrateToLatest } = await import('../../src/db/database');
      const h = await openDatabase({ url, schema });
      await migrateToLatest(h.db);
      const { syncDirectory } = await import('../../src/repo/directory');
      const { loadConfigFile } = await import('../../src/config/load');
      const file = await loadConfigFile('config/example.yaml');
      await syncDirectory(h.db, file, new Date('2026-11-23T02:00:00Z'));
      // A console edit made before the Worker runs: 投标保证金 now goes to 县财政局, not the file's 公共资源交易中心.
      const { openLiveDirectory } = await import('../../src/directory/live');
      const { createJsonLogger } = await import('../../src/logger');
      const live = await openLiveDirectory({ db: h.db, file, now: () => new Date('2026-11-23T02:00:00Z'), logger: createJsonLogger(() => undefined) });
      const routing = live.snapshot.routing as { rules: Array<{ keywords?: string[]; department: string }> };
      const rules = routing.rules.map((r) => (r.keywords?.includes('投标保证金') ? { ...r, department: 'caizheng' } : r));
      const edit = await live.write({ directory: { ...live.snapshot, routing: { ...routing, rules } }, base: live.revision, author: 'zhaolei', source: 'console' });
      expect(edit).toMatchObject({ ok: true, written: true });
      await h.close();
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      schemaUrl = u.toString();
    }
    mf = new Miniflare({
      modules: true,
      scriptPath: 'dist/worker/worker.js',
      compatibilityDate: '2024-09-23', // as in wrangler.toml
      compatibilityFlags: ['nodejs_compat'],
      bindings: {
        GONGZHI_CONFIG_TEXT: readFileSync('config/example.yaml', 'utf8'),
        WECOM_BOT_TOKEN: WECOM_BOT.token,
        WECOM_BOT_AES_KEY: WECOM_BOT.aesKey,
        DINGTALK_CLIENT_ID: DT.id,
        DINGTALK_CLIENT_SECRET: DT.secret,
        DATABASE_URL: schemaUrl ?? 'postgres://nobody@127.0.0.1:1/none',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await mf?.dispose();
    if (url && schema) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    }
  });

  it('answers WeCom’s GET URL verification with the decrypted echostr (Web Crypto in workerd)', async () => {
    const cb = signedCallback({ token: WECOM_BOT.token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext: '1288432023552776189' });
    const res = await mf.dispatchFetch(`http://localhost/webhooks/wecom?msg_signature=${cb.signature}&timestamp=${cb.timestamp}&nonce=${cb.nonce}&echostr=${encodeURIComponent(cb.encrypted)}`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toBe('1288432023552776189');
    const bad = await mf.dispatchFetch(`http://localhost/webhooks/wecom?msg_signature=${'0'.repeat(40)}&timestamp=${cb.timestamp}&nonce=${cb.nonce}&echostr=${encodeURIComponent(cb.encrypted)}`);
    expect(bad.status).toBe(401);
  });

  it('without GONGZHI_SESSION_SECRET the console and report pages say which secret to set and how, instead of a bare 404', async () => {
    for (const path of ['/console', '/console/login', '/r/county']) {
      const res = await mf.dispatchFetch(`http://localhost${path}`);
      const text = await res.text();
      expect(res.status, path).toBe(503);
      expect(text).toContain('GONGZHI_SESSION_SECRET 未设置');
      expect(text).toContain('npx wrangler secret put GONGZHI_SESSION_SECRET');
    }
    // Callbacks do not need it and still answer.
    expect((await mf.dispatchFetch('http://localhost/webhooks/wecom')).status).not.toBe(503);
  });

  it.runIf(url)('reports health and turns a signed DingTalk callback into a ticket in PostgreSQL', async () => {
    const health = await mf.dispatchFetch('http://localhost/healthz');
    expect(await health.json()).toMatchObject({ ok: true, database: 'postgres' });
    const ts = String(Date.now());
    const body = JSON.stringify(robotPayload({ msgId: `worker-${ts}`, staffId: 'ent-worker', text: '我们的投标保证金半年了还没退', sessionWebhook: 'http://127.0.0.1:9/robot/sendBySession?session=w' }));
    const res = await mf.dispatchFetch('http://localhost/webhooks/dingtalk', { method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(DT.secret, ts), 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    // Acknowledged once stored; the ticket follows in the Worker's waitUntil.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await eventually(async () => {
      const r = await c.query(`select category, content from ${schema}.tickets where origin_platform = 'dingtalk'`);
      return r.rows.length ? r.rows : undefined;
    });
    await c.end();
    expect(rows).toEqual([{ category: 'payment', content: '我们的投标保证金半年了还没退' }]);
  });

  it.runIf(url)('routes by the directory revision in the database (a console edit), not the YAML it was seeded from', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query(`select department_id from ${schema}.tickets where origin_platform = 'dingtalk'`)).rows;
    await c.end();
    expect(rows).toEqual([{ department_id: 'caizheng' }]);
  });

  it.runIf(url)('runs the Cron Trigger: the deadline sweep issues a 提醒单 for an ignored ticket, inside workerd', async () => {
    // Make the ticket's sign deadline close, as if it had been waiting since yesterday.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`update ${schema}.tickets set dispatched_at = now() - interval '23 hours', sign_due_at = now() + interval '1 hour', resolve_due_at = now() + interval '5 days'`);
    const worker = await mf.getWorker();
    await (worker as unknown as { scheduled(o: { cron: string }): Promise<unknown> }).scheduled({ cron: '* * * * *' });
    let docs: Array<{ step: string }> = [];
    for (let i = 0; i < 50 && docs.length === 0; i++) {
      docs = (await c.query(`select step from ${schema}.escalation_documents`)).rows;
      if (docs.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    await c.end();
    expect(docs).toEqual([{ step: 'reminder' }]);
  });

  it.runIf(url)('picks up a later console edit within seconds, without a redeploy', async () => {
    const { openDatabase } = await import('../../src/db/open');
    const { openLiveDirectory } = await import('../../src/directory/live');
    const { loadConfigFile } = await import('../../src/config/load');
    const { createJsonLogger } = await import('../../src/logger');
    const h = await openDatabase({ url: url!, schema });
    const live = await openLiveDirectory({ db: h.db, file: await loadConfigFile('config/example.yaml'), now: () => new Date(), logger: createJsonLogger(() => undefined) });
    const routing = live.snapshot.routing as { rules: Array<{ keywords?: string[]; department: string }> };
    const rules = routing.rules.map((r) => (r.keywords?.includes('投标保证金') ? { ...r, department: 'shichang' } : r));
    expect(await live.write({ directory: { ...live.snapshot, routing: { ...routing, rules } }, base: live.revision, author: 'zhaolei', source: 'console' })).toMatchObject({ ok: true, written: true });
    await h.close();
    // The isolate asks for a newer revision at most every 3 s (on its own clock, the real one).
    await new Promise((r) => setTimeout(r, 3200));
    const ts = String(Date.now());
    const body = JSON.stringify(robotPayload({ msgId: `worker-late-${ts}`, staffId: 'ent-worker-2', text: '投标保证金三个月了还没退回来', sessionWebhook: 'http://127.0.0.1:9/robot/sendBySession?session=w2' }));
    expect((await mf.dispatchFetch('http://localhost/webhooks/dingtalk', { method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(DT.secret, ts), 'content-type': 'application/json' }, body })).status).toBe(200);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await eventually(async () => {
      const r = await c.query(`select department_id from ${schema}.tickets where content = '投标保证金三个月了还没退回来'`);
      return r.rows.length ? r.rows : undefined;
    });
    await c.end();
    expect(rows).toEqual([{ department_id: 'shichang' }]);
  });
});
