import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describe('dashboard counts and the lists behind them', () => {
  let rt: Runtime;
  let cookie = '';
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const send = (who: string, text: string) => rt.services.pipeline.receive(localMessage(who, text));
  const page = async (path: string) => (await rt.app.request(path, { headers: { cookie } })).text();

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now });
    await setConsolePassword(rt.services.db, 'wangmin', 'qingshan-2026!', clock.now());
    const login = await rt.app.request('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ staffId: 'wangmin', password: 'qingshan-2026!', next: '/console' }).toString(),
    });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 120_000);
  afterAll(async () => rt?.close());

  it('挂牌督办 counts the open supervised tickets, and its link lists exactly those', async () => {
    const open = async (text: string) => ((await send('qs-jixie-liu', text)) as { ticketNumber: string }).ticketNumber;
    const unhappy = async (n: string) => {
      await send('lidian', `/认领 ${n}`);
      await send('lidian', `/办结 ${n} 已处理`);
      await send('qs-jixie-liu', `/评价 ${n} 1 没解决`);
    };
    const still = await open('我们厂新建的厂房申请用电报装一个月了还没接通');
    const settled = await open('园区变压器增容申请提交两个月了一直没批下来，影响新生产线投产');
    await unhappy(still);
    await unhappy(settled);
    // The second is handled again, confirmed by 营商办 and rated well: supervised once, closed now.
    await send('lidian', `/认领 ${settled}`);
    await send('lidian', `/办结 ${settled} 已增容送电`);
    await send('wangmin', `/确认办结 ${settled}`);
    await send('qs-jixie-liu', `/评价 ${settled} 5`);
    const rows = await rt.services.db.selectFrom('tickets').select(['number', 'status', 'supervised']).orderBy('id').execute();
    expect(rows).toMatchObject([{ number: still, supervised: true }, { number: settled, status: 'closed', supervised: true }]);

    const dashboard = await page('/console');
    const card = /<a href="([^"]+)">挂牌督办（在办）<\/a><b>(\d+)<\/b>/.exec(dashboard)!;
    expect(card[2]).toBe('1');
    const list = await page(card[1]!.replace(/&amp;/g, '&'));
    const listed = [...list.matchAll(/href="\/console\/tickets\/([^"]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual([still]);
  });
});
