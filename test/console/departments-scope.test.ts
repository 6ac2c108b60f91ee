import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';
const HEXI_NAMES = ['河西县住房和城乡建设局', '河西县市场监督管理局', '河西县营商环境共商共治群', '开发区建设管理局'];

// A county's console names only its own departments and groups, in filters and pickers alike.
describeOnDatabases('console pickers within a county', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  const cookies: Record<string, string> = {};
  let qsNumber = '';
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
    for (const who of ['wang-qs', 'sun-city']) {
      await setConsolePassword(rt.services.db, who, PASSWORD, clock.now());
      const res = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: PASSWORD, next: '/console' }).toString() });
      cookies[who] = res.headers.get('set-cookie')!.split(';')[0]!;
    }
    expect((await rt.services.pipeline.receive(localMessage('hx-ent', '@共治助手 河西工业园的厂房施工许可办了两个月还没批下来', { chatId: 'hexi', chatTitle: 'hexi' }))).status).toBe('ticket');
    expect((await rt.services.pipeline.receive(localMessage('qs-ent', '@共治助手 青山县新厂房的施工许可办了两个月还没批下来', { chatId: 'qingshan', chatTitle: 'qingshan' }))).status).toBe('ticket');
    const qs = await rt.services.db.selectFrom('tickets').select(['number', 'department_id']).where('content', 'like', '%青山县新厂房%').executeTakeFirstOrThrow();
    qsNumber = qs.number;
  });
  afterAll(async () => rt?.close());

  const get = (who: string, path: string) => rt.app.request(path, { headers: { cookie: cookies[who]! } });

  it('the tickets list offers a county user its own departments and groups only', async () => {
    const page = await (await get('wang-qs', '/console/tickets')).text();
    expect(page).toContain('青山县住房和城乡建设局');
    expect(page).toContain('青山县营商环境共商共治群');
    for (const name of HEXI_NAMES) expect(page, name).not.toContain(name);
    // The city still picks from every county.
    const city = await (await get('sun-city', '/console/tickets')).text();
    expect(city).toContain('河西县住房和城乡建设局');
  });

  it('refuses a forged filter for another county’s department or group instead of answering it', async () => {
    for (const q of ['department=hx-zhujian', 'group=hexi']) {
      const res = await get('wang-qs', `/console/tickets?${q}`);
      expect(res.status, q).toBe(403);
      const body = await res.text();
      expect(body).not.toContain('河西工业园');
      expect(body).not.toMatch(/HX-/);
    }
    expect((await get('wang-qs', '/console/tickets?department=qs-zhujian')).status).toBe(200);
  });

  it('the ticket page’s dispatch and reassign pickers stay within the county, and a forged pick is refused', async () => {
    const page = await (await get('wang-qs', `/console/tickets/${qsNumber}`)).text();
    expect(page).toContain('value="qs-zwfw"');
    expect(page).not.toMatch(/value="(hx|kf|city)-/);
    const res = await rt.app.request(`/console/tickets/${qsNumber}/actions`, { method: 'POST', headers: { ...FORM, cookie: cookies['wang-qs']! }, body: new URLSearchParams({ action: 'reassign', department: 'hx-zhujian', reason: '试试' }).toString() });
    expect(res.status).toBe(403);
    const after = await rt.services.db.selectFrom('tickets').select('department_id').where('number', '=', qsNumber).executeTakeFirstOrThrow();
    expect(after.department_id).not.toBe('hx-zhujian');
  });
});
