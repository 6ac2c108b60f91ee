import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const REPORT = '我们厂新建的厂房申请用电报装一个月了还没接通';

/** The public 晒单 board as a visitor of the government website sees it: no sign-in, on a desktop and a phone. */
describe.skipIf(!RUN_BROWSER_TESTS)('public board in Chromium', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: clock.now, config: await loadConfigFile(CITY) }));
    // One report in each county; 青山县's is signed and resolved.
    const qs = await rt.services.pipeline.receive(localMessage('qs-factory-liu', `@共治助手 ${REPORT}`, { chatId: 'qingshan' }));
    await rt.services.pipeline.receive(localMessage('hx-plant-wu', `@共治助手 ${REPORT}`, { chatId: 'hexi' }));
    const n = (qs as { ticketNumber: string }).ticketNumber;
    await rt.services.pipeline.receive(localMessage('li-qs', `/认领 ${n}`, { chatId: 'qingshan' }));
    await rt.services.pipeline.receive(localMessage('li-qs', `/办结 ${n} 已接电`, { chatId: 'qingshan' }));
  }, 60_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('shows both counties’ rankings and charts on a desktop without signing in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const res = await page.goto(`${http.base}/board`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain('frame-ancestors https://www.beishan.gov.cn');
    expect(page.url()).toBe(`${http.base}/board`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('北山市营商环境诉求办理晒单');
    const regions = page.locator('[data-testid="regions-2026-11"] tbody tr');
    // 开发区 had no ticket: not ranked, named apart.
    expect(await regions.count()).toBe(2);
    expect(await page.locator('[data-testid="regions-idle-2026-11"]').textContent()).toContain('北山经济技术开发区');
    const text = (await page.locator('[data-testid="regions-2026-11"]').textContent()) ?? '';
    expect(text).toContain('青山县');
    expect(text).toContain('河西县');
    expect(await page.locator('[data-testid="month-2026-11"] .chart svg').count()).toBe(2);
    const body = (await page.locator('body').textContent()) ?? '';
    for (const secret of ['厂房', 'qs-factory-liu', '李电', 'GZQS-']) expect(body).not.toContain(secret);
    await page.screenshot({ path: await artifactPath('board-desktop.png'), fullPage: true });
    await page.close();
  });

  it('is readable on a 390×844 phone: no sideways page scroll, charts at their own size', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    await page.goto(`${http.base}/board`);
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    // Each chart fills the phone's width (minus padding) instead of shrinking a desktop drawing.
    const chart = await page.locator('[data-testid="month-2026-11"] .chart svg').first().boundingBox();
    expect(chart!.width).toBeGreaterThan(300);
    expect(chart!.width).toBeLessThanOrEqual(390);
    const label = await page.locator('[data-testid="month-2026-11"] .chart svg text', { hasText: '青山县' }).first().boundingBox();
    expect(label!.height).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: await artifactPath('board-phone.png'), fullPage: true });
    await page.close();
  });
});
