import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { openSurvey } from '../../src/jobs/survey';
import { describeOnDatabases } from '../helpers/databases';
import { solveCheck } from '../helpers/report-form';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

const REPORT = '我们公司在青山工业园区的厂房新装变压器报装一个多月了还没通电，影响投产';

describeOnDatabases('the /t/ ticket page carries the survey for a report-page enterprise', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  it('shows the survey link only while its campaign is open and unanswered', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    try {
      const page = await rt.app.request('/r/county');
      const check = solveCheck(await page.text());
      clock.advance(20_000);
      const body = new FormData();
      for (const [k, v] of Object.entries({ enterprise: '青山精密机械有限公司', contact: '刘建国', phone: '13800138000', text: REPORT, publicNotice: '1', check: check.token, answer: check.answer })) body.append(k, v);
      const res = await rt.app.request('/r/county', { method: 'POST', body, headers: { origin: 'http://localhost' } });
      const link = /data-testid="ticket-link">(http:\/\/localhost\/t\/[^<]+)</.exec(await res.text())![1]!.replace('http://localhost', '');

      // No campaign yet: no survey on the page.
      expect(await (await rt.app.request(link)).text()).not.toContain('data-testid="survey"');

      clock.set('2026-12-02T02:00:00Z');
      const opened = await openSurvey(rt.services, { key: '2026-11', title: '2026年11月', from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') });
      expect(opened).not.toBeNull();
      const html = await (await rt.app.request(link)).text();
      expect(html).toContain('data-testid="survey"');
      const href = /href="(\/s\/[^"]+)"/.exec(html)![1]!;
      const form = await rt.app.request(href);
      expect(form.status).toBe(200);
      const answered = await rt.app.request(href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body: new URLSearchParams({ efficiency: '5', attitude: '4', resolution: '4', policy: '3' }).toString() });
      expect(answered.status).toBe(200);
      // Answered: the link is gone from the ticket page.
      expect(await (await rt.app.request(link)).text()).not.toContain('data-testid="survey"');
    } finally {
      await rt?.close();
    }
  });
});
