import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { solveCheck, TINY_PNG } from '../helpers/report-form';
import { localMessage } from '../helpers/runtime';

describe.skipIf(!RUN_BROWSER_TESTS)('report page on a phone (Chromium, mobile viewport)', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;

  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp());
  }, 60_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('submits a report with a photo, follows the ticket and rates it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47' });
    const page = await context.newPage();
    await page.goto(`${http.base}/r/county`);
    expect(await page.locator('h1').textContent()).toBe('向“青山县营商环境共商共治群”反映问题');
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.getByLabel('企业名称', { exact: true }).fill('青山精密机械有限公司');
    await page.getByLabel('联系人', { exact: true }).fill('刘建国');
    await page.getByLabel(/手机或座机/).fill('138 0013 8000');
    await page.getByLabel(/遇到了什么问题/).fill('我们厂新建的厂房申请用电报装一个月了还没接通，影响设备调试和投产');
    await page.getByLabel(/照片/).setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: Buffer.from(TINY_PNG) });
    await page.getByLabel('地点（可选）').fill('青山工业园区纬三路 8 号');
    const { answer } = solveCheck(await page.content());
    await page.getByLabel(/验证：/).fill(answer);
    await page.screenshot({ path: await artifactPath('report-form-mobile.png'), fullPage: true });
    await page.waitForTimeout(3100); // a person takes a few seconds; the human check expects as much
    await page.getByRole('button', { name: '提交' }).tap();

    await page.waitForSelector('[data-testid="number"]');
    const number = (await page.getByTestId('number').textContent())!;
    expect(number).toMatch(/^GZ-\d{8}-\d{4}$/);
    expect(await page.locator('main').textContent()).toContain('国网青山县供电公司');
    await page.getByTestId('ticket-link').tap();
    await page.waitForURL(/\/t\//);
    expect(await page.getByTestId('status').textContent()).toBe('待签收');
    // The photo made it, resized on the phone and shown back to its sender.
    const img = page.locator('img[alt="照片"]');
    expect(await img.count()).toBe(1);
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
    const ticket = await rt.services.db.selectFrom('tickets').select(['id', 'group_id', 'department_id']).where('number', '=', number).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ group_id: 'county', department_id: 'power' });
    // The group heard of it, without the phone number.
    await rt.services.drainer.drainOnce();
    const notice = rt.local!.transcript('county', 0).find((e) => e.text.includes(number) && e.text.includes('【派单】'));
    expect(notice?.text).not.toContain('13800138000');

    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${number}`));
    await rt.services.pipeline.receive(localMessage('lidian', `/办结 ${number} 已完成外线接入，11月23日送电`));
    await page.reload();
    expect(await page.getByTestId('resolution').textContent()).toContain('已完成外线接入');
    await page.getByLabel('非常满意').check();
    await page.getByRole('button', { name: '提交评价' }).tap();
    await page.waitForSelector('[role="status"]');
    expect(await page.getByTestId('status').textContent()).toBe('已关闭');
    await page.screenshot({ path: await artifactPath('report-ticket-mobile.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
