import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { ConfigError, parseConfig } from '../../src/config/parse';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';
import { startFakeServer } from '../fakes/http-server';
import { readFile } from 'node:fs/promises';

const SECRET = 'oa-webhook-secret-0123456789';
const PHONE = '13800138000';
/** A run already under way (started by the pipeline) may have begun before the last events: one more after it. */
const deliverAll = async (rt: Runtime) => {
  await rt.services.webhooks.deliverOnce();
  await rt.services.webhooks.deliverOnce();
};

/**
 * A report made one-to-one (private) went to every outgoing webhook word for word, with nothing
 * saying it was private; public ones carried phone numbers unmasked. The receiver now learns which
 * tickets are private and gets no private text; public text is masked as in group posts.
 */
describeOnDatabases('outgoing webhooks and private reports', (db) => {
  let rt: Runtime | undefined;
  let oa: Awaited<ReturnType<typeof startFakeServer>> | undefined;
  afterAll(async () => {
    await rt?.close();
    await oa?.close();
  });

  it('sends a private ticket flagged and without its words, a public one masked', async () => {
    oa = await startFakeServer((req) => (req.path === '/events' ? { status: 204, text: '' } : undefined));
    const config = await loadConfigFile(EXAMPLE);
    config.webhooks = [{ id: 'oa', url: `${oa.base}/events`, secret: SECRET }];
    const clock = createTestClock('2026-11-23T02:00:00Z');
    rt = await createTestRuntime(db(), { now: clock.now, config });
    const secret = `我们厂新建的厂房申请用电报装一个月了还没接通，供电所的人暗示要好处，吃拿卡要，联系人老王 ${PHONE}`;
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', secret, { chatType: 'direct', chatId: 'qs-jixie-liu' }));
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', `园区路灯坏了半年了没人修，电话 ${PHONE}`));
    await deliverAll(rt);
    const got = oa.requests.filter((r) => r.path === '/events');
    expect(new Set(got.map((g) => (g.body as { ticket: { number: string } }).ticket.number)).size).toBe(2);
    for (const g of got) {
      expect(g.raw).not.toContain(PHONE);
      expect(g.raw).not.toContain('吃拿卡要');
    }
    type Body = { ticket: { number: string; private: boolean; content: string | null } };
    const tickets = new Map(got.map((g) => [(g.body as Body).ticket.number, (g.body as Body).ticket]));
    const [priv, pub] = [...tickets.values()].sort((a, b) => Number(b.private) - Number(a.private));
    expect(priv).toMatchObject({ private: true, content: null });
    expect(pub).toMatchObject({ private: false });
    expect(pub!.content).toContain('园区路灯坏了半年了没人修');
    expect(pub!.content).toMatch(/138\*+8000|1380\*+/);
  });

  it('gives a private ticket’s later words (a resolution summary) no way out either', async () => {
    const row = await rt!.services.db.selectFrom('tickets').select(['id', 'number', 'department_id']).where('is_private', '=', true).executeTakeFirstOrThrow();
    const clerk = rt!.services.config.staff.find((s) => s.department === row.department_id && s.role === 'staff');
    expect(clerk).toBeDefined();
    const before = oa!.requests.length;
    await rt!.services.pipeline.receive(localMessage(clerk!.accounts.local!, `/办结 ${row.number} 已约谈吃拿卡要的当事人，回访电话 ${PHONE}`, { chatType: 'direct', chatId: clerk!.accounts.local! }));
    await deliverAll(rt!);
    const later = oa!.requests.slice(before).filter((r) => r.path === '/events');
    expect(later.map((g) => (g.body as { event: { kind: string } }).event.kind)).toContain('resolved');
    for (const g of later) {
      expect(g.raw).not.toContain(PHONE);
      expect(g.raw).not.toContain('约谈');
    }
  });
});

it('refuses a webhook over plain http:// to another machine, and allows https:// and loopback', async () => {
  const base = await readFile(EXAMPLE, 'utf8');
  const withHook = (url: string) => `${base}\nwebhooks:\n  - { id: oa, url: "${url}", secret: ${SECRET} }\n`;
  expect(() => parseConfig(withHook('http://oa.example.gov.cn/events'), 'deploy.yaml', {})).toThrow(ConfigError);
  expect(() => parseConfig(withHook('http://10.0.0.5:8080/events'), 'deploy.yaml', {})).toThrow(/https:\/\//);
  for (const ok of ['https://oa.example.gov.cn/events', 'http://127.0.0.1:9000/events', 'http://localhost/e', 'http://[::1]:8080/e']) {
    expect(parseConfig(withHook(ok), 'deploy.yaml', {}).webhooks[0]!.url).toBe(ok);
  }
});
