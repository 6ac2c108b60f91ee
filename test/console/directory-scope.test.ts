import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { currentRevisionId } from '../../src/repo/directory-store';
import { CITY } from '../helpers/city';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

// Outside review: a county's admin (scope 青山县 and below) could export every county's staff and
// chat accounts, point 河西县's dispatcher account at its own, and move itself to the city's
// 营商局 — a city-wide admin. The directory is one document for the deployment: the top level's.
describeOnDatabases('who may manage the directory in a city with counties', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    const cfg = await loadConfigFile(CITY);
    cfg.staff.push({ id: 'admin-qs', name: '青管', department: 'qs-yingshang', role: 'admin', accounts: { local: 'admin-qs' } } as (typeof cfg.staff)[number]);
    rt = await createTestRuntime(database(), { now: clock.now, config: cfg });
    const cityAdmin = cfg.staff.find((s) => s.role === 'admin' && rt.services.directory.scopeOf(rt.services.directory.staffById(s.id)!).kind === 'all')!;
    for (const who of ['admin-qs', cityAdmin.id]) {
      await setConsolePassword(rt.services.db, who, 'a-long-password-123', clock.now());
      const res = await rt.app.request('http://localhost/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: 'a-long-password-123', next: '/console' }).toString() });
      cookies[who === 'admin-qs' ? 'county' : 'city'] = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    }
  });
  afterAll(async () => rt?.close());
  const get = (path: string, who: 'county' | 'city') => rt.app.request(`http://localhost${path}`, { headers: { cookie: cookies[who]! } });
  const post = (path: string, body: Record<string, string>, who: 'county' | 'city') =>
    rt.app.request(`http://localhost${path}`, { method: 'POST', headers: { ...FORM, cookie: cookies[who]! }, body: new URLSearchParams(body).toString() });

  it('refuses a county’s admin every page and write of the directory, and changes nothing', async () => {
    const revisions = () => currentRevisionId(rt.services.db);
    const before = await revisions();
    expect(rt.services.directory.scopeOf(rt.services.directory.staffById('admin-qs')!).kind).toBe('regions');
    for (const path of ['/console/directory', '/console/directory/export.yaml', '/console/directory/history', '/console/directory/staff', '/console/directory/staff/zhao-hx']) {
      const res = await get(path, 'county');
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('市级管理员');
    }
    expect((await post('/console/directory/staff/admin-qs', { department: 'city-yingshang' }, 'county')).status).toBe(403);
    expect((await post('/console/directory/staff/zhao-hx/delete', {}, 'county')).status).toBe(403);
    expect(await revisions()).toBe(before);
    expect(rt.services.directory.scopeOf(rt.services.directory.staffById('admin-qs')!).kind).toBe('regions');
  });

  it('lets the city’s admin manage it', async () => {
    expect((await get('/console/directory', 'city')).status).toBe(200);
    const exported = await (await get('/console/directory/export.yaml', 'city')).text();
    expect(exported).toContain('hx-yingshang');
  });
});
