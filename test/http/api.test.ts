import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { createApiToken } from '../../src/repo/api-tokens';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';
import { serveApp } from '../helpers/serve';

describe('REST API', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  let dispatcher: string;
  let staff: string;
  // Monday 23 November 2026, 10:00 in Beijing: months and days below follow this clock, not the machine's.
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now });
    http = await serveApp(rt.app);
    dispatcher = await createApiToken(rt.services.db, 'wangmin', 'test', clock.now());
    staff = await createApiToken(rt.services.db, 'lidian', 'test', clock.now());
    for (const text of ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区路灯坏了半年了没人修', '变压器增容申请提交两个月了一直没批下来']) {
      await rt.services.pipeline.receive(localMessage('qs-jixie-liu', text));
    }
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
  });

  const get = (path: string, token?: string) => fetch(`${http.base}/api${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('requires a valid token', async () => {
    expect((await get('/v1/tickets')).status).toBe(401);
    expect((await get('/v1/tickets', 'gz_not-a-token')).status).toBe(401);
  });

  it('lists tickets newest first with cursor pagination, scoped to the caller’s department for staff', async () => {
    const all = await (await get('/v1/tickets', dispatcher)).json();
    expect(all.tickets).toHaveLength(3);
    const first = await (await get('/v1/tickets?limit=1', dispatcher)).json();
    const second = await (await get(`/v1/tickets?limit=1&cursor=${first.next}`, dispatcher)).json();
    expect(first.tickets[0].number).toBe(all.tickets[0].number);
    expect(second.tickets[0].number).toBe(all.tickets[1].number);
    const mine = await (await get('/v1/tickets', staff)).json();
    expect(mine.tickets.map((t: { departmentId: string }) => t.departmentId)).toEqual(['power', 'power']);
    expect((await get('/v1/tickets?limit=500', dispatcher)).status).toBe(400);
  });

  it('shows a ticket with its timeline, and hides other departments’ tickets from staff', async () => {
    const all = (await (await get('/v1/tickets', dispatcher)).json()).tickets as Array<{ number: string; departmentId: string }>;
    const lamp = all.find((t) => t.departmentId === 'chengguan')!;
    const detail = await (await get(`/v1/tickets/${lamp.number}`, dispatcher)).json();
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['received', 'dispatched']);
    expect(detail.documents).toEqual([]);
    expect((await get(`/v1/tickets/${lamp.number}`, staff)).status).toBe(404);
  });

  it('serves the monthly ranking and the ledger (not to department staff)', async () => {
    const month = '2026-11';
    const report = await (await get(`/v1/reports/monthly?month=${month}`, dispatcher)).json();
    expect(report.departments.map((d: { departmentId: string }) => d.departmentId).sort()).toEqual(['chengguan', 'power']);
    const csv = await get(`/v1/ledger?month=${month}&format=csv`, dispatcher);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).split('\r\n').filter(Boolean);
    // A header and the three tickets, then the audit checkpoint section (title, header, the chain head).
    const section = lines.findIndex((l) => l.startsWith('审计检查点'));
    expect(section).toBe(4);
    expect(lines.slice(section + 2).at(-1)).toMatch(/^导出时链头,/);
    expect((await get(`/v1/ledger?month=${month}`, staff)).status).toBe(403);
    expect((await get('/v1/reports/monthly?month=November', dispatcher)).status).toBe(400);
  });

  it('serves the directory and the daily digest', async () => {
    const dir = await (await get('/v1/directory', staff)).json();
    expect(dir.departments.find((d: { id: string }) => d.id === 'power')).toMatchObject({ name: '国网青山县供电公司' });
    expect(dir.groups.map((g: { id: string }) => g.id)).toContain('county');
    // Who works where is for the admins who keep the directory (test/http/api-scope.test.ts).
    expect(dir.staff).toBeUndefined();
    const admin = await createApiToken(rt.services.db, 'zhaolei', 'test', clock.now());
    const full = await (await get('/v1/directory', admin)).json();
    expect(full.staff.find((s: { id: string }) => s.id === 'wangmin')).toMatchObject({ role: 'dispatcher', department: 'yingshang' });
    const date = '2026-11-24';
    const daily = await (await get(`/v1/reports/daily?date=${date}&group=county`, dispatcher)).json();
    expect(daily.text).toMatch(/^【每日调度】青山县营商环境共商共治群/);
    expect(daily.digest).toMatchObject({ received: expect.any(Number), overdue: expect.any(Array) });
  });

  it('publishes OpenAPI 3.1 listing every endpoint, and a docs page', async () => {
    const doc = await (await fetch(`${http.base}/api/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/directory', '/v1/ledger', '/v1/outbox/dead', '/v1/outbox/{id}/resend', '/v1/public/board', '/v1/reports/daily', '/v1/reports/monthly', '/v1/reports/regions', '/v1/tickets', '/v1/tickets/{number}',
    ]);
    expect((await fetch(`${http.base}/api/docs`)).status).toBe(200);
    expect((await (await get('/v1/outbox/dead', dispatcher)).json()).dead).toEqual([]);
  });
});
