import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

describeOnDatabases('web console', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const login = (staffId: string, password = PASSWORD, next = '/console', address?: string) =>
    rt.app.request('/console/login', { method: 'POST', headers: { ...FORM, ...(address ? { 'x-forwarded-for': address } : {}) }, body: form({ staffId, password, next }) });
  const session = async (staffId: string) => (await login(staffId)).headers.get('set-cookie')!.split(';')[0]!;
  const page = (path: string, cookie: string) => rt.app.request(path, { headers: { cookie } });
  const act = (number: string, cookie: string, fields: Record<string, string>) =>
    rt.app.request(`/console/tickets/${number}/actions`, { method: 'POST', headers: { ...FORM, cookie }, body: form(fields) });
  /** Follows the redirect after an action and returns the message shown on the ticket page. */
  const flashAfter = async (res: Response, cookie: string) => {
    const flash = res.headers.get('set-cookie')!.split(';')[0]!;
    const html = await (await page(res.headers.get('location')!, `${cookie}; ${flash}`)).text();
    return /<div class="flash (ok|err)" role="status">([^<]*)<\/div>/.exec(html)?.slice(1) ?? null;
  };
  let power: string;
  let lamp: string;

  it('starts with accounts for a dispatcher, a power-company clerk and a supervisor, and two reports', async () => {
    rt = await createTestRuntime(db(), { now: clock.now, env: { GONGZHI_TRUST_PROXY: '1' } });
    for (const id of ['wangmin', 'lidian', 'jiangjian']) await setConsolePassword(rt.services.db, id, PASSWORD, clock.now());
    power = (await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通')) as { ticketNumber: string }).ticketNumber;
    lamp = (await rt.services.pipeline.receive(localMessage('lvyuan-chen', '园区路灯坏了半年了没人修')) as { ticketNumber: string }).ticketNumber;
    expect(power).toMatch(/^GZ-/);
    expect(lamp).toMatch(/^GZ-/);
  });

  it('sends visitors to the sign-in page and back to where they were going', async () => {
    const res = await rt.app.request('/console/tickets?overdue=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Ftickets%3Foverdue%3D1');
    const ok = await login('wangmin', PASSWORD, '/console/tickets?overdue=1');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/console/tickets?overdue=1');
    expect(ok.headers.get('set-cookie')).toMatch(/gz_console=.*HttpOnly; SameSite=Lax/);
    // Never an open redirect.
    expect((await login('wangmin', PASSWORD, 'https://evil.example/')).headers.get('location')).toBe('/console');
  });

  it('refuses a wrong password, then locks the account for a while after five failures', async () => {
    const wrong = await login('lidian', 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('账号或密码不正确');
    for (let i = 0; i < 4; i++) expect((await login('lidian', 'still wrong')).status).toBe(401);
    const locked = await login('lidian');
    expect(locked.status).toBe(429);
    expect(await locked.text()).toMatch(/尝试次数过多，请 \d+ 分钟后再试/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(31 * 60_000);
    expect((await login('lidian')).status).toBe(303);
    // An unknown account gets the same answer as a wrong password.
    expect(await (await login('nobody')).text()).toContain('账号或密码不正确');
  });

  it('holds the limit when wrong passwords arrive all at once', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => login('lidian', `burst-${i}`, '/console', '192.0.2.200')));
    const counts = statuses.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    // Five guesses per account and address: a burst gets no more than a patient attacker. (Two
    // counters race, per address and per account, so a guess may lose on either: at most five.)
    expect(counts[401]).toBeGreaterThanOrEqual(1);
    expect(counts[401]).toBeLessThanOrEqual(5);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(20);
    // Refused attempts are not failures: the limit ends on time.
    clock.advance(31 * 60_000);
    expect((await login('lidian', PASSWORD, '/console', '192.0.2.200')).status).toBe(303);
  });

  it('does not let wrong passwords from other addresses lock the real user out', async () => {
    for (let i = 1; i <= 6; i++) expect((await login('jiangjian', 'guess', '/console', `198.51.100.${i}`)).status).toBe(401);
    const real = await login('jiangjian', PASSWORD, '/console', '203.0.113.50');
    expect(real.status).toBe(303);
    expect(real.headers.get('set-cookie')).toMatch(/gz_console=/);
  });

  it('limits one address however many accounts it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await login(`nobody-${i}`, 'guess', '/console', '192.0.2.77')).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Another address is not affected.
    expect((await login('wangmin', PASSWORD, '/console', '192.0.2.78')).status).toBe(303);
  });

  it('backs off guesses at one account from many addresses, but lets the real user in from a browser it used before', async () => {
    clock.advance(31 * 60_000); // past the earlier tests' guesses
    const signedIn = await login('jiangjian', PASSWORD, '/console', '203.0.113.50');
    const device = signedIn.headers.getSetCookie().find((c) => c.startsWith('gz_device='))!.split(';')[0]!;
    const statuses: number[] = [];
    for (let i = 1; i <= 14; i++) statuses.push((await login('jiangjian', `guess-${i}`, '/console', `198.51.100.${100 + i}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // A new browser waits, even with the right password; the user's own browser does not.
    expect((await login('jiangjian', PASSWORD, '/console', '198.51.100.200')).status).toBe(429);
    const real = await rt.app.request('/console/login', { method: 'POST', headers: { ...FORM, cookie: device, 'x-forwarded-for': '203.0.113.51' }, body: form({ staffId: 'jiangjian', password: PASSWORD, next: '/console' }) });
    expect(real.status).toBe(303);
    clock.advance(31 * 60_000);
  });

  it('rejects a forged cookie and ends sessions when the password changes', async () => {
    const cookie = await session('wangmin');
    expect((await page('/console', cookie)).status).toBe(200);
    const forged = cookie.replace(/^gz_console=wangmin/, 'gz_console=zhaolei');
    expect((await page('/console', forged)).status).toBe(303);
    clock.advance(1000);
    await setConsolePassword(rt.services.db, 'wangmin', PASSWORD, clock.now());
    expect((await page('/console', cookie)).status).toBe(303);
    clock.advance(13 * 3600_000);
    const fresh = await session('wangmin');
    clock.advance(12 * 3600_000 + 1);
    expect((await page('/console', fresh)).status).toBe(303);
  });

  it('shows department staff only their own department’s tickets', async () => {
    const cookie = await session('lidian');
    const list = await (await page('/console/tickets', cookie)).text();
    expect(list).toContain(power);
    expect(list).not.toContain(lamp);
    expect((await page(`/console/tickets/${lamp}`, cookie)).status).toBe(404);
    // Acting on another department's ticket answers exactly like a ticket that does not exist.
    const other = await act(lamp, cookie, { action: 'claim' });
    const missing = await act('GZ-20261123-9999', cookie, { action: 'claim' });
    expect([other.status, missing.status]).toEqual([404, 404]);
    expect(await other.text()).toBe(await missing.text());
    expect((await page('/console/ledger?month=2026-11', cookie)).status).toBe(403);
  });

  it('runs a dispatcher’s reassignment through the chat’s rules and posts the notice in the group', async () => {
    const cookie = await session('wangmin');
    const res = await act(power, cookie, { action: 'reassign', department: 'zhujian', reason: '属于园区配套工程' });
    expect(res.status).toBe(303);
    const [kind, text] = (await flashAfter(res, cookie))!;
    expect(kind).toBe('ok');
    expect(text).toContain('县住房和城乡建设局');
    const html = await (await page(`/console/tickets/${power}`, cookie)).text();
    expect(html).toContain('改派');
    expect(html).toContain('属于园区配套工程');
    const posted = await rt.services.db.selectFrom('outbox').select(['payload', 'target']).where('kind', '=', 'notice').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(posted.payload)).toContain('县住房和城乡建设局');
    expect(JSON.stringify(posted.target)).toContain('county');
  });

  it('answers a refused or malformed action on the page and changes nothing', async () => {
    const cookie = await session('wangmin');
    const before = await rt.services.db.selectFrom('tickets').select(['status', 'version']).where('number', '=', lamp).executeTakeFirstOrThrow();
    const [kind, text] = (await flashAfter(await act(lamp, cookie, { action: 'confirm' }), cookie))!;
    expect(kind).toBe('err');
    expect(text?.length).toBeGreaterThan(0);
    const [kind2, text2] = (await flashAfter(await act(lamp, cookie, { action: 'resolve', summary: '' }), cookie))!;
    expect(kind2).toBe('err');
    expect(text2).toContain('表单有误');
    const supervisor = await session('jiangjian');
    const [kind3] = (await flashAfter(await act(lamp, supervisor, { action: 'close', reason: '测试' }), supervisor))!;
    expect(kind3).toBe('err');
    const after = await rt.services.db.selectFrom('tickets').select(['status', 'version']).where('number', '=', lamp).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('refuses form posts from another site', async () => {
    const cookie = await session('wangmin');
    const res = await rt.app.request(`/console/tickets/${lamp}/actions`, {
      method: 'POST',
      headers: { ...FORM, origin: 'https://evil.example', cookie },
      body: form({ action: 'close', reason: '跨站' }),
    });
    expect(res.status).toBe(403);
  });

  it('exports the ledger for the dispatcher', async () => {
    const cookie = await session('wangmin');
    const res = await page('/console/ledger?month=2026-11&format=csv', cookie);
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).toContain(power);
    expect(csv).toContain(lamp);
    await rt.close();
  });
});
