import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { openSurvey } from '../../src/jobs/survey';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock, localMessage } from '../helpers/runtime';

// The playground had no one-to-one view, so a survey invitation (always one-to-one) could not be
// seen there at all. In Chromium: pick the enterprise, open 与共治助手一对一, follow the link, answer.
describe.skipIf(!RUN_BROWSER_TESTS)('the survey in the playground, in Chromium', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: clock.now }));
  }, 180_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('shows the invitation in the enterprise’s one-to-one chat, with a link to the survey form that takes the answer', async () => {
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'));
    clock.set('2026-12-02T02:00:00Z');
    expect(await openSurvey(rt.services, { key: 'monthly:2026-11', title: '2026 年 11 月', from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') })).toMatchObject({ invited: 1, messaged: 1 });
    await rt.services.drainer.drainOnce();

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${http.base}/`);
    await page.locator('#enterprises .pick', { hasText: '刘总' }).click();
    // The group chat shows no survey: it is one-to-one only.
    await expect.poll(() => page.locator('.msg.bot').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator('.msg.bot', { hasText: '满意度测评' }).count()).toBe(0);
    await page.locator('#direct .pick').click();
    const invite = page.locator('.msg.bot', { hasText: '【满意度测评】' });
    await expect.poll(() => invite.count(), { timeout: 20_000 }).toBe(1);
    const href = await invite.locator('a').first().getAttribute('href');
    expect(href).toMatch(/\/s\/s_[A-Za-z0-9_-]+$/);
    await page.screenshot({ path: await artifactPath('playground-survey.png') });

    await page.goto(new URL(href!, http.base).toString());
    for (const q of ['efficiency', 'attitude', 'resolution', 'policy']) await page.locator(`input[name="${q}"][value="4"]`).check();
    await page.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('body').textContent(), { timeout: 20_000 }).toContain('已收到，感谢贵企业的评价');
    expect(await rt.services.db.selectFrom('survey_responses').select('scores').execute()).toEqual([{ scores: { efficiency: 4, attitude: 4, resolution: 4, policy: 4 } }]);
  }, 120_000);
});
