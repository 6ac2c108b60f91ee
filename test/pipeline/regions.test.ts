import { beforeAll, afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { postDueDigests } from '../../src/jobs/digests';
import { runSweep } from '../../src/jobs/sweep';
import { createApiToken } from '../../src/repo/api-tokens';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const POWER = '我们厂新建的厂房申请用电报装一个月了还没接通';

/**
 * The example city (config/example-city.yaml): 北山市 with 青山县, 河西县 and a development zone.
 * A 青山县 ticket is lifted to the city's counterpart; 河西县's 营商办 never sees it (chat,
 * console, API), the city's does; the region ranking and the public board show both counties.
 */
describeOnDatabases('a city and its counties', (database) => {
  let rt: Runtime;
  // Monday 23 November 2026, 10:00 in Beijing.
  const clock = createTestClock('2026-11-23T02:00:00Z');
  let lastOutbox = 0;
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  const numbers = { lifted: '', resolved: '', hexi: '' };

  /** Sends a message in a group and returns the texts of everything the bot queued since. */
  const say = async (group: string, userId: string, text: string) => {
    const r = await rt.services.pipeline.receive(localMessage(userId, text, { chatId: group, chatTitle: group }));
    const rows = await rt.services.db.selectFrom('outbox').select(['id', 'target', 'payload']).where('id', '>', lastOutbox).orderBy('id').execute();
    lastOutbox = rows.at(-1)?.id ?? lastOutbox;
    return { r, posts: rows.map((p) => ({ target: p.target as { kind: string; userId?: string; chatId?: string }, text: (p.payload as { text: string }).text })) };
  };
  const api = (path: string, who: string) => rt.app.request(`/api${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const consolePage = (path: string, who: string) => rt.app.request(path, { headers: { cookie: cookies[who]! } });
  const signIn = async (who: string) => {
    const res = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: PASSWORD, next: '/console' }).toString() });
    expect(res.status).toBe(303);
    cookies[who] = res.headers.get('set-cookie')!.split(';')[0]!;
  };

  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
    for (const who of ['sun-city', 'wang-qs', 'zhao-hx', 'dian-city']) {
      tokens[who] = await createApiToken(rt.services.db, who, 'test', clock.now());
      await setConsolePassword(rt.services.db, who, PASSWORD, clock.now());
      await signIn(who);
    }
  });
  afterAll(async () => rt?.close());

  it('routes each county’s reports to its own departments and numbers them with its prefix', async () => {
    const lifted = await say('qingshan', 'qs-factory-liu', `@共治助手 ${POWER}`);
    const resolved = await say('qingshan', 'qs-mill-zhang', '@共治助手 新厂房三相电报装申请交上去两周了，供电所一直没来勘察');
    const hexi = await say('hexi', 'hx-plant-wu', `@共治助手 ${POWER}`);
    numbers.lifted = lifted.r.status === 'duplicate' ? '' : lifted.r.ticketNumber!;
    numbers.resolved = resolved.r.status === 'duplicate' ? '' : resolved.r.ticketNumber!;
    numbers.hexi = hexi.r.status === 'duplicate' ? '' : hexi.r.ticketNumber!;
    expect(numbers.lifted).toMatch(/^GZQS-20261123-\d{4}$/);
    expect(numbers.hexi).toMatch(/^GZHX-20261123-\d{4}$/);
    const rows = await rt.services.db.selectFrom('tickets').select(['number', 'department_id', 'region_id', 'status']).orderBy('id').execute();
    expect(rows.map((r) => [r.department_id, r.region_id, r.status])).toEqual([
      ['qs-power', 'qingshan', 'dispatched'],
      ['qs-power', 'qingshan', 'dispatched'],
      ['hx-power', 'hexi', 'dispatched'],
    ]);
  });

  it('lifts a county ticket to the city counterpart (提级办), keeping its history and telling both levels', async () => {
    const { posts } = await say('qingshan', 'li-qs', `/提级 ${numbers.lifted}`);
    const row = await rt.services.db.selectFrom('tickets').selectAll().where('number', '=', numbers.lifted).executeTakeFirstOrThrow();
    expect(row.department_id).toBe('city-power');
    expect(row.region_id).toBe('qingshan');
    const events = await rt.services.db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', row.id).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toEqual(['received', 'dispatched', 'escalated_level']);
    // The deadline rule starts afresh for the city department: 1 working day to sign from now.
    expect(row.sign_due_at!.toISOString()).toBe('2026-11-24T02:00:00.000Z');
    // The county group hears of it; the city's and the county's 营商办 one-to-one.
    expect(posts.some((p) => p.target.kind !== 'direct' && p.text.includes('国网北山供电公司'))).toBe(true);
    const direct = posts.filter((p) => p.target.kind === 'direct').map((p) => p.target.userId).sort();
    expect(direct).toEqual(['sun-city', 'wang-qs']);
  });

  it('keeps it from the other county’s 营商办 in the chat, the console and the API; the city’s sees it', async () => {
    const hidden = await say('hexi', 'zhao-hx', `/进度 ${numbers.lifted}`);
    expect(hidden.posts.map((p) => p.text).join('\n')).toMatch(/没有找到工单/);
    const missing = await say('hexi', 'zhao-hx', `/进度 GZQS-20991231-0001`);
    // Word for word what a ticket that does not exist gets, apart from the number typed.
    expect(hidden.posts[0]!.text.replace(numbers.lifted, 'N')).toBe(missing.posts[0]!.text.replace('GZQS-20991231-0001', 'N'));
    expect((await consolePage(`/console/tickets/${numbers.lifted}`, 'zhao-hx')).status).toBe(404);
    expect(await (await consolePage('/console/tickets', 'zhao-hx')).text()).not.toContain(numbers.lifted);
    expect((await api(`/v1/tickets/${numbers.lifted}`, 'zhao-hx')).status).toBe(404);
    const hexiList = (await (await api('/v1/tickets', 'zhao-hx')).json()) as { tickets: Array<{ number: string }> };
    expect(hexiList.tickets.map((t) => t.number)).toEqual([numbers.hexi]);
    const refusal = await say('hexi', 'zhao-hx', `/转派 ${numbers.lifted} 河西供电公司 属地`);
    expect(refusal.posts.map((p) => p.text).join('\n')).toMatch(/没有找到工单/);

    const seen = await say('city', 'sun-city', `/进度 ${numbers.lifted}`);
    expect(seen.posts.map((p) => p.text).join('\n')).toContain(numbers.lifted);
    expect(seen.posts.map((p) => p.text).join('\n')).not.toMatch(/没有找到工单/);
    expect((await consolePage(`/console/tickets/${numbers.lifted}`, 'sun-city')).status).toBe(200);
    expect((await api(`/v1/tickets/${numbers.lifted}`, 'sun-city')).status).toBe(200);
    const cityList = (await (await api('/v1/tickets', 'sun-city')).json()) as { tickets: Array<{ number: string }> };
    expect(cityList.tickets).toHaveLength(3);
    // The county it came from still follows it.
    expect((await api(`/v1/tickets/${numbers.lifted}`, 'wang-qs')).status).toBe(200);
    expect((await api(`/v1/tickets/${numbers.hexi}`, 'wang-qs')).status).toBe(404);
  });

  it('lists to a county’s 营商办 and supervisor only their county’s open tickets, and merges only into one of them (second outside review)', async () => {
    const texts = (r: { posts: Array<{ text: string }> }) => r.posts.map((p) => p.text).join('\n');
    const hexiQueue = texts(await say('hexi', 'zhao-hx', '/待办'));
    expect(hexiQueue).toContain(numbers.hexi);
    expect(hexiQueue).not.toContain(numbers.lifted);
    expect(hexiQueue).not.toContain(numbers.resolved);
    for (const who of ['wang-qs', 'jian-qs']) {
      const queue = texts(await say('qingshan', who, '/待办'));
      expect(queue).toContain(numbers.resolved);
      expect(queue).not.toContain(numbers.hexi);
    }
    const cityQueue = texts(await say('city', 'sun-city', '/待办'));
    for (const n of [numbers.lifted, numbers.resolved, numbers.hexi]) expect(cityQueue).toContain(n);

    // Merging into another county's ticket: word for word what a missing target gets, nothing written.
    const before = await rt.services.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const hidden = await say('qingshan', 'wang-qs', `/合并 ${numbers.resolved} ${numbers.hexi}`);
    const missing = await say('qingshan', 'wang-qs', `/合并 ${numbers.resolved} GZHX-20991231-0001`);
    expect(texts(hidden)).toMatch(/没有找到工单/);
    expect(texts(hidden).replace(numbers.hexi, 'N')).toBe(texts(missing).replace('GZHX-20991231-0001', 'N'));
    const after = await rt.services.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const rows = await rt.services.db.selectFrom('tickets').select(['number', 'status']).where('number', 'in', [numbers.resolved, numbers.hexi]).execute();
    expect(rows.every((r) => r.status !== 'merged')).toBe(true);
    const hexiId = (await rt.services.db.selectFrom('tickets').select('id').where('number', '=', numbers.hexi).executeTakeFirstOrThrow()).id;
    expect(await rt.services.db.selectFrom('ticket_supporters').selectAll().where('ticket_id', '=', hexiId).execute()).toEqual([]);
  });

  it('gives each API caller the daily digest of its own scope only (second outside review)', async () => {
    const digest = async (who: string, query = '') => {
      const res = await api(`/v1/reports/daily?date=2026-11-24${query}`, who);
      expect(res.status).toBe(200);
      return ((await res.json()) as { digest: { received: number }; text: string });
    };
    expect((await digest('sun-city')).digest.received).toBe(3);
    const hexi = await digest('zhao-hx');
    expect(hexi.digest.received).toBe(1);
    // Another county's group is answered as one that does not exist (test/http/report-scope.test.ts).
    const asked = await api('/v1/reports/daily?date=2026-11-24&group=qingshan', 'zhao-hx');
    expect(asked.status).toBe(404);
    expect(await asked.text()).not.toMatch(/GZQS|青山/);
  });

  it('keeps a county’s 营商办 from sending its ticket to another county’s department', async () => {
    const refused = await say('hexi', 'zhao-hx', `/转派 ${numbers.hexi} 国网青山县供电公司 试试`);
    expect(refused.posts.map((p) => p.text).join('\n')).toMatch(/没有找到部门/);
    const row = await rt.services.db.selectFrom('tickets').select('department_id').where('number', '=', numbers.hexi).executeTakeFirstOrThrow();
    expect(row.department_id).toBe('hx-power');
  });

  it('lets a city department follow its county counterparts’ tickets read-only', async () => {
    const status = await say('city', 'dian-city', `/进度 ${numbers.hexi}`);
    expect(status.posts.map((p) => p.text).join('\n')).toContain(numbers.hexi);
    const claim = await say('city', 'dian-city', `/认领 ${numbers.hexi}`);
    expect(claim.posts.map((p) => p.text).join('\n')).toMatch(/该工单不在本单位名下/);
    expect((await consolePage(`/console/tickets/${numbers.hexi}`, 'dian-city')).status).toBe(200);
    const row = await rt.services.db.selectFrom('tickets').select('status').where('number', '=', numbers.hexi).executeTakeFirstOrThrow();
    expect(row.status).toBe('dispatched');
  });

  it('ranks the counties by the same rates, in the API, the console and the public board', async () => {
    // 青山县: the second ticket signed and resolved on time, rated 5.
    await say('qingshan', 'li-qs', `/认领 ${numbers.resolved}`);
    await say('qingshan', 'li-qs', `/办结 ${numbers.resolved} 已现场勘察并接电`);
    await say('qingshan', 'qs-mill-zhang', `/评价 ${numbers.resolved} 5`);
    // 河西县: never signed; the next morning the sweep issues its 催办单 (the city ticket gets one too).
    clock.set('2026-11-24T03:00:00Z');
    const sweep = await runSweep(rt.services, clock.now());
    const docs = Object.fromEntries(sweep.issued.map((d) => [d.ticketNumber, d.document]));
    expect(docs[numbers.hexi]).toBe('HX-CB-2026-0001');
    expect(docs[numbers.lifted]).toBe('CB-2026-0001');

    const report = (await (await api('/v1/reports/regions?month=2026-11', 'sun-city')).json()) as { regions: Array<Record<string, unknown>> };
    const byId = Object.fromEntries(report.regions.map((r) => [r.regionId, r]));
    // 开发区 had no ticket in November: it has no rates to rank by, so it is not ranked at all (not first, not last).
    expect(Object.keys(byId).sort()).toEqual(['hexi', 'qingshan']);
    // Hand-computed: 青山县 has one ticket of its own (the lifted one counts for the city), all on time and satisfied.
    expect(byId.qingshan).toMatchObject({ tickets: 1, responseRate: 1, onTimeRate: 1, resolutionRate: 1, satisfactionRate: 1, reopened: 0, escalations: 0, score: 1 });
    expect(byId.hexi).toMatchObject({ tickets: 1, responseRate: 0, onTimeRate: null, resolutionRate: 0, satisfactionRate: null, escalations: 1, score: 0 });
    expect(report.regions[0]!.regionId).toBe('qingshan');
    // A county asks about its own region (its 乡镇 below it), never another's.
    expect((await api('/v1/reports/regions?month=2026-11&region=hexi', 'wang-qs')).status).toBe(404);

    // A day later: a new console session (they last 12 hours).
    await signIn('sun-city');
    const page = await (await consolePage('/console/reports?month=2026-11', 'sun-city')).text();
    expect(page).toContain('data-testid="region-ranking"');
    expect(page).toContain('青山县');
    expect(page).toContain('河西县');

    const res = await rt.app.request('/api/v1/public/board');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const board = (await res.json()) as { months: Array<{ month: string; final: boolean; totals: Record<string, unknown>; regions: Array<Record<string, unknown>> }> };
    expect(board.months.map((m) => [m.month, m.final])).toEqual([
      ['2026-11', false],
      ['2026-10', true],
    ]);
    const nov = board.months[0]!;
    expect(nov.totals).toMatchObject({ received: 3, resolved: 1, ladderDocuments: 2 });
    const regions = Object.fromEntries(nov.regions.map((r) => [r.id, r]));
    expect(regions.qingshan).toMatchObject({ name: '青山县', received: 1, resolved: 1, responseRate: 1, satisfactionRate: 1, ladderDocuments: 0 });
    expect(regions.hexi).toMatchObject({ name: '河西县', received: 1, resolved: 0, responseRate: 0, satisfactionRate: null, ladderDocuments: 1 });
    expect(regions.kaifa).toBeUndefined();
    expect((nov as { regionsWithoutTickets?: string[] }).regionsWithoutTickets).toEqual(['北山经济技术开发区']);

    const html = await (await rt.app.request('/board')).text();
    expect(html).toContain('河西县');
    expect(html).toContain('无工单（不参与排名）：北山经济技术开发区');
    expect(html).toContain('国网青山县供电公司');
    // No person, no enterprise, no ticket text, no ticket number.
    for (const secret of ['厂房', '三相电', 'qs-factory-liu', 'qs-mill-zhang', '李电', numbers.lifted, numbers.hexi]) expect(html).not.toContain(secret);
  });

  it('posts each level its own digest and rankings: the city’s groups also get a line per county and the ranking of counties', async () => {
    // Monday 30 November, 08:31 in Beijing: the daily digest and last week's ranking are due.
    clock.set('2026-11-30T00:31:00Z');
    await postDueDigests(rt.services, clock.now());
    const rows = await rt.services.db.selectFrom('outbox').select(['target', 'payload']).where('kind', '=', 'digest').orderBy('id').execute();
    const to = (chat: string) => rows.filter((r) => (r.target as { chatId?: string }).chatId === chat).map((r) => (r.payload as { text: string }).text);
    const city = to('city').join('\n---\n');
    // By the region each ticket came from: the lifted ticket is still 青山县's, and overdue.
    expect(city).toContain('各地区（新受理｜超期｜挂牌督办）：\n青山县：0｜1｜0\n河西县：0｜1｜0\n北山经济技术开发区：0｜0｜0');
    expect(city).toMatch(/周总结】各地区排名/);
    expect(city).toMatch(/1\. 青山县：1 件｜100%｜100%｜100%｜100%｜重办 0｜三单一函 0/);
    expect(city).toContain('无工单（不参与排名）：北山经济技术开发区');
    expect(city).not.toMatch(/\d\. 北山经济技术开发区/);
    // The city's department ranking has the city's departments only: the lifted ticket at 国网北山供电公司.
    expect(city).toContain('国网北山供电公司');
    expect(city).not.toContain('国网河西县供电公司');
    const qingshan = to('qingshan').join('\n---\n');
    expect(qingshan).toContain('国网青山县供电公司');
    expect(qingshan).not.toContain('国网河西县供电公司');
    // 青山县 has a town below it: its groups compare that level in turn.
    expect(qingshan).toContain('各地区（新受理｜超期｜挂牌督办）：\n青山镇：0｜0｜0');
    expect(qingshan).not.toContain('河西');
    const hexi = to('hexi').join('\n---\n');
    expect(hexi).toContain('国网河西县供电公司');
    expect(hexi).not.toContain('青山');
  });
});
