import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { CITY, china } from '../helpers/city';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

// Outside review: a campaign covers the whole city, and closing one early was city-only, but a
// county's 营商办 could open one — inviting every county's enterprises and using up the period's
// key, so the city's own campaign for that month was then refused as already started.
describeOnDatabases('who may start the city’s satisfaction survey', (database) => {
  let rt: Runtime;
  const clock = createTestClock(china('2026-11-20T10:00:00'));
  const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
  beforeAll(async () => {
    const city = await loadConfigFile(CITY);
    rt = await createTestRuntime(database(), { now: clock.now, config: { ...city, survey: (await loadConfigFile(EXAMPLE)).survey } });
    for (const who of ['wang-qs', 'sun-city']) await setConsolePassword(rt.services.db, who, 'a-long-password-123', clock.now());
  });
  afterAll(async () => rt?.close());
  const open = async (staffId: string) => {
    const login = await rt.app.request('http://localhost/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId, password: 'a-long-password-123', next: '/console' }).toString() });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return rt.app.request('http://localhost/console/surveys/open', { method: 'POST', headers: { ...FORM, cookie }, body: 'month=2026-11' });
  };

  it('refuses a county’s 营商办 and lets the city’s open it', async () => {
    await rt.services.pipeline.receive(localMessage('hx-plant-wu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通', { chatId: 'hexi', chatTitle: 'hexi' }));
    expect((await open('wang-qs')).status).toBe(403);
    expect(await rt.services.db.selectFrom('survey_campaigns').selectAll().execute()).toEqual([]);
    expect((await open('sun-city')).status).toBe(303);
    expect(await rt.services.db.selectFrom('survey_campaigns').select('key').execute()).toEqual([{ key: 'monthly:2026-11' }]);
  });
});
