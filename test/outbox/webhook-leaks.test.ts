import { afterAll, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { secureWebhookUrl } from '../../src/config/schema';
import { webhookBody } from '../../src/outbox/webhooks';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';
import { startFakeServer } from '../fakes/http-server';

const SECRET = 'oa-webhook-secret-0123456789';
/** A run already under way (started by the pipeline) may have begun before the last events: one more after it. */
const deliverAll = async (rt: Runtime) => {
  await rt.services.webhooks.deliverOnce();
  await rt.services.webhooks.deliverOnce();
};

/** Holes an attacker review found in the outgoing webhooks (2026-12-03), each now closed. */
describeOnDatabases('outgoing webhooks: what an attacker review found going out', (db) => {
  let rt: Runtime | undefined;
  let oa: Awaited<ReturnType<typeof startFakeServer>> | undefined;
  const plain: string[] = [];
  const other = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      plain.push(`${req.method} ${b}`);
      res.statusCode = 204;
      res.end();
    });
  });
  afterAll(async () => {
    await rt?.close();
    await oa?.close();
    other.close();
  });

  it('attack "private reporter named": a private report goes out without who reported or seconded it', async () => {
    oa = await startFakeServer((req) => (req.path === '/events' ? { status: 204, text: '' } : undefined));
    const config = await loadConfigFile(EXAMPLE);
    config.webhooks = [{ id: 'oa', url: `${oa.base}/events`, secret: SECRET }];
    const clock = createTestClock('2026-11-23T02:00:00Z');
    rt = await createTestRuntime(db(), { now: clock.now, config });
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '供电所的人暗示要好处，吃拿卡要', { chatType: 'direct', chatId: 'qs-jixie-liu' }));
    await deliverAll(rt);
    const requester = await rt.services.db.selectFrom('requesters').select(['id', 'name']).where('user_id', '=', 'qs-jixie-liu').executeTakeFirstOrThrow();
    type Body = { event: { actor: { kind: string; id: string | null; name: string | null }; data: Record<string, unknown> }; ticket: { private: boolean } };
    const priv = oa.requests.filter((r) => r.path === '/events' && (r.body as Body).ticket.private);
    expect(priv.length).toBeGreaterThan(0);
    for (const g of priv) {
      expect(g.raw).not.toContain('qs-jixie-liu');
      if (requester.name) expect(g.raw).not.toContain(requester.name);
      const { actor, data } = (g.body as Body).event;
      if (actor.kind === 'requester') expect(actor).toEqual({ kind: 'requester', id: null, name: null });
      expect(data).not.toHaveProperty('requesterId');
    }
  });

  it('attack "redirect to http://": a 307 from the allowed URL is a failed delivery, nothing reaches the refused host', async () => {
    await new Promise<void>((r) => other.listen(0, '0.0.0.0', r));
    const target = `http://0.0.0.0:${(other.address() as AddressInfo).port}/leak`;
    expect(secureWebhookUrl(target)).toBe(false);
    const hopServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(307, { location: target });
        res.end();
      });
    });
    await new Promise<void>((r) => hopServer.listen(0, '127.0.0.1', r));
    const config = await loadConfigFile(EXAMPLE);
    config.webhooks = [{ id: 'hop', url: `http://127.0.0.1:${(hopServer.address() as AddressInfo).port}/events`, secret: SECRET }];
    const rt2 = await createTestRuntime(db(), { now: createTestClock('2026-11-23T02:00:00Z').now, config });
    try {
      await rt2.services.pipeline.receive(localMessage('qs-jixie-liu', '园区路灯坏了半年了没人修'));
      await deliverAll(rt2);
      expect(plain).toEqual([]);
      const rows = await rt2.services.db.selectFrom('webhook_deliveries').select(['delivered_at', 'last_error']).where('endpoint_id', '=', 'hop').execute();
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.delivered_at).toBeNull();
        expect(r.last_error).toMatch(/HTTP 307, redirects are not followed/);
      }
    } finally {
      await rt2.close();
      hopServer.close();
    }
  });
});

it('attack "published report keeps its contacts": a /公开 one-to-one report goes out without its contact details, as the group got it', () => {
  const content = '厂区门口道路塌陷，联系人王女士，微信 wangli_2026，邮箱 wangli@corp.example.cn，电话 13800138000';
  const at = new Date(0);
  const delivery = (originChatType: string, originPlatform: string, text: string) => ({
    id: 1,
    endpointId: 'oa',
    attempts: 0,
    event: { id: 1, kind: 'resolved', fromStatus: null, toStatus: 'resolved', at, actor: { kind: 'staff', id: 'lidian', name: '李电' }, data: { summary: text } },
    ticket: { number: 'GZ-20261203-0001', status: 'received', type: 'road', category: 'infrastructure', urgency: 'normal', content, departmentId: null, groupId: 'g1', supervised: false, rating: null, receivedAt: at, signDueAt: null, resolveDueAt: null, isPrivate: false, originChatType, originPlatform },
  });
  type Body = { event: { data: { summary: string } }; ticket: { content: string } };
  for (const [chat, platform] of [['direct', 'wecom'], ['direct', 'web']] as const) {
    const body = webhookBody(delivery(chat, platform, '已修复，联系人王女士，电话 13800138000'));
    const sent = JSON.parse(body) as Body;
    expect(sent.ticket.content).toContain('厂区门口道路塌陷');
    for (const leak of ['王女士', 'wangli_2026', 'corp.example.cn', '138', '8000', 'originChatType', 'originPlatform']) expect(body).not.toContain(leak);
    expect(sent.event.data.summary).toContain('已修复');
  }
  // Reported in a group: its words were public from the start, masked as in group posts.
  const group = JSON.parse(webhookBody(delivery('group', 'wecom', '已修复'))) as Body;
  expect(group.ticket.content).toContain('王女士');
  expect(group.ticket.content).not.toContain('13800138000');
});
