import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import type { DatabaseHandle } from '../../src/db/database';
import { formatChange } from '../../src/directory/diff';
import { openLiveDirectory } from '../../src/directory/live';
import { DIRECTORY_SECTIONS, formatIssue } from '../../src/directory/sections';
import { createMemoryLogger } from '../../src/logger';
import { currentRevisionId, listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

type Dir = Record<string, unknown> & Pick<GongzhiConfig, 'departments' | 'staff' | 'groups' | 'routing' | 'faq'>;
const copy = (d: Record<string, unknown>) => structuredClone(d) as Dir;

describeOnDatabases('directory revisions', (database) => {
  let h: DatabaseHandle;
  let file: GongzhiConfig;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  const logger = createMemoryLogger();
  beforeAll(async () => {
    h = database();
    file = await loadConfigFile(EXAMPLE);
  });

  it('seeds an empty database from the file as revision 1, once, and the tables follow it', async () => {
    const a = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const b = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    expect(a.revision).toBe(1);
    expect(b.revision).toBe(1);
    expect(await currentRevisionId(h.db)).toBe(1);
    const [seed] = await listRevisions(h.db);
    expect(seed).toMatchObject({ id: 1, author: 'config', source: 'seed' });
    expect(seed!.changes.filter((c) => c.section === 'staff' && c.op === 'added')).toHaveLength(file.staff.length);
    expect(a.config.departments.map((d) => d.id)).toEqual(file.departments.map((d) => d.id));
    // Every directory section of the schema is stored; settings stay in the file.
    expect(DIRECTORY_SECTIONS).toEqual(expect.arrayContaining(['departments', 'staff', 'groups', 'routing', 'faq']));
    expect(DIRECTORY_SECTIONS).not.toContain('deployment');
    expect(DIRECTORY_SECTIONS).not.toContain('webhooks');
    const staffRows = await h.db.selectFrom('staff').select('id').where('active', '=', true).execute();
    expect(staffRows).toHaveLength(file.staff.length);
  });

  it('a change is a new revision with who, when and a readable diff; the tables and the other instance follow', async () => {
    clock.advance(60_000);
    const a = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const b = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const next = copy(a.snapshot);
    next.staff.push({ id: 'qianfang', name: '钱芳', department: 'power', role: 'staff', accounts: { local: 'qianfang' }, active: true });
    next.staff = next.staff.map((s) => (s.id === 'zhaolei' ? { ...s, name: '赵磊磊' } : s));
    const r = await a.write({ directory: next, base: a.revision, author: 'zhaolei', source: 'console' });
    expect(r).toMatchObject({ ok: true, revision: 2, written: true });
    if (!r.ok) return;
    expect(r.changes.map(formatChange)).toEqual(['~ 工作人员 zhaolei（赵磊磊）：name 赵磊 → 赵磊磊', '+ 工作人员 qianfang（钱芳）：name=钱芳，department=power，role=staff，accounts.local=qianfang，active=true']);
    // Here at once.
    expect(a.cache.staffByAccount('local', 'qianfang')?.departmentId).toBe('power');
    const [latest] = await listRevisions(h.db, 1);
    expect(latest).toMatchObject({ id: 2, author: 'zhaolei', source: 'console', createdAt: clock.now() });
    expect(await h.db.selectFrom('staff').select(['name', 'department_id']).where('id', '=', 'qianfang').executeTakeFirst()).toEqual({ name: '钱芳', department_id: 'power' });
    // The other instance: not before its next poll, then within it.
    await b.catchUp();
    expect(b.cache.staffByAccount('local', 'qianfang')).toBeNull();
    clock.advance(3_000);
    await b.catchUp();
    expect(b.revision).toBe(2);
    expect(b.cache.staffByAccount('local', 'qianfang')?.name).toBe('钱芳');
  });

  it('validates with the configuration schema, cross-references included, and reports every problem at once', async () => {
    const a = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const bad = copy(a.snapshot);
    bad.staff.push({ id: 'Bad Id', name: '', role: 'staff', accounts: {}, active: true });
    bad.routing = { ...bad.routing, categories: { ...bad.routing.categories, tax: 'nowhere' } };
    bad.departments = bad.departments.filter((d) => d.id !== 'power');
    const r = await a.write({ directory: bad, base: a.revision, author: 'zhaolei', source: 'console' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map(formatIssue);
    expect(lines.some((l) => /^staff\.\d+\.id: /.test(l))).toBe(true);
    expect(lines.some((l) => /^staff\.\d+\.name: /.test(l))).toBe(true);
    expect(lines.some((l) => /^staff\.\d+\.department: 承办人员和派单员须指定部门/.test(l))).toBe(true);
    expect(lines).toContain('routing.categories.tax: 未定义的部门 "nowhere"（unknown department）');
    expect(lines.some((l) => l.includes('未定义的部门 "power"'))).toBe(true);
    expect(await currentRevisionId(h.db)).toBe(2);
  });

  it('two writers from the same revision: the second conflicts and nothing of it is stored', async () => {
    const a = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const b = await openLiveDirectory({ db: h.db, file, now: clock.now, logger });
    const one = copy(a.snapshot);
    one.faq = [...one.faq, { id: 'faq-new', questions: ['营业执照怎么办理'], answer: '到政务服务中心一号窗口办理。' }];
    const two = copy(b.snapshot);
    two.departments = two.departments.map((d) => (d.id === 'power' ? { ...d, name: '供电公司' } : d));
    expect((await a.write({ directory: one, base: 2, author: 'zhaolei', source: 'console' })).ok).toBe(true);
    await expect(b.write({ directory: two, base: 2, author: 'wangmin', source: 'console' })).rejects.toThrow(/已被他人修改/);
    expect(await currentRevisionId(h.db)).toBe(3);
    expect((await h.db.selectFrom('departments').select('name').where('id', '=', 'power').executeTakeFirstOrThrow()).name).toBe('国网青山县供电公司');
  });

  it('a restart keeps the database directory and reports a file that differs instead of applying it', async () => {
    const edited = { ...file, staff: [...file.staff, { id: 'yaml-only', name: '文件里的人', role: 'supervisor' as const, accounts: {}, active: true }] };
    const log = createMemoryLogger();
    const live = await openLiveDirectory({ db: h.db, file: edited, now: clock.now, logger: log });
    expect(live.revision).toBe(3);
    expect(live.cache.staffById('yaml-only')).toBeNull();
    expect(live.cache.staffById('qianfang')?.name).toBe('钱芳');
    expect(log.lines.find((e) => e.event === 'directory.file_differs')).toBeTruthy();
  });
});

describeOnDatabases('directory live reload across instances', (database) => {
  let a: Runtime;
  let b: Runtime;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  beforeAll(async () => {
    a = await createTestRuntime(database(), { now: clock.now });
    b = await createTestRuntime(database(), { now: clock.now });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });
  const deptOf = async (rt: Runtime, text: string) => {
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', `@共治助手 ${text}`));
    if (r.status === 'duplicate' || !r.ticketId) throw new Error(`no ticket: ${r.status}`);
    return (await rt.services.db.selectFrom('tickets').select('department_id').where('id', '=', r.ticketId).executeTakeFirstOrThrow()).department_id;
  };

  it('a routing change made in one instance routes the next message in the other within 5 s, without a restart', async () => {
    const text = '厂区停水三天了，自来水公司一直说在抢修，生产线全停了，麻烦协调';
    expect(await deptOf(b, text)).toBe('water');
    const live = a.services.liveDirectory;
    const next = copy(live.snapshot);
    next.routing = { ...next.routing, rules: next.routing.rules.map((r) => (r.department === 'water' ? { ...r, department: 'zhujian' } : r)) };
    const w = await live.write({ directory: next, base: live.revision, author: 'zhaolei', source: 'console' });
    expect(w.ok).toBe(true);
    // The writer uses it at once.
    expect(await deptOf(a, '园区停水两天了，自来水一直没通，麻烦协调一下')).toBe('zhujian');
    clock.advance(5_000);
    expect(await deptOf(b, '我们公司停水一整天了，供水站电话打不通，麻烦协调')).toBe('zhujian');
  });
});
