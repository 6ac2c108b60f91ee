import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { parseEnv } from '../../src/config/env';
import { loadConfigFile } from '../../src/config/load';
import type { Db } from '../../src/db/database';
import { createApp } from '../../src/http/app';
import { ensureGroup } from '../../src/repo/directory';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

/** The 32-bit FNV-1a auto-registered group ids were made from, to find two chats it confuses. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
function collidingChatIds(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const chat = `cid${i.toString(36)}`;
    const h = fnv1a(chat);
    const other = seen.get(h);
    if (other) return [other, chat];
    seen.set(h, chat);
  }
}

describe('hardening', () => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const login = (headers: Record<string, string> = {}, app = rt.app) =>
    app.request('/console/login', { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams({ staffId: 'wangmin', password: PASSWORD, next: '/console' }).toString() });

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now, env: { GONGZHI_TRUST_PROXY: '1' } });
    await setConsolePassword(rt.services.db, 'wangmin', PASSWORD, clock.now());
  });
  afterAll(async () => rt?.close());

  it('marks the session cookie Secure when a trusted TLS proxy says the request was https', async () => {
    expect((await login()).headers.get('set-cookie')).not.toMatch(/Secure/);
    expect((await login({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1' })).headers.get('set-cookie')).toMatch(/gz_console=.*; Secure/);
  });

  it('does not believe X-Forwarded-Proto without trust-proxy, but believes an https publicUrl', async () => {
    const plain = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now });
    await setConsolePassword(plain.services.db, 'wangmin', PASSWORD, clock.now());
    expect((await login({ 'x-forwarded-proto': 'https' }, plain.app)).headers.get('set-cookie')).not.toMatch(/Secure/);
    await plain.close();
    const config = await loadConfigFile(EXAMPLE);
    config.deployment.publicUrl = 'https://gongzhi.example.gov.cn';
    const behind = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now, config });
    await setConsolePassword(behind.services.db, 'wangmin', PASSWORD, clock.now());
    expect((await login({}, behind.app)).headers.get('set-cookie')).toMatch(/; Secure/);
    await behind.close();
  });

  it('sends security headers with console and report pages', async () => {
    for (const path of ['/console/login', '/r/county']) {
      const res = await rt.app.request(path);
      expect(res.status, path).toBeLessThan(500);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toMatch(/frame-ancestors '(self|none)'/);
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
    }
  });

  it('answers /healthz without the database’s address or a stack when the database is down', async () => {
    const broken = new Kysely<never>({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: 1, user: 'gongzhi', database: 'secretdb', connectionTimeoutMillis: 2000 }) }) }) as unknown as Db;
    const app = createApp({ services: { ...rt.services, db: broken }, dbKind: 'postgres' });
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ ok: false, database: 'postgres' });
    expect(body).not.toMatch(/127\.0\.0\.1|:1\b|ECONNREFUSED|secretdb|\bat /);
    await broken.destroy();
  });

  it('listens on 127.0.0.1 in development and on all interfaces in production, unless HOST says otherwise', () => {
    expect(parseEnv({}).HOST).toBe('127.0.0.1');
    expect(parseEnv({ NODE_ENV: 'test' }).HOST).toBe('127.0.0.1');
    expect(parseEnv({ NODE_ENV: 'production' }).HOST).toBe('0.0.0.0');
    expect(parseEnv({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(parseEnv({ NODE_ENV: 'production', HOST: '10.0.0.2' }).HOST).toBe('10.0.0.2');
  });

  it('registers two unknown chats whose old 32-bit ids collide as two groups', async () => {
    const [a, b] = collidingChatIds();
    const [ga, gb] = await rt.services.db.transaction().execute(async (tx) => [await ensureGroup(tx, 'wecom', a, undefined, clock.now()), await ensureGroup(tx, 'wecom', b, undefined, clock.now())]);
    expect(ga!.id).not.toBe(gb!.id);
    expect(ga!.chatId).toBe(a);
    expect(gb!.chatId).toBe(b);
    // An id given before stays the group's id.
    await rt.services.db.insertInto('groups').values({ id: `wecom-${fnv1a('old-chat')}`, platform: 'wecom', chat_id: 'old-chat', name: '旧群', region: null, outbound: null, configured: false }).execute();
    expect((await rt.services.db.transaction().execute((tx) => ensureGroup(tx, 'wecom', 'old-chat', undefined, clock.now()))).id).toBe(`wecom-${fnv1a('old-chat')}`);
  });
});
