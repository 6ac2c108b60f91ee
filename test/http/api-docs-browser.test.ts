import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { TEST_DATABASES } from '../helpers/databases';
import { artifactPath, launchBrowser, RUN_BROWSER_TESTS } from '../helpers/browser';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { serveApp } from '../helpers/serve';

describe.skipIf(!RUN_BROWSER_TESTS)('API reference in Chromium', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), { now: createTestClock().now });
    http = await serveApp(rt.app);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await rt?.close();
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
