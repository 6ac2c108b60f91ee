import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { createApiToken, revokeApiToken, revokeStaffTokens } from '../../src/repo/api-tokens';
import { disableConsoleAccount, setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

const DAY = 86_400_000;

describeOnDatabases('API tokens', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const get = (token: string) => rt.app.request('/api/v1/tickets', { headers: { authorization: `Bearer ${token}` } });

  it('starts', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
  });

  it('expire after 90 days unless created for another term', async () => {
    const token = await createApiToken(rt.services.db, 'wangmin', 'expiry', clock.now());
    const yearly = await createApiToken(rt.services.db, 'wangmin', 'yearly', clock.now(), { days: 365 });
    expect((await get(token)).status).toBe(200);
    clock.advance(89 * DAY);
    expect((await get(token)).status).toBe(200);
    clock.advance(2 * DAY);
    expect((await get(token)).status).toBe(401);
    expect((await get(yearly)).status).toBe(200);
  });

  it('stop working once revoked, one by one or all of a staff member’s', async () => {
    const a = await createApiToken(rt.services.db, 'lidian', 'a', clock.now());
    const b = await createApiToken(rt.services.db, 'lidian', 'b', clock.now());
    const c = await createApiToken(rt.services.db, 'lidian', 'c', clock.now());
    expect(await revokeApiToken(rt.services.db, a, clock.now())).toBe(true);
    expect(await revokeApiToken(rt.services.db, a, clock.now())).toBe(false);
    expect((await get(a)).status).toBe(401);
    expect((await get(b)).status).toBe(200);
    expect(await revokeStaffTokens(rt.services.db, 'lidian', clock.now())).toBe(2);
    expect((await get(b)).status).toBe(401);
    expect((await get(c)).status).toBe(401);
  });

  it('are refused once the staff member’s account is disabled', async () => {
    await setConsolePassword(rt.services.db, 'jiangjian', 'correct horse battery', clock.now());
    const token = await createApiToken(rt.services.db, 'jiangjian', 'supervisor', clock.now());
    expect((await get(token)).status).toBe(200);
    clock.advance(60_000);
    await disableConsoleAccount(rt.services.db, 'jiangjian', clock.now());
    expect((await get(token)).status).toBe(401);
    // A password reset re-enables the account, but not the tokens it had (found by review).
    await setConsolePassword(rt.services.db, 'jiangjian', 'a new horse battery', clock.now());
    expect((await get(token)).status).toBe(401);
    await rt.close();
  });
});
