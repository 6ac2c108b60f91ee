import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { runScheduledWork } from '../../src/jobs/digests';
import { surveyResults } from '../../src/jobs/survey';
import { loadConfigFile } from '../../src/config/load';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

describeOnDatabases('满意度测评: a monthly survey campaign end to end', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-09T02:00:00Z');

  beforeAll(async () => {
    h = database();
    // The smallest minimum a deployment may choose (3), so four invited enterprises can give a figure.
    const config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(h, { now: clock.now, config: { ...config, survey: { ...config.survey!, minAnswers: 3 } } });
  });
  afterAll(async () => rt?.close());

  const say = async (userId: string, chatId: string, text: string) => {
    clock.advance(3_600_000);
    const r = await rt.services.pipeline.receive(localMessage(userId, text, { chatId, chatTitle: chatId }));
    await rt.services.drainer.drainOnce();
    return r;
  };
  const dms = (userId: string) => rt.local!.directTranscript(userId, 0).filter((e) => e.from.kind === 'bot').map((e) => e.text);
  const linkIn = (text: string) => /\/s\/(s_[A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
  const answer = (token: string, scores: Record<string, string>) =>
    rt.app.request(`/s/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body: new URLSearchParams(scores).toString() });
  const ALL5 = { efficiency: '5', attitude: '5', resolution: '4', policy: '4' };

  it('invites every enterprise with November tickets one-to-one on 2 December, takes each answer once, reminds, closes, and shows results per department and region in the ranking', async () => {
    // Four enterprises report to the power company in two groups; a fifth reports to water in December (not invited).
    const reports: Array<[string, string, string]> = [
      ['ent-1', 'county', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'],
      ['ent-2', 'county', '@共治助手 变压器增容申请提交两个月了一直没批下来，供电所说要排队'],
      ['ent-3', 'park', '@共治助手 园区这周停电三次，供电公司也不提前通知，设备都坏了'],
      ['ent-4', 'park', '@共治助手 厂里电压不稳，一开机就跳闸，请供电公司派人查一下线路'],
    ];
    for (const [u, g, t] of reports) expect((await say(u, g, t)).status).toBe('ticket');
    const depts = await h.db.selectFrom('tickets').select('department_id').execute();
    expect(new Set(depts.map((d) => d.department_id))).toEqual(new Set(['power']));

    // 1 December: the ranking, no survey yet. 2 December 10:00: the survey opens.
    clock.set(china('2026-12-02T07:00:00'));
    expect((await runScheduledWork(rt.services, clock.now())).survey.opened).toBeNull();
    clock.set(china('2026-12-02T10:00:00'));
    const opened = (await runScheduledWork(rt.services, clock.now())).survey.opened;
    expect(opened).toMatchObject({ invited: 4, messaged: 4 });
    expect((await runScheduledWork(rt.services, clock.now())).survey.opened).toBeNull(); // once
    await rt.services.drainer.drainOnce();
    const tokens: string[] = [];
    for (const [u] of reports) {
      const msgs = dms(u).filter((m) => m.includes('【满意度测评】'));
      expect(msgs).toHaveLength(1); // in the playground's one-to-one view
      expect(msgs[0]).toContain('2026 年 11 月');
      tokens.push(linkIn(msgs[0]!)!);
    }
    for (const g of ['county', 'park']) expect(rt.local!.transcript(g, 0).some((e) => e.text.includes('/s/s_'))).toBe(false);

    const page = await rt.app.request(`/s/${tokens[0]}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const q of ['办事效率', '服务态度', '问题解决', '政策获得感']) expect(html).toContain(q);

    expect((await answer(tokens[0]!, { ...ALL5, policy: '9' })).status).toBe(400);
    expect((await answer(tokens[0]!, { efficiency: '5' })).status).toBe(400);
    expect((await answer(tokens[0]!, ALL5)).status).toBe(200);
    expect((await answer(tokens[0]!, ALL5)).status).toBe(409);
    expect((await answer(tokens[1]!, { efficiency: '3', attitude: '4', resolution: '2', policy: '3' })).status).toBe(200);
    expect((await answer('s_' + 'x'.repeat(43), ALL5)).status).toBe(404);

    // While the campaign is open only the totals show: a figure moving with each answer would give the answer away.
    let r = (await surveyResults(rt.services))!;
    expect(r).toMatchObject({ invited: 4, answered: 2, responseRate: 0.5, byDepartment: [], byRegion: [] });

    // 7 December: one reminder, with a fresh link, to those who have not answered.
    clock.set(china('2026-12-07T10:30:00'));
    expect((await runScheduledWork(rt.services, clock.now())).survey.reminded).toBe(2);
    expect((await runScheduledWork(rt.services, clock.now())).survey.reminded).toBe(0);
    await rt.services.drainer.drainOnce();
    expect(dms('ent-1').filter((m) => m.includes('提醒'))).toHaveLength(0);
    const reminder = dms('ent-3').find((m) => m.includes('【满意度测评·提醒】'))!;
    expect(reminder).toBeDefined();
    expect((await answer(tokens[2]!, ALL5)).status).toBe(404); // the old link was replaced
    expect((await answer(linkIn(reminder)!, { efficiency: '4', attitude: '4', resolution: '4', policy: '5' })).status).toBe(200);

    r = (await surveyResults(rt.services))!;
    expect(r.responseRate).toBe(0.75);
    expect(r.byDepartment).toEqual([]);

    // 12 December: closed; a late answer is refused; the results are published.
    clock.set(china('2026-12-12T11:00:00'));
    expect((await runScheduledWork(rt.services, clock.now())).survey.closed).toBe(1);
    r = (await surveyResults(rt.services))!;
    expect(r.byDepartment[0]).toMatchObject({ key: 'power', invited: 4, answered: 3, withheld: null });
    expect(r.byDepartment[0]!.averages).toEqual({ efficiency: 4, attitude: 4.33, resolution: 3.33, policy: 4 });
    // Each region holds fewer than 3 of the answers: its average is withheld (it would also lie a
    // single answer or two away from the power company's).
    expect(r.byRegion.map((f) => f.name)).toEqual(expect.arrayContaining(['青山县', '经济开发区']));
    expect(r.byRegion.every((f) => f.overall === null)).toBe(true);
    const ent4 = dms('ent-4').find((m) => m.includes('提醒'))!;
    expect((await answer(linkIn(ent4)!, ALL5)).status).toBe(410);

    // The January 通报 (December's ranking) carries the closed November survey as its own figure.
    clock.set(china('2027-01-01T09:00:00'));
    await runScheduledWork(rt.services, clock.now());
    await rt.services.drainer.drainOnce();
    const posted = rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text);
    const survey = posted.find((t) => t.startsWith('【满意度测评】2026 年 11 月'))!;
    expect(survey).toContain('邀请 4 家，回收 3 家（回收率 75%）');
    expect(survey).toMatch(/国网青山县供电公司：3\.9\d 分｜回收 3\/4（75%）/);
    // Anonymous in every report: no enterprise, account or link appears in it.
    for (const [u] of reports) expect(survey).not.toContain(u);
    expect(Object.keys((await h.db.selectFrom('survey_responses').selectAll().executeTakeFirstOrThrow()))).toEqual(['id', 'campaign_id', 'department_ids', 'regions', 'scores']);
  });
});
