import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { readDirectoryFile } from '../../src/cli/config-commands';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import type { Runtime } from '../../src/bootstrap';
import { formatIssue } from '../../src/directory/sections';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

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
