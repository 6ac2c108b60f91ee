import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

describeOnDatabases('console directory management', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  const session = async (staffId: string) => {
    const res = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId, password: PASSWORD, next: '/console' }).toString() });
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  const get = (path: string, cookie: string) => rt.app.request(path, { headers: { cookie } });
  const post = (path: string, cookie: string, fields: Record<string, string>) => rt.app.request(path, { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams(fields).toString() });
  const send = (userId: string, text: string) => rt.services.pipeline.receive(localMessage(userId, text));
  let admin: string;
  afterAll(async () => rt?.close());

  it('is for admins only: the nav shows it to them, others are refused', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    for (const id of ['zhaolei', 'wangmin']) await setConsolePassword(rt.services.db, id, PASSWORD, clock.now());
    admin = await session('zhaolei');
    const dispatcher = await session('wangmin');
    expect(await (await get('/console', admin)).text()).toContain('href="/console/directory"');
    expect(await (await get('/console', dispatcher)).text()).not.toContain('href="/console/directory"');
    expect((await get('/console/directory/staff', dispatcher)).status).toBe(403);
    expect((await post('/console/directory/staff/new', dispatcher, { id: 'x', name: 'x', role: 'admin' })).status).toBe(403);
    const home = await (await get('/console/directory', admin)).text();
    for (const label of ['部门', '工作人员', '群', '分派规则', '知识库']) expect(home).toContain(label);
  });

  it('an admin adds a staff member and their /认领 works at once, without a restart', async () => {
    const opened = await send('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通，麻烦协调');
    if (opened.status === 'duplicate' || !opened.ticketId) throw new Error('no ticket');
    const ticket = await rt.services.db.selectFrom('tickets').select(['seq', 'department_id', 'status']).where('id', '=', opened.ticketId).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ department_id: 'power', status: 'dispatched' });
    // Not staff yet: the command is refused.
    await send('qianfang', `/认领 ${ticket.seq}`);
    expect((await rt.services.db.selectFrom('tickets').select('status').where('id', '=', opened.ticketId).executeTakeFirstOrThrow()).status).toBe('dispatched');

    const form = await (await get('/console/directory/staff/new', admin)).text();
    for (const field of ['name="id"', 'name="name"', 'name="department"', 'name="role"', 'name="accounts.local"', 'name="accounts.wecom"', 'name="active"']) expect(form).toContain(field);
    const res = await post('/console/directory/staff/new', admin, { __base: String(rt.services.liveDirectory.revision), id: 'qianfang', name: '钱芳', department: 'power', role: 'staff', 'accounts.local': 'qianfang', active: 'on', __note: '供电公司新来的客户经理' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/directory/staff');
    const list = await (await get('/console/directory/staff', `${admin}; ${res.headers.get('set-cookie')!.split(';')[0]}`)).text();
    expect(list).toContain('钱芳');
    expect(list).toContain('已保存：目录版本 2');

    await send('qianfang', `/认领 ${ticket.seq}`);
    const after = await rt.services.db.selectFrom('tickets').select(['status', 'assignee_id']).where('id', '=', opened.ticketId).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'claimed', assignee_id: 'qianfang' });
  });

  it('shows every problem of a form at once, beside its field, and saves nothing', async () => {
    const before = rt.services.liveDirectory.revision;
    const res = await post('/console/directory/staff/new', admin, { __base: String(before), id: 'Bad Id', name: '', department: 'nowhere', role: 'staff', 'accounts.local': 'wangmin' });
    expect(res.status).toBe(400);
    const html = await res.text();
    const summary = /<div class="flash err" role="alert" data-testid="form-errors">([^<]*)<\/div>/.exec(html)?.[1] ?? '';
    expect(summary).toMatch(/共 [4-9] 处问题/);
    expect(summary).toContain('标识（id）');
    expect(summary).toContain('名称');
    expect(summary).toContain('未定义的部门 &quot;nowhere&quot;');
    expect(summary).toContain('账号 local:wangmin 重复');
    // The form keeps what was typed.
    expect(html).toContain('value="Bad Id"');
    expect(rt.services.liveDirectory.revision).toBe(before);
  });

  it('edits a routing rule, refuses to delete a department still in use, and keeps a readable history', async () => {
    const rules = await (await get('/console/directory/routing.rules', admin)).text();
    expect(rules).toContain('燃气');
    const edit = await post('/console/directory/routing.rules/1', admin, { __base: String(rt.services.liveDirectory.revision), category: 'utilities', keywords: '燃气\n天然气\n供气\n停气\n液化气', department: 'gas' });
    expect(edit.status).toBe(303);
    expect(rt.services.config.routing.rules[0]!.keywords).toContain('液化气');

    const del = await post('/console/directory/departments/gas/delete', admin, {});
    expect(del.status).toBe(303);
    const flash = decodeURIComponent(del.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!);
    expect(flash).toContain('未定义的部门 \\"gas\\"');
    expect(rt.services.config.departments.some((d) => d.id === 'gas')).toBe(true);

    const off = await post('/console/directory/staff/qianfang/toggle', admin, {});
    expect(off.status).toBe(303);
    expect(rt.services.directory.staffById('qianfang')).toBeNull();
    expect(rt.services.directory.staffName('qianfang')).toBe('钱芳');

    const history = await (await get('/console/directory/history', admin)).text();
    expect(history).toContain('赵磊');
    expect(history).toContain('+ 工作人员 qianfang（钱芳）');
    expect(history).toContain('~ 分派规则 rules#1');
    expect(history).toContain('供电公司新来的客户经理');
    expect(history).toContain('配置文件（首次启动）');
    const revs = await listRevisions(rt.services.db);
    expect(revs.map((r) => [r.id, r.author, r.source])).toEqual([
      [4, 'zhaolei', 'console'],
      [3, 'zhaolei', 'console'],
      [2, 'zhaolei', 'console'],
      [1, 'config', 'seed'],
    ]);
  });

  it('exports the directory as YAML the import reads back', async () => {
    const res = await get('/console/directory/export.yaml', admin);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('# 共治目录 版本 4');
    expect(text).toContain('id: qianfang');
  });
});
