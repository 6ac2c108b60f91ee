import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock } from '../helpers/runtime';

describe.skipIf(!RUN_BROWSER_TESTS)('playground in Chromium', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: clock.now }));
  }, 180_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('shows each message once, however the polls overlap, and names the people it mentions', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${http.base}/`);
    await expect.poll(() => page.locator('#groups button.on, #groups .on').count()).toBeGreaterThan(0);
    // Slow replies make the timer's poll and the send's poll overlap, as on a busy machine.
    await page.route('**/playground/api/transcript*', async (route) => {
      await new Promise((r) => setTimeout(r, 900));
      await route.continue();
    });
    await page.fill('#text', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    await page.press('#text', 'Enter');
    const reply = page.locator('.msg.bot', { hasText: '已受理' });
    await expect.poll(() => reply.count(), { timeout: 20_000 }).toBe(1);
    // Several more poll cycles: still once.
    await page.waitForTimeout(5000);
    expect(await reply.count()).toBe(1);
    expect(await page.locator('.msg.me', { hasText: '我们厂新建的厂房申请用电报装' }).count()).toBe(1);
    const who = await page.locator('.msg.bot .who').allTextContents();
    expect(who.join(' ')).toContain('@李电');
    expect(who.join(' ')).not.toContain('@lidian');
    await page.screenshot({ path: await artifactPath('playground.png') });
  }, 120_000);
});
