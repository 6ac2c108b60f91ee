import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { DatabaseHandle } from '../../src/db/database';
import { runScheduledWork } from '../../src/jobs/digests';
import { createApiToken } from '../../src/repo/api-tokens';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { solveCheck } from '../helpers/report-form';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

// Issue #20's Done-when: "a survey campaign runs end to end in the playground and its results
// appear in the ranking". Everything goes through what a person in the playground uses: the
// playground's chat API (groups and the one-to-one view), the report page and ticket page, the
// console (open, close early, 统计与台账, 会商会办), the survey page, the REST API and the monthly
// 通报 posted in the group.

const china = (s: string) => new Date(`${s}+08:00`).toISOString();
type Entry = { from: { kind: string; id: string }; text: string };

describeOnDatabases('满意度测评 in the playground, from the reports to the monthly ranking', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  let cookie = '';
  let apiToken = '';
  const clock = createTestClock(china('2026-11-09T09:00:00'));
  const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };

  beforeAll(async () => {
    h = database();
    // The smallest minimum a deployment may choose (3), so a playground's handful of enterprises gives figures.
    const config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(h, { now: clock.now, config: { ...config, survey: { ...config.survey!, minAnswers: 3 } } });
    for (const id of ['wangmin', 'lidian']) await setConsolePassword(rt.services.db, id, 'a-long-password-123', clock.now());
    apiToken = await createApiToken(rt.services.db, 'wangmin', 'test', clock.now());
  });
  afterAll(async () => rt?.close());

  const req = (path: string, init: RequestInit = {}) => rt.app.request(`http://localhost${path}`, init);
  const say = async (userId: string, groupId: string, text: string) => {
    clock.advance(3_600_000);
    const r = await req('/playground/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat: 'group', groupId, userId, name: userId, text }) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { result: { status: string; ticketNumber?: string } }).result;
  };
  const transcript = async (chat: string) => ((await (await req(`/playground/api/transcript?chat=${encodeURIComponent(chat)}&after=0`)).json()) as { entries: Entry[] }).entries.filter((e) => e.from.kind === 'bot').map((e) => e.text);
  const reportPage = async (group: string, enterprise: string, phone: string, text: string) => {
    clock.advance(21 * 60_000); // past the report page's per-address window
    const check = solveCheck(await (await req(`/r/${group}`)).text());
    clock.advance(20_000);
    const body = new URLSearchParams({ enterprise, contact: '联系人', phone, text, publicNotice: '1', check: check.token, answer: check.answer });
    const html = await (await req(`/r/${group}`, { method: 'POST', headers: FORM, body: body.toString() })).text();
    return /data-testid="ticket-link">http:\/\/localhost(\/t\/[^<]+)</.exec(html)![1]!;
  };
  const signIn = async (staffId: string) => {
    const r = await req('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId, password: 'a-long-password-123', next: '/console' }).toString() });
    return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const consolePage = async (path: string, as = cookie) => (await req(path, { headers: { cookie: as } })).text();
  const consolePost = (path: string, body: string, as = cookie) => req(path, { method: 'POST', headers: { ...FORM, cookie: as }, body });
  const answer = (token: string, scores: number[]) =>
    req(`/s/${token}`, { method: 'POST', headers: FORM, body: new URLSearchParams({ efficiency: String(scores[0]), attitude: String(scores[1]), resolution: String(scores[2]), policy: String(scores[3]) }).toString() });
  const surveyLinkIn = (texts: string[]) => {
    const invite = texts.filter((t) => t.startsWith('【满意度测评】'));
    expect(invite).toHaveLength(1);
    return /\/s\/(s_[A-Za-z0-9_-]+)/.exec(invite[0]!)![1]!;
  };
  const surveyCard = async (ticketPath: string) => /data-testid="survey"[\s\S]*?href="(\/s\/[^"]+)"/.exec(await (await req(ticketPath)).text())?.[1] ?? null;
  const monthly = async () => (await (await req('/api/v1/reports/monthly?month=2026-11', { headers: { authorization: `Bearer ${apiToken}` } })).json()) as {
    survey: null | {
      closed: boolean;
      invited: number;
      answered: number;
      responseRate: number;
      departments: Array<{ departmentId: string; answered: number; invited: number; averages: Record<string, number> | null; overall: number | null; withheld: string | null }>;
      regions: Array<{ regionId: string; name: string; answered: number; averages: Record<string, number> | null; overall: number | null; withheld: string | null }>;
    };
  };

  it('invites each enterprise with a November ticket (chat one-to-one, report-page users on their ticket page), closes, and shows anonymous figures in the ranking, the console, the API and the 通报', async () => {
    // November: six enterprises in the two playground groups, two through the report page.
    const chat: Array<[string, string, string]> = [
      ['ent-1', 'county', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'],
      ['ent-2', 'county', '@共治助手 变压器增容申请提交两个月了一直没批下来，供电所说要排队'],
      ['ent-3', 'county', '@共治助手 厂里电压不稳，一开机就跳闸，请供电公司派人查一下线路'],
      ['ent-4', 'park', '@共治助手 园区这周停电三次，供电公司也不提前通知，设备都坏了'],
      ['ent-6', 'park', '@共治助手 我们车间供电线路老化经常断电，请供电公司尽快检修线路'],
      ['ent-5', 'county', '@共治助手 厂区自来水停水三天了也没有通知，供水公司电话打不通，生产用水接不上'],
    ];
    for (const [u, g, t] of chat) expect((await say(u, g, t)).status).toBe('ticket');
    const web1 = await reportPage('park', '园区星火电子有限公司', '13800138001', '我们公司在园区的厂房新装变压器报装一个多月了还没通电，影响投产');
    const web2 = await reportPage('county', '青山精密机械有限公司', '13800138002', '我们公司在县城的厂房新装变压器报装一个多月了还没通电，供电公司一直没人来');
    const routed = await h.db.selectFrom('tickets as t').innerJoin('requesters as r', 'r.id', 't.requester_id').select(['r.user_id', 'r.platform', 't.department_id']).execute();
    expect(routed).toHaveLength(8);
    expect(routed.filter((t) => t.department_id === 'power')).toHaveLength(7);
    expect(routed.find((t) => t.user_id === 'ent-5')!.department_id).toBe('water');
    expect(routed.filter((t) => t.platform === 'web')).toHaveLength(2);
    expect(await surveyCard(web1)).toBeNull(); // no campaign yet

    // 20 November: 营商办 starts November's survey from the console.
    clock.set(china('2026-11-20T10:00:00'));
    cookie = await signIn('wangmin');
    expect((await consolePost('/console/surveys/open', 'month=2026-11')).status).toBe(303);
    expect(await consolePage('/console/topics')).toContain('邀请 8 家，回收 0 家');
    expect((await consolePost('/console/surveys/open', 'month=2026-11')).status).toBe(303);
    expect(await h.db.selectFrom('survey_invitations').selectAll().execute()).toHaveLength(8); // once
    await rt.services.drainer.drainOnce(); // the console's request hands delivery to the drainer; wait for it, as the page's poll would

    // Chat enterprises find the invitation in the playground's one-to-one view; nothing in the groups.
    const tokens = new Map<string, string>();
    for (const [u] of chat) tokens.set(u, surveyLinkIn(await transcript(`direct:${u}`)));
    for (const g of ['county', 'park']) expect((await transcript(g)).join('\n')).not.toContain('/s/');
    const page = await (await req(`/s/${tokens.get('ent-1')}`)).text();
    for (const q of ['办事效率', '服务态度', '问题解决', '政策获得感']) expect(page).toContain(q);
    // Report-page enterprises have no chat: their ticket page carries the survey while it is open.
    const web1Survey = (await surveyCard(web1))!;
    expect(web1Survey).toBe(web1.replace('/t/', '/s/'));
    expect(await surveyCard(web2)).toBe(web2.replace('/t/', '/s/'));
    expect(await (await req(web1Survey)).text()).toContain('政策获得感');

    const scores: Record<string, number[]> = {
      'ent-1': [5, 5, 4, 4],
      'ent-2': [3, 4, 2, 3],
      'ent-3': [4, 4, 4, 5],
      'ent-4': [5, 4, 5, 5],
      'ent-6': [2, 3, 3, 2],
      'ent-5': [1, 2, 1, 1],
    };
    for (const [u, s] of Object.entries(scores)) expect((await answer(tokens.get(u)!, s)).status).toBe(200);
    expect((await answer(tokens.get('ent-1')!, [1, 1, 1, 1])).status).toBe(409); // once per enterprise
    expect((await req(web1Survey, { method: 'POST', headers: FORM, body: 'efficiency=4&attitude=5&resolution=4&policy=4' })).status).toBe(200);
    expect(await surveyCard(web1)).toBeNull(); // answered: the card goes
    expect(await surveyCard(web2)).not.toBeNull(); // web-2 has not answered

    // While open: totals only, everywhere.
    let ranking = await consolePage('/console/reports?month=2026-11');
    expect(ranking).toContain('邀请 8 家，回收 7 家，<b>回收率 87.5%</b>');
    expect(ranking).not.toContain('data-testid="survey-departments"');
    let api = await monthly();
    expect(api.survey).toMatchObject({ closed: false, invited: 8, answered: 7, departments: [], regions: [] });

    // 25 November: 营商办 closes it early (a department's staff may not); web-2's card goes, its answer is refused.
    clock.set(china('2026-11-25T10:00:00'));
    cookie = await signIn('wangmin'); // a new day's session
    const staff = await signIn('lidian');
    const campaign = await h.db.selectFrom('survey_campaigns').select('id').executeTakeFirstOrThrow();
    expect((await consolePost(`/console/surveys/${campaign.id}/close`, '', staff)).status).toBe(403);
    expect(await consolePage('/console/topics')).toContain('立即截止并公布结果');
    expect((await consolePost(`/console/surveys/${campaign.id}/close`, '')).status).toBe(303);
    expect(await surveyCard(web2)).toBeNull();
    expect((await req(web2.replace('/t/', '/s/'), { method: 'POST', headers: FORM, body: 'efficiency=1&attitude=1&resolution=1&policy=1' })).status).toBe(410);

    // The ranking page (统计与台账) carries the survey as a figure of its own.
    ranking = await consolePage('/console/reports?month=2026-11');
    const table = (id: string) => /<table data-testid="([^"]+)">[\s\S]*?<\/table>/g.exec(ranking.slice(ranking.indexOf(`data-testid="${id}"`) - 7))![0];
    const depts = table('survey-departments');
    expect(depts).toMatch(/国网青山县供电公司<\/td><td>3\.83<\/td><td>4\.17<\/td><td>3\.67<\/td><td>3\.83<\/td><td>3\.8\d<\/td><td>6\/7（85.7%）/);
    // One answer: withheld as too few, never shown as 0.
    expect(depts).toMatch(/县自来水公司<\/td><td>—<\/td><td>—<\/td><td>—<\/td><td>—<\/td><td>样本不足<\/td><td>1\/1（100%）/);
    const regions = table('survey-regions');
    expect(regions).toMatch(/青山县<\/td><td>3\.25<\/td><td>3\.75<\/td><td>2\.75<\/td><td>3\.25<\/td><td>3\.25<\/td><td>4\/5（80%）/);
    // 经济开发区 as well would give the water company's one enterprise away: 4·县 − 6·供电 + 3·开发区.
    expect(regions).toMatch(/经济开发区<\/td><td>—<\/td><td>—<\/td><td>—<\/td><td>—<\/td><td>不单列（与其他单位样本重合）<\/td><td>3\/3（100%）/);
    expect(ranking).toContain('邀请 8 家，回收 7 家，<b>回收率 87.5%</b>');
    // The ticket ranking's composite is unchanged by the survey: it is not one of its columns.
    expect(ranking.slice(0, ranking.indexOf('data-testid="survey"'))).not.toContain('3.83');

    // The same figures in the REST API, withheld ones null with the reason.
    api = await monthly();
    expect(api.survey).toMatchObject({ closed: true, invited: 8, answered: 7, responseRate: 0.875 });
    expect(api.survey!.departments.find((d) => d.departmentId === 'power')).toMatchObject({ answered: 6, invited: 7, averages: { efficiency: 3.83, attitude: 4.17, resolution: 3.67, policy: 3.83 }, withheld: null });
    expect(api.survey!.departments.find((d) => d.departmentId === 'water')).toMatchObject({ answered: 1, averages: null, overall: null, withheld: 'few' });
    expect(api.survey!.regions.find((r) => r.name === '经济开发区')).toMatchObject({ answered: 3, averages: null, overall: null, withheld: 'overlap' });
    expect(api.survey!.regions.find((r) => r.name === '青山县')).toMatchObject({ answered: 4, averages: { efficiency: 3.25, attitude: 3.75, resolution: 2.75, policy: 3.25 }, withheld: null });
    const doc = await (await req('/api/openapi.json')).json();
    expect(JSON.stringify(doc.components.schemas.MonthlySurvey)).toContain('withheld');

    // 1 December: November's 通报 in each group carries the survey after the ranking, anonymous.
    clock.set(china('2026-12-01T09:30:00'));
    await runScheduledWork(rt.services, clock.now());
    await rt.services.drainer.drainOnce();
    const posted = (await transcript('county')).find((t) => t.startsWith('【满意度测评】2026 年 11 月'))!;
    expect(posted).toContain('邀请 8 家，回收 7 家（回收率 88%）');
    expect(posted).toMatch(/国网青山县供电公司：3\.8\d 分｜回收 6\/7（86%）/);
    expect(posted).toContain('县自来水公司：样本不足｜回收 1/1（100%）');
    for (const who of [...Object.keys(scores), '园区星火电子', '青山精密机械', '13800138001']) expect(posted).not.toContain(who);
    // 2 December, the scheduled day: November's campaign exists, so none is opened again.
    clock.set(china('2026-12-02T10:00:00'));
    expect((await runScheduledWork(rt.services, clock.now())).survey.opened).toBeNull();
    expect(Object.keys(await h.db.selectFrom('survey_responses').selectAll().executeTakeFirstOrThrow())).toEqual(['id', 'campaign_id', 'department_ids', 'regions', 'scores']);
  });
});
