import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock, localMessage } from '../helpers/runtime';

// What the WeCom client's webview sends (工作台 H5 app on Android).
const WECOM_UA = 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 NetType/WIFI Language/zh ColorScheme/Light';

describe.skipIf(!RUN_BROWSER_TESTS)('console on a phone (390×844, inside WeCom)', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const numbers: string[] = [];
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: clock.now }));
    for (const text of ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区变压器增容申请提交两个月了一直没批下来，影响新生产线投产']) {
      numbers.push(((await rt.services.pipeline.receive(localMessage('qs-jixie-liu', text))) as { ticketNumber: string }).ticketNumber);
    }
    await setConsolePassword(rt.services.db, 'lidian', 'gongdian-2026!', clock.now());
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', userAgent: WECOM_UA });
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  /** Nothing scrolls sideways: the page is as wide as the phone. */
  const fitsWidth = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  /** Taps a form's button and waits for the page the redirect after the POST lands on. */
  const submit = async (button: ReturnType<Page['getByRole']>) => {
    await Promise.all([page.waitForNavigation(), button.tap()]);
  };
  const bigTarget = async (name: string) => {
    const box = (await page.getByRole('button', { name, exact: true }).boundingBox())!;
    expect(box.height, `${name} height`).toBeGreaterThanOrEqual(48);
    expect(box.width, `${name} width`).toBeGreaterThanOrEqual(300);
  };

  it('signs in, lists my tickets as cards, and signs, extends and resolves one with thumb-sized buttons', async () => {
    await page.goto(`${http.base}/console/mine`);
    await page.getByLabel('账号（工作人员编号）').fill('lidian');
    await page.getByLabel('密码').fill('gongdian-2026!');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${http.base}/console/mine`);

    // The header is a line or two, not one character per line.
    const header = (await page.locator('header').boundingBox())!;
    expect(header.height).toBeLessThan(110);
    for (const link of await page.locator('header nav a').all()) expect((await link.boundingBox())!.height).toBeLessThan(50);
    await fitsWidth();
    const cards = page.getByTestId('mine').locator('a.ticket');
    expect(await cards.count()).toBe(2);
    expect(await cards.first().textContent()).toContain('待签收');
    expect((await cards.first().boundingBox())!.width).toBeGreaterThan(340);
    await page.screenshot({ path: await artifactPath('phone-mine.png'), fullPage: true });

    await page.getByTestId('mine').locator('a.ticket', { hasText: numbers[0]! }).tap();
    await page.waitForURL(`${http.base}/console/tickets/${numbers[0]}`);
    await fitsWidth();
    await bigTarget('签收');
    await bigTarget('退回营商办');
    await submit(page.getByRole('button', { name: '签收', exact: true }));
    expect(await page.getByTestId('status').textContent()).toBe('办理中');

    await bigTarget('申请延期');
    const extend = page.locator('form[data-action="extend"]');
    await extend.getByLabel('延期天数').fill('2');
    await extend.getByLabel('延期理由').fill('需协调园区配套工程施工');
    await submit(extend.getByRole('button', { name: '申请延期' }));
    expect(await page.getByRole('status').textContent()).toContain('延期');
    const events = await rt.services.db.selectFrom('ticket_events').innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id').select('kind').where('tickets.number', '=', numbers[0]!).execute();
    expect(events.map((e) => e.kind)).toContain('extension_requested');

    await bigTarget('办结');
    const resolve = page.locator('form[data-action="resolve"]');
    expect(await resolve.locator('textarea[name="summary"]').count()).toBe(1);
    await resolve.getByLabel('办理结果').fill('已完成接电，10 千伏专线送电正常');
    await page.screenshot({ path: await artifactPath('phone-ticket.png'), fullPage: true });
    await submit(resolve.getByRole('button', { name: '办结' }));
    expect(await page.getByTestId('status').textContent()).toBe('已办结待评价');
    await fitsWidth();
  }, 120_000);

  it('returns a ticket that is not theirs, and the list page stacks into cards', async () => {
    await page.goto(`${http.base}/console/tickets/${numbers[1]}`);
    const ret = page.locator('form[data-action="return"]');
    await ret.getByLabel('退单理由').fill('变压器增容审批属园区管委会，不属供电公司');
    await submit(ret.getByRole('button', { name: '退回营商办' }));
    expect(await page.getByTestId('status').textContent()).toBe('已退单');

    await page.getByRole('link', { name: '工单', exact: true }).tap();
    await page.waitForURL(`${http.base}/console/tickets`);
    await fitsWidth();
    const row = page.locator('[data-testid="tickets"] tbody tr').first();
    expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    // Each cell names its column, since the header row is hidden.
    expect(await row.locator('td[data-label="状态"]').evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"状态："');
    await page.screenshot({ path: await artifactPath('phone-tickets.png'), fullPage: true });
  }, 120_000);
});
