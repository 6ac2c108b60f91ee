import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { DatabaseHandle } from '../../src/db/database';
import { closeSurvey, openSurvey, submitSurvey, surveyResults } from '../../src/jobs/survey';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const china = (s: string) => new Date(`${s}+08:00`);

// A city with two counties: a county's figure, and the city's, hold the answers below them; every
// reader sees the same published numbers (their scope picks rows, never recomputes them); and the
// minimum a campaign was published with stays its own when the configuration changes later.
describeOnDatabases('survey figures across the levels of a city', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-09T02:00:00Z');

  beforeAll(async () => {
    h = database();
    const config = await loadConfigFile(CITY);
    rt = await createTestRuntime(h, { now: clock.now, config: { ...config, survey: { frequency: 'monthly', questions: [{ id: 'q', text: '总体满意度' }], sendOnDay: 2, remindAfterDays: 5, closeAfterDays: 10, minAnswers: 3 } } });
  });
  afterAll(async () => rt?.close());

  it('publishes the city, each county and its departments from the same answers, the same for every reader, with the minimum the campaign opened with', async () => {
    const reports: Array<[string, string, string]> = [
      ['q-1', 'qingshan', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'],
      ['q-2', 'qingshan', '@共治助手 变压器增容申请提交两个月了一直没批下来，供电所说要排队'],
      ['q-3', 'qingshan', '@共治助手 厂里电压不稳，一开机就跳闸，请供电公司派人查一下线路'],
      ['q-4', 'qingshan', '@共治助手 园区这周停电三次，供电公司也不提前通知，设备都坏了'],
      ['h-1', 'hexi', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'],
      ['h-2', 'hexi', '@共治助手 变压器增容申请提交两个月了一直没批下来，供电所说要排队'],
      ['h-3', 'hexi', '@共治助手 厂里电压不稳，一开机就跳闸，请供电公司派人查一下线路'],
    ];
    for (const [u, g, t] of reports) {
      clock.advance(3_600_000);
      expect((await rt.services.pipeline.receive(localMessage(u, t, { chatId: g, chatTitle: g }))).status).toBe('ticket');
    }
    const routed = await h.db.selectFrom('tickets').select(['department_id', 'region_id']).execute();
    expect(routed.map((t) => `${t.region_id}:${t.department_id}`).sort()).toEqual([...Array(3).fill('hexi:hx-power'), ...Array(4).fill('qingshan:qs-power')]);

    clock.set('2026-12-02T02:00:00Z');
    const opened = await openSurvey(rt.services, { key: 'monthly:2026-11', title: '2026 年 11 月', from: china('2026-11-01T00:00:00'), to: china('2026-12-01T00:00:00') });
    expect(opened).toMatchObject({ invited: 7, messaged: 7 });
    await rt.services.drainer.drainOnce();
    const scores: Record<string, number> = { 'q-1': 5, 'q-2': 4, 'q-3': 4, 'q-4': 3, 'h-1': 2, 'h-2': 3, 'h-3': 1 };
    for (const [u, q] of Object.entries(scores)) {
      const dm = rt.local!.directTranscript(u, 0).find((e) => e.text.startsWith('【满意度测评】'))!;
      const token = /\/s\/(s_[A-Za-z0-9_-]+)/.exec(dm.text)![1]!;
      expect(await submitSurvey(rt.services, token, { q: String(q) })).toEqual({ ok: true });
    }
    expect(await closeSurvey(rt.services, opened!.campaignId, 'sun-city')).toBe(true);
    expect(await closeSurvey(rt.services, opened!.campaignId, 'sun-city')).toBe(false);

    const city = (await surveyResults(rt.services))!;
    const row = (rows: typeof city.byRegion, key: string) => rows.find((f) => f.key === key)!;
    // The city's figure holds both counties' answers (22 / 7), each county its own.
    expect(row(city.byRegion, 'beishan')).toMatchObject({ name: '北山市', answered: 7, invited: 7, overall: 3.14 });
    expect(row(city.byRegion, 'qingshan')).toMatchObject({ name: '青山县', answered: 4, overall: 4 });
    expect(row(city.byRegion, 'hexi')).toMatchObject({ name: '河西县', answered: 3, overall: 2 });
    expect(row(city.byDepartment, 'qs-power')).toMatchObject({ answered: 4, overall: 4 });
    expect(row(city.byDepartment, 'hx-power')).toMatchObject({ answered: 3, overall: 2 });

    // 青山县's 营商办 sees its own county's rows, with the very numbers the city sees.
    const qs = (await surveyResults(rt.services, { scope: rt.services.directory.scopeOf(rt.services.directory.staffById('wang-qs')!) }))!;
    expect(qs.byRegion.map((f) => f.key)).toEqual(['qingshan']);
    expect(qs.byDepartment.map((f) => f.key)).toEqual(['qs-power']);
    expect(qs.byRegion[0]).toEqual(row(city.byRegion, 'qingshan'));
    expect(qs).toMatchObject({ invited: 4, answered: 4, responseRate: 1 });

    // A later, stricter minimum does not republish this campaign (the two reports together would
    // split its answers finer than either allows); it applies to campaigns opened from now on.
    rt.services.config.survey!.minAnswers = 10;
    const again = (await surveyResults(rt.services))!;
    expect(again.campaign.minAnswers).toBe(3);
    expect(again.byRegion).toEqual(city.byRegion);
    const next = await openSurvey(rt.services, { key: 'monthly:2026-12', title: '2026 年 12 月', from: china('2026-12-01T00:00:00'), to: china('2027-01-01T00:00:00') });
    expect(next).toMatchObject({ invited: 0 });
    expect((await h.db.selectFrom('survey_campaigns').select('min_answers').where('key', '=', 'monthly:2026-12').executeTakeFirstOrThrow()).min_answers).toBe(10);
  });
});
