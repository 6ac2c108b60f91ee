import { afterAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/repo/api-tokens';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { startCityRuntime, type CityRuntime } from '../helpers/city';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const POWER = '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通';

/**
 * A county's API token asking a report for another county's group got that group's name back
 * (and the ranking filtered by it); the console's trend and load charts counted every county.
 * Another county's group must be answered as a group that does not exist, and charts keep to
 * the viewer's county.
 */
describeOnDatabases('reports keep to the caller’s county', (database) => {
  let city: CityRuntime;
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  const api = (path: string, who: string) => city.rt.app.request(`/api${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const page = async (path: string, who: string) => (await city.rt.app.request(path, { headers: { cookie: cookies[who]! } })).text();
  const trendChart = async (who: string) => {
    const html = await page('/console/reports?month=2026-11', who);
    const at = html.indexOf('data-testid="trend-chart"');
    expect(at).toBeGreaterThan(0);
    // ECharts numbers its SVG classes per render: the lines drawn and the labels are what is compared.
    const svg = html.slice(at, html.indexOf('</div>', at));
    const drawn = [...svg.matchAll(/ d="([^"]*)"|<text[^>]*>([^<]*)</g)].map((m) => m[1] ?? m[2]);
    expect(drawn.length).toBeGreaterThan(5);
    return drawn.join('\n');
  };

  it('sets up the city with a ticket in 青山 and one in 河西', async () => {
    city = await startCityRuntime(database(), '2026-11-23T10:00:00');
    const { db } = city.rt.services;
    for (const who of ['sun-city', 'wang-qs', 'li-qs', 'zhao-hx']) {
      tokens[who] = await createApiToken(db, who, 'test', city.clock.now());
      await setConsolePassword(db, who, PASSWORD, city.clock.now());
      const res = await city.rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: PASSWORD, next: '/console' }).toString() });
      expect(res.status).toBe(303);
      cookies[who] = res.headers.get('set-cookie')!.split(';')[0]!;
    }
    expect(await city.say('2026-11-23T10:05:00', 'qingshan', 'qs-ent-zhang', POWER)).not.toBe('');
  });

  it('shows a county the trend of its own tickets only', async () => {
    const before = { qs: await trendChart('wang-qs'), clerk: await trendChart('li-qs'), city: await trendChart('sun-city') };
    expect(await city.say('2026-11-23T10:10:00', 'hexi', 'hx-plant-wu', POWER)).not.toBe('');
    // The city's chart counts the new 河西 ticket; 青山's people's charts stay as they were.
    expect(await trendChart('sun-city')).not.toBe(before.city);
    expect(await trendChart('wang-qs')).toBe(before.qs);
    expect(await trendChart('li-qs')).toBe(before.clerk);
  });

  it('charts a county clerk’s open tickets by its own county’s departments, not another county’s', async () => {
    expect(await page('/console', 'sun-city')).toContain('国网河西县供电公司');
    const clerk = await page('/console', 'li-qs');
    expect(clerk).toContain('国网青山县供电公司');
    expect(clerk).not.toContain('河西');
  });

  it('answers a daily digest of another county’s group as one of a group that does not exist', async () => {
    const other = await api('/v1/reports/daily?date=2026-11-24&group=hexi', 'wang-qs');
    const missing = await api('/v1/reports/daily?date=2026-11-24&group=no-such-group', 'wang-qs');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    const body = await other.text();
    expect(body).toBe((await missing.text()).replace('no-such-group', 'hexi'));
    expect(body).not.toMatch(/河西|received/);
    expect(JSON.parse(body).message).toMatch(/不在您的管辖范围内/);
    // A clerk of 青山 too.
    expect((await api('/v1/reports/daily?date=2026-11-24&group=hexi', 'li-qs')).status).toBe(404);

    const own = await api('/v1/reports/daily?date=2026-11-24&group=qingshan', 'wang-qs');
    expect(own.status).toBe(200);
    const ownBody = (await own.json()) as { text: string; digest: { received: number } };
    expect(ownBody.text).toContain('青山县营商环境共商共治群');
    expect(ownBody.digest.received).toBe(1);
    const cityAsks = (await (await api('/v1/reports/daily?date=2026-11-24&group=hexi', 'sun-city')).json()) as { text: string; digest: { received: number } };
    expect(cityAsks.text).toContain('河西县营商环境共商共治群');
    expect(cityAsks.digest.received).toBe(1);
  });

  it('answers a monthly ranking filtered by another county’s group as one for a group that does not exist', async () => {
    const other = await api('/v1/reports/monthly?month=2026-11&group=hexi', 'wang-qs');
    const missing = await api('/v1/reports/monthly?month=2026-11&group=no-such-group', 'wang-qs');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await other.text()).toBe(await missing.text());
    const own = await api('/v1/reports/monthly?month=2026-11&group=qingshan', 'wang-qs');
    expect(own.status).toBe(200);
    const departments = ((await own.json()) as { departments: Array<{ departmentId: string; tickets: number }> }).departments;
    expect(departments.find((d) => d.departmentId === 'qs-power')?.tickets).toBe(1);
    expect((await api('/v1/reports/monthly?month=2026-11&group=hexi', 'zhao-hx')).status).toBe(200);
  });

  afterAll(async () => {
    await city?.rt.close();
  });
});
