import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { formatChange } from '../../src/directory/diff';
import { createDingtalkDirectorySource, createWecomDirectorySource } from '../../src/directory/platform-sources';
import { runDirectorySync } from '../../src/directory/sync';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';
import { startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };

describeOnDatabases('directory sync from the WeCom contacts API', (db) => {
  let rt: Runtime;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  const source = () => createWecomDirectorySource({ apiBase: wecom.base, corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
  beforeAll(async () => {
    wecom = await startFakeWecom({
      corpId: WECOM_APP.corpId,
      secret: WECOM_APP.secret,
      contacts: {
        departments: [
          { id: 1, name: '青山县人民政府', parentid: 0 },
          { id: 2, name: '国网青山县供电公司', parentid: 1 },
          { id: 7, name: '县招商服务中心', parentid: 1 },
        ],
        users: [
          { userid: 'LiDian', name: '李电', department: [2] },
          { userid: 'ZhangWei', name: '张伟', department: [7, 2], main_department: 7 },
          { userid: 'XianZhang', name: '县长', department: [1] },
          { userid: 'LeftAlready', name: '离职者', department: [2], status: 5 },
        ],
      },
    });
    rt = await createTestRuntime(db(), { now: clock.now, rawEnv: wecomRawEnv(wecom.base) });
  });
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
  });

  it('a dry run shows the difference and writes nothing: departments matched by name, people by name within the department', async () => {
    const { plan, result } = await runDirectorySync(rt.services.db, rt.services.liveDirectory, source(), { apply: false, author: 'zhaolei' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.written).toBe(false);
    expect(rt.services.liveDirectory.revision).toBe(1);
    const lines = result.changes.map(formatChange);
    expect(lines).toContain('+ 部门 wecom-7（县招商服务中心）：name=县招商服务中心，aliases=（无）');
    expect(lines).toContain('~ 工作人员 lidian（李电）：accounts.wecom （无） → LiDian');
    expect(lines).toContain('+ 工作人员 wecom-zhangwei（张伟）：name=张伟，department=wecom-7，role=staff，accounts.wecom=ZhangWei，active=true');
    // The organisation's root is not a department; a person only there is reported, a person who left is not imported.
    expect(lines.join('\n')).not.toContain('青山县人民政府');
    expect(lines.join('\n')).not.toContain('LeftAlready');
    expect(plan.notes).toContain('按姓名和部门匹配：李电（LiDian）→ 工作人员 lidian，请核对');
    expect(plan.notes.some((n) => n.includes('县长') && n.includes('不属于任何部门'))).toBe(true);
    expect(wecom.requests.filter((r) => r.path === '/cgi-bin/user/list').map((r) => r.query.department_id)).toEqual(['1', '2', '7']);
  });

  it('the console previews the sync and applies it as one revision; the imported people are staff at once', async () => {
    await setConsolePassword(rt.services.db, 'zhaolei', 'correct horse battery', clock.now());
    const login = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: 'zhaolei', password: 'correct horse battery', next: '/console' }).toString() });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const home = await (await rt.app.request('/console/directory', { headers: { cookie } })).text();
    expect(home).toContain('action="/console/directory/sync/wecom"');
    const preview = await rt.app.request('/console/directory/sync/wecom', { method: 'POST', headers: { ...FORM, cookie }, body: '' });
    const html = await preview.text();
    expect(preview.status).toBe(200);
    expect(html).toContain('+ 工作人员 wecom-zhangwei（张伟）');
    expect(html).toContain('按姓名和部门匹配');
    expect(rt.services.liveDirectory.revision).toBe(1);
    const applied = await rt.app.request('/console/directory/sync/wecom', { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ apply: '1', base: '1' }).toString() });
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe('/console/directory/history');
    expect(rt.services.liveDirectory.revision).toBe(2);
    const [rev] = await listRevisions(rt.services.db, 1);
    expect(rev).toMatchObject({ id: 2, author: 'zhaolei', source: 'sync' });
    expect(rev!.note).toContain('企业微信通讯录同步');
    expect(rt.services.directory.staffByAccount('wecom', 'ZhangWei')).toMatchObject({ id: 'wecom-zhangwei', departmentId: 'wecom-7', role: 'staff' });
    expect(rt.services.directory.staffByAccount('wecom', 'LiDian')?.id).toBe('lidian');
  });

  it('never removes a person with open tickets: marks them inactive and says so; others who left are removed', async () => {
    // 李电 has claimed a power ticket.
    const opened = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通，麻烦协调'));
    if (opened.status === 'duplicate' || !opened.ticketNumber) throw new Error('no ticket');
    const seq = (await rt.services.db.selectFrom('tickets').select('seq').where('number', '=', opened.ticketNumber).executeTakeFirstOrThrow()).seq;
    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${seq}`));
    expect((await rt.services.db.selectFrom('tickets').select('assignee_id').where('number', '=', opened.ticketNumber).executeTakeFirstOrThrow()).assignee_id).toBe('lidian');

    wecom.contacts.users = wecom.contacts.users.filter((u) => u.userid !== 'LiDian' && u.userid !== 'ZhangWei');
    const { plan, result } = await runDirectorySync(rt.services.db, rt.services.liveDirectory, source(), { apply: true, author: 'schedule' });
    expect(result).toMatchObject({ ok: true, written: true, revision: 3 });
    expect(plan.notes).toContain('保留并停用 lidian（李电）：已不在企业微信通讯录，但有 1 件未办结工单，请先改派');
    expect(plan.notes).toContain('移除 wecom-zhangwei（张伟）：已不在通讯录，没有未办结工单');
    const staff = rt.services.config.staff;
    expect(staff.find((s) => s.id === 'lidian')).toMatchObject({ active: false });
    expect(staff.find((s) => s.id === 'wecom-zhangwei')).toBeUndefined();
    // Rows are never deleted: old tickets and reports still join on them.
    const rows = await rt.services.db.selectFrom('staff').select(['id', 'active']).where('id', 'in', ['lidian', 'wecom-zhangwei']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'lidian', active: false },
      { id: 'wecom-zhangwei', active: false },
    ]);
    expect(rt.services.directory.departmentAccounts('power', 'local')).not.toContain('lidian');
  });
});

describeOnDatabases('directory sync from the DingTalk department and user APIs', (db) => {
  let rt: Runtime;
  let dingtalk: Awaited<ReturnType<typeof startFakeDingtalk>>;
  const app = { clientId: 'ding-sync-app', clientSecret: 'ding-sync-secret' };
  const clock = createTestClock('2026-12-02T02:00:00Z');
  beforeAll(async () => {
    dingtalk = await startFakeDingtalk({
      ...app,
      contacts: {
        departments: [
          { dept_id: 100, name: '县自来水公司', parent_id: 1 },
          { dept_id: 101, name: '管网维修班', parent_id: 100 },
        ],
        users: [
          { userid: 'dt-gaoshui', name: '高水', dept_id_list: [100] },
          { userid: 'dt-a', name: '甲', dept_id_list: [101] },
          { userid: 'dt-b', name: '乙', dept_id_list: [101] },
          { userid: 'dt-c', name: '丙', dept_id_list: [101] },
        ],
      },
    });
    rt = await createTestRuntime(db(), { now: clock.now });
  });
  afterAll(async () => {
    await rt?.close();
    await dingtalk?.close();
  });

  it('walks the department tree and every page of users, and maps them to staff', async () => {
    const source = createDingtalkDirectorySource({ apiBase: dingtalk.base, oapiBase: dingtalk.base, ...app, pageSize: 2 });
    const { result } = await runDirectorySync(rt.services.db, rt.services.liveDirectory, source, { apply: true, author: 'cli' });
    expect(result).toMatchObject({ ok: true, written: true });
    if (!result.ok) return;
    const lines = result.changes.map(formatChange);
    expect(lines).toContain('~ 工作人员 gaoshui（高水）：accounts.dingtalk （无） → dt-gaoshui');
    expect(lines).toContain('+ 部门 dingtalk-101（管网维修班）：name=管网维修班，aliases=（无）');
    for (const who of ['dt-a', 'dt-b', 'dt-c']) expect(rt.services.directory.staffByAccount('dingtalk', who)?.departmentId).toBe('dingtalk-101');
    // Two pages of two for the team of three.
    const pages = dingtalk.requests.filter((r) => r.path === '/topapi/v2/user/list' && (r.body as { dept_id: number }).dept_id === 101);
    expect(pages.map((r) => (r.body as { cursor: number }).cursor)).toEqual([0, 2]);
    expect(dingtalk.requests.filter((r) => r.path === '/topapi/v2/department/listsub').map((r) => (r.body as { dept_id: number }).dept_id)).toEqual([1, 100, 101]);
  });
});
