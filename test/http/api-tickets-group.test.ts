import { afterAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/repo/api-tokens';
import { describeOnDatabases } from '../helpers/databases';
import { startCityRuntime, type CityRuntime } from '../helpers/city';

const POWER = '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通';

/**
 * /v1/tickets?group= of another county's group answered an empty page, while the daily and
 * monthly reports answer it with the 404 of a group that does not exist: one API, two answers.
 */
describeOnDatabases('the ticket list keeps ?group= to the caller’s county', (database) => {
  let city: CityRuntime;
  const tokens: Record<string, string> = {};
  const api = (path: string, who: string) => city.rt.app.request(`/api${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });

  it('sets up the city with a ticket in 青山 and one in 河西', async () => {
    city = await startCityRuntime(database(), '2026-11-23T10:00:00');
    for (const who of ['sun-city', 'wang-qs', 'li-qs', 'zhao-hx']) tokens[who] = await createApiToken(city.rt.services.db, who, 'test', city.clock.now());
    expect(await city.say('2026-11-23T10:05:00', 'qingshan', 'qs-ent-zhang', POWER)).not.toBe('');
    expect(await city.say('2026-11-23T10:10:00', 'hexi', 'hx-plant-wu', POWER)).not.toBe('');
  });

  it('answers another county’s group as the reports do: the 404 of a group that does not exist', async () => {
    for (const who of ['wang-qs', 'li-qs']) {
      const other = await api('/v1/tickets?group=hexi', who);
      const missing = await api('/v1/tickets?group=no-such-group', who);
      expect(other.status).toBe(404);
      expect(missing.status).toBe(404);
      const body = await other.text();
      expect(body).toBe(await missing.text());
      expect(body).toBe(await (await api('/v1/reports/daily?date=2026-11-24&group=hexi', who)).text());
      expect(body).not.toMatch(/河西|hexi/);
    }
  });

  it('still lists the caller’s own group, and the city any county’s', async () => {
    const own = await api('/v1/tickets?group=qingshan', 'wang-qs');
    expect(own.status).toBe(200);
    const ownTickets = ((await own.json()) as { tickets: Array<{ groupId: string }> }).tickets;
    expect(ownTickets).toHaveLength(1);
    expect(ownTickets.every((t) => t.groupId === 'qingshan')).toBe(true);
    const cityAsks = await api('/v1/tickets?group=hexi', 'sun-city');
    expect(cityAsks.status).toBe(200);
    expect(((await cityAsks.json()) as { tickets: unknown[] }).tickets).toHaveLength(1);
    expect((await api('/v1/tickets?group=hexi', 'zhao-hx')).status).toBe(200);
  });

  it('says so in the OpenAPI description', async () => {
    const doc = (await (await city.rt.app.request('/api/openapi.json')).json()) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths['/v1/tickets']!.get.responses)).toContain('404');
  });

  afterAll(async () => {
    await city?.rt.close();
  });
});
