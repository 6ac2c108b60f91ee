import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock, localMessage } from '../helpers/runtime';

/** The load chart's category labels, read from the SVG the server drew. */
const chartLabels = (page: Page) => page.locator('[data-testid="load-chart"] svg text').allTextContents();

describe.skipIf(!RUN_BROWSER_TESTS)('web console in Chromium', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  let number: string;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: clock.now }));
    // A report the power company sends back as not theirs; nobody re-dispatches it for two working days.
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    number = (r as { ticketNumber: string }).ticketNumber;
    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${number}`));
    await rt.services.pipeline.receive(localMessage('lidian', `/退回 ${number} 厂区内部线路属园区配套工程，不属供电公司产权`));
    clock.advance(3 * 86_400_000);
    // A brand-new console user, as `npm run cli -- account create wangmin --password-stdin` makes one.
    await setConsolePassword(rt.services.db, 'wangmin', 'qingshan-2026!', clock.now());
  }, 60_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('signs in, finds the overdue ticket, dispatches it and sees the chart change', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${http.base}/console`);
    await expect.poll(() => page.url()).toContain('/console/login');
    await page.getByLabel('账号（工作人员编号）').fill('wangmin');
    await page.getByLabel('密码').fill('qingshan-2026!');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${http.base}/console`);
    expect(await page.locator('header').textContent()).toContain('王敏（营商办派单员）');

    const overdueRow = page.locator('[data-testid="overdue"] tr', { hasText: number });
    expect(await overdueRow.count()).toBe(1);
    const before = await chartLabels(page);
    expect(before).toContain('待派单');
    expect(before).not.toContain('县住房和城乡建设局');

    // The list's overdue filter finds it too.
    await page.getByRole('link', { name: '工单', exact: true }).click();
    await page.selectOption('select[name="overdue"]', '1');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/overdue=1/);
    const rows = page.locator('[data-testid="tickets"] tbody tr');
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('link', { name: number }).click();

    await page.waitForURL(`${http.base}/console/tickets/${number}`);
    expect(await page.getByTestId('status').textContent()).toBe('已退单');
    expect(await page.getByTestId('timeline').textContent()).toContain('厂区内部线路属园区配套工程');
    const dispatch = page.locator('form[data-action="dispatch"]');
    await dispatch.locator('select[name="department"]').selectOption({ label: '县住房和城乡建设局' });
    await dispatch.getByRole('button', { name: '派单' }).click();
    await page.waitForURL(`${http.base}/console/tickets/${number}`);
    expect(await page.getByRole('status').textContent()).toContain('县住房和城乡建设局');
    expect(await page.getByTestId('status').textContent()).toBe('待签收');
    await page.screenshot({ path: await artifactPath('console-ticket.png'), fullPage: true });

    await page.getByRole('link', { name: '工作台' }).click();
    await page.waitForURL(`${http.base}/console`);
    const after = await chartLabels(page);
    expect(after).toContain('县住房和城乡建设局');
    expect(after).not.toContain('待派单');
    expect(await page.locator('[data-testid="overdue"] tr', { hasText: number }).count()).toBe(0);
    await page.screenshot({ path: await artifactPath('console-dashboard.png'), fullPage: true });
  }, 60_000);

  it('draws the monthly ranking and the trend as SVG charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${http.base}/console/login?next=/console/reports?month=2026-11`);
    await page.getByLabel('账号（工作人员编号）').fill('wangmin');
    await page.getByLabel('密码').fill('qingshan-2026!');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/console\/reports/);
    const ranking = page.locator('[data-testid="ranking-chart"] svg');
    expect(await ranking.count()).toBe(1);
    // The month's one ticket now counts for the department it was dispatched to.
    expect(await ranking.locator('text').allTextContents()).toContain('县住房和城乡建设局');
    const box = await page.locator('[data-testid="trend-chart"] svg').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    const download = page.waitForEvent('download');
    await page.getByTestId('ledger-xlsx').click();
    expect((await download).suggestedFilename()).toBe('台账-2026-11.xlsx');
    await page.screenshot({ path: await artifactPath('console-reports.png'), fullPage: true });
  }, 60_000);
});
