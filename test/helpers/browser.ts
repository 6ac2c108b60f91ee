import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

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
