import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { createApiToken } from '../../src/repo/api-tokens';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { TEST_DATABASES } from '../helpers/databases';
import { EXAMPLE, createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';
import { serveApp } from '../helpers/serve';
import { solveCheck } from '../helpers/report-form';

type Doc = { servers?: Array<{ url: string }>; paths: Record<string, Record<string, { summary?: string; parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { example?: unknown } }> }>> };

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('API reference and pages', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  let token: string;
  let number: string;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    const config = await loadConfigFile(EXAMPLE);
    config.deployment.publicUrl = 'https://gongzhi.example.gov.cn/';
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now, config, env: { GONGZHI_SESSION_SECRET: 'x'.repeat(40) } });
    http = await serveApp(rt.app);
    token = await createApiToken(rt.services.db, 'wangmin', 'test', clock.now());
    number = ((await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'))) as { ticketNumber: string }).ticketNumber;
  }, 180_000);
  afterAll(async () => {
    await http?.close();
    await rt?.close();
  });

  const doc = async () => (await (await fetch(`${http.base}/api/openapi.json`)).json()) as Doc;

  it('names the API base as its server, so generated clients call /api/v1/…, and every documented path answers', async () => {
    const d = await doc();
    expect(d.servers).toEqual([expect.objectContaining({ url: 'https://gongzhi.example.gov.cn/api' })]);
    const ops = Object.entries(d.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThanOrEqual(6);
    // The server URL with this test's origin in place of the public one: what a client built from the document calls.
    const server = d.servers![0]!.url.replace('https://gongzhi.example.gov.cn', http.base);
    const sample: Record<string, string> = { number, id: '999999', month: '2026-11', date: '2026-11-23', format: 'csv' };
    for (const { path, method, op } of ops) {
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) if (p.in === 'query' && (p.required || p.name === 'month')) query.set(p.name, sample[p.name] ?? String(p.schema?.example ?? '1'));
      const url = `${server}${path.replace(/\{(\w+)\}/g, (_, n: string) => sample[n] ?? '1')}${query.size ? `?${query}` : ''}`;
      const res = await fetch(url, { method: method.toUpperCase(), headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      // A route that does not exist answers the app's own not_found with the path; a missing record is the route's own answer.
      expect(body.includes('"error":"not_found","path"'), `${method.toUpperCase()} ${path} → ${res.status} ${body.slice(0, 200)}`).toBe(false);
      expect(res.status, `${method.toUpperCase()} ${path}`).toBeLessThan(500);
    }
  });

  it('serves an interactive reference at /api/docs with its scripts from this server, not a CDN', async () => {
    const res = await fetch(`${http.base}/api/docs`);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/jsdelivr|unpkg|cdn/i);
    const assets = [...html.matchAll(/(?:href|src)="(\/api\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(['/api/docs/assets/swagger-ui-bundle.js', '/api/docs/assets/swagger-ui.css']);
    for (const a of assets) {
      const r = await fetch(`${http.base}${a}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(a.endsWith('.js') ? /javascript/ : /css/);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect(html).toContain("url: '/api/openapi.json'");
    expect((await fetch(`${http.base}/api/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('lists every endpoint of the OpenAPI document in the README, in both languages', async () => {
    const d = await doc();
    const endpoints = Object.entries(d.paths).flatMap(([path, byMethod]) => Object.keys(byMethod).map((m) => `${m.toUpperCase()} /api${path}`));
    const [zh, en] = README.split('\n## English');
    for (const e of endpoints) {
      expect(zh, `README (中文) lacks ${e}`).toContain(`\`${e}\``);
      expect(en, `README (English) lacks ${e}`).toContain(`\`${e}\``);
    }
  });

  it('every page is standards-mode HTML with a viewport and an icon', async () => {
    await setConsolePassword(rt.services.db, 'wangmin', 'qingshan-2026!', clock.now());
    const login = await fetch(`${http.base}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: http.base },
      body: new URLSearchParams({ staffId: 'wangmin', password: 'qingshan-2026!', next: '/console' }),
    });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    // A report from the phone form, for its ticket page.
    const check = solveCheck(await (await fetch(`${http.base}/r/county`)).text());
    clock.advance(20_000);
    const form = new FormData();
    for (const [k, v] of Object.entries({ enterprise: '青山精密机械有限公司', contact: '刘建国', phone: '13800138123', text: '园区路灯坏了半年了没人修，晚上下班很不安全', check: check.token, answer: check.answer })) form.append(k, v);
    const done = await (await fetch(`${http.base}/r/county`, { method: 'POST', body: form, headers: { origin: http.base } })).text();
    const ticketPage = /data-testid="ticket-link">https?:\/\/[^/]+(\/t\/[^<]+)</.exec(done)![1]!;
    const pages = ['/', '/console/login', '/console', '/console/tickets', `/console/tickets/${number}`, '/console/reports', '/console/posters', '/r/county', ticketPage, '/api/docs', '/nowhere-page'];
    for (const path of pages) {
      const res = await fetch(`${http.base}${path}`, { headers: { cookie, accept: 'text/html' } });
      const html = await res.text();
      if (path === '/nowhere-page') {
        expect(res.status).toBe(404);
        continue;
      }
      expect(res.status, `${path} ${login.status} ${cookie} ${html.slice(0, 300)}`).toBe(200);
      expect(html, path).toMatch(/^<!doctype html>/i);
      expect(html, path).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1/);
      expect(html, path).toMatch(/<link rel="icon" type="image\/svg\+xml" href="\/favicon\.svg"\s*\/?>/);
    }
    for (const icon of ['/favicon.svg', '/favicon.ico']) {
      const res = await fetch(`${http.base}${icon}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(await res.text()).toMatch(/^<svg /);
    }
  });
});
