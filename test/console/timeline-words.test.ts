import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { REASON_NAMES } from '../../src/domain/ticket';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describe('the console timeline speaks Chinese', () => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: clock.now });
    await setConsolePassword(rt.services.db, 'wangmin', 'qingshan-2026!', clock.now());
  }, 120_000);
  afterAll(async () => rt?.close());

  it('shows an unsatisfied rating as 企业不满意, never the code', async () => {
    const send = (who: string, text: string) => rt.services.pipeline.receive(localMessage(who, text));
    const r = await send('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通');
    const number = (r as { ticketNumber: string }).ticketNumber;
    await send('lidian', `/认领 ${number}`);
    await send('lidian', `/办结 ${number} 已完成接电`);
    await send('qs-jixie-liu', `/评价 ${number} 1 还是没电`);
    const login = await rt.app.request('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ staffId: 'wangmin', password: 'qingshan-2026!', next: '/console' }).toString(),
    });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const html = await (await rt.app.request(`/console/tickets/${number}`, { headers: { cookie } })).text();
    const timeline = /data-testid="timeline"[\s\S]*?<\/ol>/.exec(html)![0];
    expect(timeline).toContain('重办');
    expect(timeline).toContain('挂牌督办');
    expect(timeline).toContain(REASON_NAMES.unsatisfied);
    for (const code of Object.keys(REASON_NAMES)) expect(timeline).not.toMatch(new RegExp(`>[^<]*\\b${code}\\b`));
  });
});
