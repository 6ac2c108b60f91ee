import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import type { Runtime } from '../../src/bootstrap';
import { TEST_DATABASES } from './databases';
import { createTestRuntime } from './runtime';
import { serveApp } from './serve';

/** Debian's Chromium (`apt-get install chromium`); .ci/run installs it and requires it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BROWSER_AVAILABLE = existsSync(CHROMIUM);
const required = process.env.GONGZHI_REQUIRE_BROWSER === '1';

if (!BROWSER_AVAILABLE && !required) {
  console.warn(`\n[gongzhi] browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk)\n`);
}

/** True when the suite should run: a missing browser fails CI instead of hiding. */
export const RUN_BROWSER_TESTS = BROWSER_AVAILABLE || required;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Screenshots are kept as CI artifacts under test-artifacts/. */
export async function artifactPath(name: string): Promise<string> {
  const dir = new URL('../../test-artifacts/', import.meta.url).pathname;
  await mkdir(dir, { recursive: true });
  return `${dir}${name}`;
}

export interface BrowserApp {
  rt: Runtime;
  http: Awaited<ReturnType<typeof serveApp>>;
  browser: Browser;
}

/** A test runtime on the first test database, served on loopback, and a Chromium to drive it. */
export async function openBrowserApp(opts: Parameters<typeof createTestRuntime>[1] = {}): Promise<BrowserApp> {
  const rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), opts);
  const http = await serveApp(rt.app);
  const browser = await launchBrowser();
  return { rt, http, browser };
}

export async function closeBrowserApp(f: Partial<BrowserApp>): Promise<void> {
  await f.browser?.close();
  await f.http?.close();
  await f.rt?.close();
}
