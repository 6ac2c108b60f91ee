import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { artifactPath, closeBrowserApp, openBrowserApp, RUN_BROWSER_TESTS, type BrowserApp } from '../helpers/browser';
import { createTestClock } from '../helpers/runtime';

describe.skipIf(!RUN_BROWSER_TESTS)('API reference in Chromium', () => {
  let rt: Runtime;
  let http: BrowserApp['http'];
  let browser: Browser;
  beforeAll(async () => {
    ({ rt, http, browser } = await openBrowserApp({ now: createTestClock().now }));
  }, 180_000);
  afterAll(async () => {
    await closeBrowserApp({ browser, http, rt });
  });

  it('renders every operation with no request leaving this server, and tries one out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(http.base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    const doc = (await (await fetch(`${http.base}/api/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await page.goto(`${http.base}/api/docs`);
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 30_000 }).toBe(operations);
    await page.locator('.opblock-summary', { hasText: '/v1/tickets' }).first().click();
    await page.getByRole('button', { name: 'Try it out' }).first().click();
    await page.getByRole('button', { name: 'Execute' }).first().click();
    // Called through the document's server entry: the API answers (401 without a token), not a 404 for /v1/tickets.
    await expect.poll(() => page.locator('.live-responses-table .response .response-col_status').first().textContent(), { timeout: 15_000 }).toContain('401');
    expect(await page.locator('.request-url pre, .request-url').first().textContent()).toContain('/api/v1/tickets');
    expect(outside).toEqual([]);
    await page.screenshot({ path: await artifactPath('api-docs.png') });
  }, 120_000);
});
