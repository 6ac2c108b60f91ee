import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { importDirectory, readDirectoryFile } from '../../src/cli/config-commands';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import type { Runtime } from '../../src/bootstrap';
import { listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

const dir = mkdtempSync(join(tmpdir(), 'gongzhi-config-import-'));

describeOnDatabases('cli config import (the directory from a file)', (db) => {
  let rt: Runtime;
  let file: GongzhiConfig;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    file = await loadConfigFile(EXAMPLE);
  });
  afterAll(async () => rt?.close());

  it('a changed configuration file: a dry run lists the difference and writes nothing; --apply writes one revision', async () => {
    const yaml = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { staff: Array<Record<string, unknown>> };
    yaml.staff = [...yaml.staff.filter((s) => s.id !== 'majun'), { id: 'qianfang', name: '钱芳', department: 'power', role: 'staff', accounts: { local: 'qianfang' } }];
    const path = join(dir, 'county.yaml');
    writeFileSync(path, stringifyYaml(yaml));
    const directory = await readDirectoryFile(path, file, {});
    const dry = await importDirectory(rt.services, { directory, apply: false, author: 'cli', note: 'test' });
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('- 工作人员 majun（马骏）');
    expect(dry.out).toContain('+ 工作人员 qianfang（钱芳）：name=钱芳，department=power，role=staff，accounts.local=qianfang，active=true');
    expect(dry.out.at(-1)).toMatch(/^预演（dry run）：\d+ 处变更（工作人员 \+1 -1.*加 --apply 写入版本 2$/);
    expect(rt.services.liveDirectory.revision).toBe(1);

    const applied = await importDirectory(rt.services, { directory, apply: true, author: 'cli', note: 'cli config import county.yaml' });
    expect(applied.out.at(-1)).toMatch(/^已写入目录版本 2/);
    expect(rt.services.directory.staffByAccount('local', 'qianfang')?.departmentId).toBe('power');
    expect(rt.services.directory.staffById('majun')).toBeNull();
    const [rev] = await listRevisions(rt.services.db, 1);
    expect(rev).toMatchObject({ id: 2, author: 'cli', source: 'import', note: 'cli config import county.yaml' });
    // Once more: nothing to do.
    expect((await importDirectory(rt.services, { directory, apply: true, author: 'cli', note: '' })).out).toEqual(['与当前目录（版本 2）相同，无需导入']);
  });

  it('refuses an invalid directory file with every problem listed, and writes nothing', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, stringifyYaml({ departments: [{ id: 'yingshang', name: '营商局' }], staff: [{ id: 'x', name: 'X', role: 'staff' }, { id: 'Y!', name: '', role: 'admin' }], routing: { dispatcher: 'nowhere' } }));
    const error = await readDirectoryFile(path, file, {}).then(() => null, (e: Error) => e.message);
    for (const problem of ['staff.0.department: 承办人员和派单员须指定部门', 'staff.1.id: ', 'staff.1.name: ', 'routing.dispatcher: 未定义的部门 "nowhere"']) expect(error).toContain(problem);
    // The message names the user's own file, not an internal `bad.yaml.json`.
    expect(error).toContain(`配置文件 ${path} 有误`);
    expect(error).not.toContain('.yaml.json');
    expect(rt.services.liveDirectory.revision).toBe(2);
  });
});

/** Runs the CLI as a user would, on its own embedded database. */
const cli = (args: string[], dataDir: string) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, GONGZHI_CONFIG: EXAMPLE, NODE_ENV: 'development' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

it('export, edit, import: the round trip through the CLI', { timeout: 400_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-cli-dir-'));
  await cli(['migrate'], dataDir);
  const out = join(dataDir, 'directory.yaml');
  const exported = await cli(['config', 'export', '--out', out], dataDir);
  expect(exported.status).toBe(0);
  // The directory (webhook keys included) is in the file only: the terminal gets one line saying where.
  expect(exported.stdout.trim().split('\n')).toEqual([`已导出到 ${out}（版本 1；含群机器人密钥，文件仅本用户可读）`]);
  expect(exported.stderr).not.toContain('departments');
  const doc = parseYaml(readFileSync(out, 'utf8')) as { faq: Array<Record<string, unknown>> };
  expect(readFileSync(out, 'utf8')).toMatch(/^# 共治目录（directory）版本 1/);
  doc.faq = doc.faq.filter((f) => f.id !== 'water-connection');
  writeFileSync(out, stringifyYaml(doc));
  const dry = await cli(['config', 'import', out], dataDir);
  expect(dry.status).toBe(0);
  expect(dry.stdout).toContain('- 知识库 water-connection');
  expect(dry.stdout).toContain('预演（dry run）');
  const applied = await cli(['config', 'import', out, '--apply'], dataDir);
  expect(applied.stdout).toContain('已写入目录版本 2');
  expect(applied.stdout).toContain('- 知识库 water-connection');
});
