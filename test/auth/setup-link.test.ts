import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { createSetupLinks, SETUP_LINK_MS, SETUP_PATH } from '../../src/auth/setup-link';
import { checkConsolePassword, setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

const BASE = 'http://localhost:8787';

describeOnDatabases('the first start’s one-time set-up link', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  const accounts = async () => (await rt.services.db.selectFrom('console_accounts').select('staff_id').execute()).map((r) => r.staff_id);
  const submit = (links: ReturnType<typeof createSetupLinks>, token: string, password: string, again = password) =>
    links.app.request(SETUP_PATH, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, password, again }).toString() });
  const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
  afterAll(async () => rt?.close());

  it('on an empty database: a link for the configured admin that sets the password once, then is gone', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    expect(await accounts()).toEqual([]);
    const links = createSetupLinks(rt.services);
    const link = (await links.offer(BASE))!;
    expect(link.staffId).toBe('zhaolei');
    expect(link.url.startsWith(`${BASE}${SETUP_PATH}?token=`)).toBe(true);
    expect(link.expiresAt.getTime() - clock.now().getTime()).toBe(SETUP_LINK_MS);
    const token = tokenOf(link.url);

    expect((await links.app.request(`${SETUP_PATH}?token=${token}x`)).status).toBe(404);
    const form = await links.app.request(`${SETUP_PATH}?token=${token}`);
    expect(form.status).toBe(200);
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(await form.text()).toContain('zhaolei');
    // Bad passwords ask again and create nothing.
    expect((await submit(links, token, 'short')).status).toBe(400);
    expect((await submit(links, token, 'long-enough-pass', 'another-pass-123')).status).toBe(400);
    expect(await accounts()).toEqual([]);

    const done = await submit(links, token, 'long-enough-pass');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/console/login');
    expect(await checkConsolePassword(rt.services.db, 'zhaolei', 'long-enough-pass')).toBe(true);
    // Single use, and no log line carries the token.
    expect((await submit(links, token, 'someone-elses-pass')).status).toBe(404);
    expect((await links.app.request(`${SETUP_PATH}?token=${token}`)).status).toBe(404);
    expect(await checkConsolePassword(rt.services.db, 'zhaolei', 'long-enough-pass')).toBe(true);
    expect(JSON.stringify((rt as unknown as { logger: { lines: unknown[] } }).logger.lines)).not.toContain(token);
    // A later start (an account exists) offers nothing.
    expect(await createSetupLinks(rt.services).offer(BASE)).toBeNull();
  });

  it('expires on the injected clock, and dies once an account exists another way', async () => {
    await rt.services.db.deleteFrom('console_accounts').execute();
    const links = createSetupLinks(rt.services);
    const first = tokenOf((await links.offer(BASE))!.url);
    clock.advance(SETUP_LINK_MS);
    expect((await links.app.request(`${SETUP_PATH}?token=${first}`)).status).toBe(404);
    expect((await submit(links, first, 'long-enough-pass')).status).toBe(404);
    expect(await accounts()).toEqual([]);

    const second = tokenOf((await links.offer(BASE))!.url);
    await setConsolePassword(rt.services.db, 'wangmin', 'created-by-the-cli', clock.now());
    expect((await submit(links, second, 'long-enough-pass')).status).toBe(404);
    expect(await accounts()).toEqual(['wangmin']);
  });
});
