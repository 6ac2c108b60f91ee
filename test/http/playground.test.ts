import { migrations } from '../../migrations/index';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/bootstrap';
import { createMemoryLogger } from '../../src/logger';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestRuntime } from '../helpers/runtime';
import { parseEnv } from '../../src/config/env';
import { playgroundDecision } from '../../src/http/playground';

// Kysely runs migrations in name order, whatever order the index lists them in.
const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1);

describe('local playground over HTTP', () => {
  let rt: Runtime;
  let server: ServerType;
  let base: string;

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open());
    server = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await rt?.close();
  });

  const post = (body: unknown) =>
    fetch(`${base}/playground/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves the page and the set-up a newcomer picks from', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('本地演练');
    const setup = await (await fetch(`${base}/playground/api/setup`)).json();
    expect(setup.groups.map((g: { id: string }) => g.id)).toEqual(['county', 'park']);
    expect(setup.staff.find((s: { id: string }) => s.id === 'wangmin')).toMatchObject({ role: 'dispatcher', department: '县营商环境建设局' });
  });

  it('reports health with the database kind and migration version', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(await res.json()).toMatchObject({ ok: true, database: 'pglite', migration: LATEST_MIGRATION });
  });

  it('turns a typed report into a ticket card and a bot reply; thanks make none', async () => {
    const res = await post({ chat: 'group', groupId: 'county', userId: 'qs-jixie-liu', name: '刘总', text: '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通' });
    expect(res.status).toBe(200);
    const { result } = await res.json();
    expect(result).toMatchObject({ status: 'ticket', ticketNumber: expect.stringMatching(/^GZ-\d{8}-0001$/) });

    const thanks = await (await post({ chat: 'group', groupId: 'county', userId: 'qs-jixie-liu', name: '刘总', text: '收到，谢谢' })).json();
    expect(thanks.result.status).toBe('ignored');

    const { tickets } = await (await fetch(`${base}/playground/api/tickets?group=county`)).json();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ category: 'utilities', department: '国网青山县供电公司', statusName: '待签收' });

    const { entries } = await (await fetch(`${base}/playground/api/transcript?chat=county&after=0`)).json();
    const botTexts = entries.filter((e: { from: { kind: string } }) => e.from.kind === 'bot').map((e: { text: string }) => e.text);
    expect(botTexts[0]).toMatch(/已受理/);
    expect(botTexts[1]).toMatch(/【派单】国网青山县供电公司/);

    await post({ chat: 'group', groupId: 'county', userId: 'lidian', name: '李电', text: '/认领 1' });
    const after = await (await fetch(`${base}/playground/api/tickets?group=county`)).json();
    expect(after.tickets[0]).toMatchObject({ statusName: '办理中', assignee: '李电' });
    const timeline = await (await fetch(`${base}/playground/api/tickets/${after.tickets[0].id}/events?group=county`)).json();
    expect(timeline.events.map((e: { kind: string }) => e.kind)).toEqual(['received', 'dispatched', 'claimed']);
  });

  it('shows each simulated chat only what its participants would see: no private report, no unmasked number', async () => {
    const direct = await (await post({ chat: 'direct', userId: 'xinghuo-wang', name: '王女士', text: '我们公司被园区物业乱收费，不想在群里说，电话13812345678' })).json();
    expect(direct.result).toMatchObject({ status: 'ticket' });
    const privateNo: string = direct.result.ticketNumber;
    await post({ chat: 'group', groupId: 'park', userId: 'hengtong-zhang', name: '张工', text: '@共治助手 园区道路积水严重一周了，联系我13998765432' });

    // No unscoped list: that was every ticket of every chat and platform, private ones included.
    expect((await fetch(`${base}/playground/api/tickets`)).status).toBe(400);
    expect((await fetch(`${base}/playground/api/tickets?group=nope`)).status).toBe(400);

    const park = (await (await fetch(`${base}/playground/api/tickets?group=park`)).json()).tickets as { number: string; content: string }[];
    expect(park.map((t) => t.number)).not.toContain(privateNo);
    expect(park).toHaveLength(1);
    expect(park[0]!.content).toContain('园区道路积水');
    expect(park[0]!.content).not.toContain('13998765432');
    const county = (await (await fetch(`${base}/playground/api/tickets?group=county`)).json()).tickets as { number: string }[];
    expect(county.map((t) => t.number)).not.toContain(privateNo);

    const own = (await (await fetch(`${base}/playground/api/tickets?direct=xinghuo-wang`)).json()).tickets as { id: number; number: string; content: string }[];
    expect(own.map((t) => t.number)).toEqual([privateNo]);
    expect(own[0]!.content).toContain('不想在群里说');
    const other = (await (await fetch(`${base}/playground/api/tickets?direct=lvyuan-chen`)).json()).tickets;
    expect(other).toEqual([]);

    // The timeline follows the same rule, and carries the steps, not their data.
    const privateId = own[0]!.id;
    expect((await fetch(`${base}/playground/api/tickets/${privateId}/events?group=park`)).status).toBe(404);
    expect((await fetch(`${base}/playground/api/tickets/${privateId}/events?direct=lvyuan-chen`)).status).toBe(404);
    expect((await fetch(`${base}/playground/api/tickets/${privateId}/events`)).status).toBe(400);
    const mine = await (await fetch(`${base}/playground/api/tickets/${privateId}/events?direct=xinghuo-wang`)).json();
    expect(mine.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(mine.events)).not.toContain('13812345678');
    expect(mine.events[0]).not.toHaveProperty('data');
  });

  it('rejects malformed and oversized messages with 4xx and a reason', async () => {
    const empty = await post({ chat: 'group', groupId: 'county', userId: 'u', name: 'n', text: '' });
    expect(empty.status).toBe(400);
    expect((await empty.json()).issues).toContain('消息不能为空');
    const bad = await fetch(`${base}/playground/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    const huge = await fetch(`${base}/playground/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(400_000) });
    expect(huge.status).toBe(413);
    expect((await post({ chat: 'group', groupId: 'nope', userId: 'u', name: 'n', text: 'hi' })).status).toBe(400);
  });
});

describe('where the playground runs', () => {
  const decide = (env: Record<string, string>) => playgroundDecision(parseEnv(env));
  it('is on by default outside production only on a loopback address', () => {
    expect(decide({ NODE_ENV: 'development' })).toEqual({ on: true });
    expect(decide({ NODE_ENV: 'development', HOST: '::1' })).toEqual({ on: true });
    expect(decide({ NODE_ENV: 'development', HOST: 'localhost' })).toEqual({ on: true });
    const wide = decide({ NODE_ENV: 'development', HOST: '0.0.0.0' });
    expect(wide.on).toBe(false);
    expect(wide.warning).toMatch(/GONGZHI_PLAYGROUND=1/);
    expect(decide({ NODE_ENV: 'development', HOST: '192.168.1.20' }).on).toBe(false);
    expect(decide({ NODE_ENV: 'production' })).toEqual({ on: false });
  });
  it('runs on another address only when explicitly enabled, with a warning', () => {
    const explicit = decide({ NODE_ENV: 'development', HOST: '0.0.0.0', GONGZHI_PLAYGROUND: '1' });
    expect(explicit.on).toBe(true);
    expect(explicit.warning).toMatch(/not loopback/);
    expect(decide({ NODE_ENV: 'development', GONGZHI_PLAYGROUND: '0' })).toEqual({ on: false });
  });
  it('refuses to start a production server open to the network with the playground on (second outside review)', async () => {
    const refused = decide({ NODE_ENV: 'production', HOST: '0.0.0.0', GONGZHI_PLAYGROUND: '1' });
    expect(refused.on).toBe(false);
    expect(refused.refuse).toMatch(/HOST=127\.0\.0\.1/);
    expect(decide({ NODE_ENV: 'production', HOST: '127.0.0.1', GONGZHI_PLAYGROUND: '1' })).toEqual({ on: true });
    const env = parseEnv({ NODE_ENV: 'production', HOST: '0.0.0.0', GONGZHI_PLAYGROUND: '1', GONGZHI_SESSION_SECRET: 'x'.repeat(40) });
    await expect(startRuntime({ env, logger: createMemoryLogger() })).rejects.toThrow(/演练场/);
  });
});
