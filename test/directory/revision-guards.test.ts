import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { importDirectory, readDirectoryFile } from '../../src/cli/config-commands';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import type { Runtime } from '../../src/bootstrap';
import { formatIssue } from '../../src/directory/sections';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';

const dir = mkdtempSync(join(tmpdir(), 'gongzhi-revision-guards-'));
type Yaml = Record<string, unknown> & { departments: Array<{ id: string }>; staff: Array<{ id: string; department?: string }> };

/** Removing 营商办 (the dispatch office: manual queue, digests, escalations) is refused with every problem it causes. */
describeOnDatabases('a directory revision that removes the business-environment office', (db) => {
  let rt: Runtime;
  let file: GongzhiConfig;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    file = await loadConfigFile(EXAMPLE);
  });
  afterAll(async () => rt?.close());

  const withoutYingshang = () => {
    const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Yaml;
    return { ...yaml, departments: yaml.departments.filter((d) => d.id !== 'yingshang') };
  };
  const expected = ['routing.dispatcher: 未定义的部门 "yingshang"', 'routing.categories.other: 未定义的部门 "yingshang"', 'staff.'];

  it('cli config import (dry run or not) refuses the file, naming each reference left dangling, and writes nothing', async () => {
    const path = join(dir, 'no-yingshang.yaml');
    writeFileSync(path, stringifyYaml(withoutYingshang()));
    const error = await readDirectoryFile(path, file, {}).then(() => null, (e: Error) => e.message);
    expect(error).not.toBeNull();
    for (const p of expected) expect(error).toContain(p);
    // Both of 营商办's people (the dispatcher and the admin) are named, not only the first problem.
    expect((error!.match(/未定义的部门 "yingshang"/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(rt.services.liveDirectory.revision).toBe(1);
  });

  it('the console’s write path (the same validation) refuses it in a dry run and for real, listing every problem', async () => {
    const live = rt.services.liveDirectory;
    for (const dryRun of [true, false]) {
      const r = await live.write({ directory: withoutYingshang(), base: live.revision, author: 'zhaolei', source: 'console', dryRun });
      expect(r.ok).toBe(false);
      const lines = r.ok ? [] : r.issues.map(formatIssue);
      for (const p of expected) expect(lines.some((l) => l.startsWith(p))).toBe(true);
      expect(lines.filter((l) => l.includes('"yingshang"')).length).toBeGreaterThanOrEqual(4);
    }
    expect(live.revision).toBe(1);
    expect(live.config.routing.dispatcher).toBe('yingshang');
  });
});

/**
 * A schema-valid revision that would strand work is refused too, with every reason and nothing
 * written: the last admin, a department with open tickets or open joint cases, a group open tickets post to.
 */
describeOnDatabases('a directory revision that strands open work', (db) => {
  let rt: Runtime;
  let file: GongzhiConfig;
  let ticketNo: string;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    file = await loadConfigFile(EXAMPLE);
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通'));
    ticketNo = (r as { ticketNumber: string }).ticketNumber;
    await rt.services.db
      .insertInto('joint_cases')
      .values({ number: 'XT-20261202-01', title: '园区供水供气管网改造', lead_department_id: 'water', co_department_ids: JSON.stringify(['gas']) as never, due_at: clock.now(), created_by: 'wangmin', created_at: clock.now() })
      .execute();
  });
  afterAll(async () => rt?.close());

  type Full = Record<string, unknown> & { departments: Array<{ id: string }>; groups: Array<{ id: string }>; faq: Array<{ department?: string }>; routing: { categories: Record<string, string>; rules: Array<{ department: string }> }; staff: Array<{ id: string; department?: string; role: string }> };
  /** The example without the given departments and groups, references to them moved to 营商办 so the schema accepts it. */
  const without = (departments: string[], groups: string[], demoteAdmin = false) => {
    const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Full;
    const gone = new Set(departments);
    return {
      ...yaml,
      departments: yaml.departments.filter((d) => !gone.has(d.id)),
      staff: yaml.staff.filter((s) => !s.department || !gone.has(s.department)).map((s) => (demoteAdmin && s.role === 'admin' ? { ...s, role: 'staff' } : s)),
      groups: yaml.groups.filter((g) => !groups.includes(g.id)),
      faq: yaml.faq.map((f) => (f.department && gone.has(f.department) ? { ...f, department: 'yingshang' } : f)),
      routing: {
        ...yaml.routing,
        categories: Object.fromEntries(Object.entries(yaml.routing.categories).map(([k, v]) => [k, gone.has(v) ? 'yingshang' : v])),
        rules: yaml.routing.rules.filter((r) => !gone.has(r.department)),
      },
    };
  };
  const stranding = () => without(['power', 'water', 'gas'], ['county'], true);
  const expectEveryReason = (lines: string[]) => {
    const text = lines.join('\n');
    expect(text).toMatch(/最后一位管理员.*zhaolei（赵磊）/);
    expect(text).toContain(`承办单位 power（国网青山县供电公司）仍有未办结工单 1 件（${ticketNo}）`);
    expect(text).toMatch(/承办单位 water（县自来水公司）是未办结协同办 1 件（XT-20261202-01）的牵头或协办单位/);
    expect(text).toMatch(/承办单位 gas（青山燃气有限公司）是未办结协同办 1 件（XT-20261202-01）/);
    expect(text).toContain(`群 county（青山县营商环境共商共治群）仍有未办结工单 1 件（${ticketNo}）`);
  };

  it('the console’s write path refuses it in a dry run and for real, listing every reason, and writes nothing', async () => {
    const live = rt.services.liveDirectory;
    for (const dryRun of [true, false]) {
      const r = await live.write({ directory: stranding(), base: live.revision, author: 'zhaolei', source: 'console', dryRun });
      expect(r.ok).toBe(false);
      expectEveryReason(r.ok ? [] : r.issues.map(formatIssue));
    }
    expect(live.revision).toBe(1);
    expect(live.config.departments.some((d) => d.id === 'power')).toBe(true);
  });

  it('cli config import refuses it with the same reasons, dry run or --apply', async () => {
    const path = join(dir, 'stranding.yaml');
    writeFileSync(path, stringifyYaml(stranding()));
    const directory = await readDirectoryFile(path, file, {});
    for (const apply of [false, true]) {
      const r = await importDirectory(rt.services, { directory, apply, author: 'cli', note: '' });
      expect(r.code).toBe(1);
      expectEveryReason(r.err);
    }
    expect(rt.services.liveDirectory.revision).toBe(1);
  });

  it('removing what no open work refers to still goes through', async () => {
    const live = rt.services.liveDirectory;
    const r = await live.write({ directory: without(['sifa'], ['park']), base: live.revision, author: 'zhaolei', source: 'console', dryRun: true });
    expect(r.ok).toBe(true);
  });
});
