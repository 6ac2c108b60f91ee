import { afterAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/repo/api-tokens';
import { enqueueOutbox, type OutboxEntry } from '../../src/repo/outbox';
import { describeOnDatabases } from '../helpers/databases';
import { startCityRuntime, type CityRuntime } from '../helpers/city';
import { serveApp } from '../helpers/serve';

/**
 * Every API token could read the whole staff list (who works where, with which role) and every
 * county's dead letters; the directory's people are for the top level's admins, dead letters for
 * the caller's region and below.
 */
describeOnDatabases('API scope', (database) => {
  let city: CityRuntime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  const tokens: Record<string, string> = {};
  const get = (path: string, who: string, method = 'GET') => fetch(`${http.base}/api${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}` } });

  it('sets up the city, a ticket in 青山 and dead letters for each county', async () => {
    city = await startCityRuntime(database(), '2026-11-23T10:00:00');
    http = await serveApp(city.rt.app);
    const { db } = city.rt.services;
    for (const id of ['admin-city', 'sun-city', 'wang-qs', 'zhao-hx', 'he-qs']) tokens[id] = await createApiToken(db, id, 'test', city.clock.now());
    const number = await city.say('2026-11-23T10:05:00', 'qingshan', 'qs-ent-zhang', '我们厂新建厂房申请用电报装一个月了还没接通，请帮忙协调');
    expect(number).not.toBe('');
    const ticket = await db.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirstOrThrow();
    const post = (chatId: string, text: string, extra: Partial<OutboxEntry> = {}): OutboxEntry => ({ platform: 'local', kind: 'notice', target: { kind: 'group', chatId }, payload: { format: 'text', text, mentions: [] }, ...extra });
    await db.transaction().execute((tx) =>
      enqueueOutbox(
        tx,
        [
          post('qingshan', '青山群的派单', { groupId: 'qingshan', ticketId: ticket.id }),
          post('hexi', '河西群的派单', { groupId: 'hexi' }),
          post('city', '市级群的日报', { groupId: 'city', kind: 'digest' }),
          { platform: 'local', kind: 'direct', target: { kind: 'direct', userId: 'he-qs' }, payload: { format: 'text', text: '青山工单的私信', mentions: [] }, ticketId: ticket.id },
          { platform: 'local', kind: 'direct', target: { kind: 'direct', userId: 'qs-ent-zhang' }, payload: { format: 'text', text: '满意度测评邀请', mentions: [] } },
        ],
        city.clock.now(),
      ),
    );
    await db.updateTable('outbox').set({ status: 'dead', last_error: 'refused' }).where('status', '=', 'pending').execute();
  });

  it('lists a county dispatcher only its own region’s dead letters, and re-sends only those', async () => {
    const texts = async (who: string) => {
      const r = await get('/v1/outbox/dead', who);
      expect(r.status).toBe(200);
      const ids = ((await r.json()) as { dead: Array<{ id: number }> }).dead.map((d) => d.id);
      const rows = await city.rt.services.db.selectFrom('outbox').select(['id', 'payload']).where('id', 'in', ids.length ? ids : [-1]).execute();
      return rows.map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload).text as string).sort();
    };
    expect(await texts('wang-qs')).toEqual(['青山工单的私信', '青山群的派单'].sort());
    expect(await texts('zhao-hx')).toEqual(['河西群的派单']);
    expect(await texts('sun-city')).toHaveLength(5);
    expect(await texts('admin-city')).toHaveLength(5);
    const hexi = await city.rt.services.db.selectFrom('outbox').select('id').where('group_id', '=', 'hexi').executeTakeFirstOrThrow();
    expect((await get(`/v1/outbox/${hexi.id}/resend`, 'wang-qs', 'POST')).status).toBe(404);
    expect((await city.rt.services.db.selectFrom('outbox').select('status').where('id', '=', hexi.id).executeTakeFirstOrThrow()).status).toBe('dead');
    expect((await get(`/v1/outbox/${hexi.id}/resend`, 'zhao-hx', 'POST')).status).toBe(200);
  });

  it('gives the staff list to the top level’s admins only, and groups within the caller’s region', async () => {
    const admin = await (await get('/v1/directory', 'admin-city')).json();
    expect(admin.staff.map((s: { id: string }) => s.id)).toContain('wang-qs');
    expect(admin.groups.map((g: { id: string }) => g.id).sort()).toEqual(['city', 'hexi', 'kaifa', 'qingshan']);
    for (const who of ['sun-city', 'wang-qs', 'he-qs']) {
      const r = await get('/v1/directory', who);
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.staff).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain('王青');
      expect(body.departments.map((d: { id: string }) => d.id)).toContain('qs-power');
    }
    expect((await (await get('/v1/directory', 'wang-qs')).json()).groups.map((g: { id: string }) => g.id)).toEqual(['qingshan']);
    expect((await (await get('/v1/directory', 'sun-city')).json()).groups).toHaveLength(4);
  });
  afterAll(async () => {
    await http?.close();
    await city?.rt.close();
  });
});
