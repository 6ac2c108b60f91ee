import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { runScheduledWork } from '../../src/jobs/digests';
import { surveyResults } from '../../src/jobs/survey';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

/**
 * Reading a survey's results writes nothing. A campaign past its closing date that the scheduler
 * has not closed yet reads as closed, with its final figures; the scheduler's tick closes it.
 */
describeOnDatabases('survey results read past the closing date', (database) => {
  let rt: Runtime;
  const clock = createTestClock(china('2026-11-09T10:00:00'));
  beforeAll(async () => {
    const config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(database(), { now: clock.now, config: { ...config, survey: { ...config.survey!, minAnswers: 3 } } });
  });
  afterAll(async () => rt?.close());
  const campaign = () => rt.services.db.selectFrom('survey_campaigns').select(['closed', 'closes_at']).executeTakeFirstOrThrow();

  it('shows the final figures without closing the campaign, and leaves the closing to the scheduler', async () => {
    const reports: Array<[string, string, string]> = [
      ['ent-1', 'county', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'],
      ['ent-2', 'county', '@共治助手 变压器增容申请提交两个月了一直没批下来，供电所说要排队'],
      ['ent-3', 'park', '@共治助手 园区这周停电三次，供电公司也不提前通知，设备都坏了'],
    ];
    for (const [u, g, t] of reports) {
      clock.advance(3_600_000);
      expect((await rt.services.pipeline.receive(localMessage(u, t, { chatId: g, chatTitle: g }))).status).toBe('ticket');
    }
    const enterprises = reports.map(([u]) => u);
    clock.set(china('2026-12-02T10:00:00'));
    expect((await runScheduledWork(rt.services, clock.now())).survey.opened).toMatchObject({ invited: 3 });
    await rt.services.drainer.drainOnce();
    for (const u of enterprises) {
      const token = /\/s\/(s_[A-Za-z0-9_-]+)/.exec(rt.local!.directTranscript(u, 0).map((e) => e.text).join('\n'))![1]!;
      const body = new URLSearchParams({ efficiency: '5', attitude: '4', resolution: '4', policy: '3' }).toString();
      const res = await rt.app.request(`/s/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body });
      expect(res.status).toBe(200);
    }

    // Past the closing date, before any scheduler tick: the figures are final, the row untouched.
    const { closes_at } = await campaign();
    clock.set(new Date(closes_at.getTime() + 60_000).toISOString());
    const read = (await surveyResults(rt.services))!;
    expect(read.campaign.closed).toBe(true);
    expect(read.byDepartment[0]).toMatchObject({ key: 'power', answered: 3, averages: { efficiency: 5, attitude: 4, resolution: 4, policy: 3 } });
    expect(await campaign()).toEqual({ closed: false, closes_at });

    // The scheduler closes it, and the figures stay as they were read.
    expect((await runScheduledWork(rt.services, clock.now())).survey.closed).toBe(1);
    expect(await campaign()).toEqual({ closed: true, closes_at });
    expect(await surveyResults(rt.services)).toEqual(read);
  });
});
