import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers/runtime';

const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-cli-'));
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, GONGZHI_CONFIG: '', NODE_ENV: 'development' },
  });

describe('CLI', () => {
  it('classify reads JSON lines and writes the contract fields in order', () => {
    const input = [
      JSON.stringify({ id: 'a', text: '我们厂新建的厂房申请用电报装一个月了还没接通' }),
      JSON.stringify({ id: 'b', text: '收到，谢谢' }),
      'not json',
      JSON.stringify({ id: 'c', text: '有单位以“年度评比”名义向企业收取赞助费' }),
    ].join('\n');
    const r = cli(['classify'], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[0])).toEqual(['id', 'isIssue', 'type', 'category', 'urgency', 'confidence']);
    expect(lines[0]).toMatchObject({ id: 'a', isIssue: true, category: 'utilities' });
    expect(lines[1]).toEqual({ id: 'b', isIssue: false, type: null, category: null, urgency: null, confidence: expect.any(Number) });
    expect(lines[2]).toMatchObject({ id: 'c', isIssue: true, type: 'report', category: 'fees' });
    expect(r.stderr).toContain('line 3: not JSON');
  });

  it('config check accepts the example and names bad fields', () => {
    expect(cli(['config', 'check', EXAMPLE]).stdout).toContain('配置有效');
    const bad = cli(['config', 'check', '/nonexistent.yaml']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('无法读取配置文件');
  });

  it('migrates an embedded database, sweeps, reports and exports the ledger', () => {
    expect(cli(['migrate']).stdout).toMatch(/已迁移 \(pglite\): 2026-11-23-01-initial, 2026-11-23-02-escalation/);
    expect(cli(['migrate']).stdout).toContain('数据库已是最新');
    expect(cli(['sweep']).stdout).toContain('已签发 0 份文书');
    expect(cli(['report', 'monthly', '--month', '2026-11']).stdout).toContain('【2026-11 月度通报】本期无工单');
    expect(cli(['report', 'daily', '--date', '2026-11-23']).stdout).toContain('【每日调度】青山县营商环境共商共治 2026-11-23');
    const out = join(dataDir, 'ledger.xlsx');
    expect(cli(['ledger', '--month', '2026-11', '--out', out]).stdout).toContain('已导出 0 件工单');
    expect(existsSync(out)).toBe(true);
    expect(cli(['report', 'monthly', '--month', 'November']).stderr).toContain('month must look like 2026-11');
    expect(cli(['token', 'create', 'wangmin', '--name', 'console']).stdout).toMatch(/^gz_[A-Za-z0-9_-]{43}\n$/);
    expect(cli(['token', 'create', 'nobody']).stderr).toContain('配置里没有工作人员 nobody');
  }, 60_000);

  it('prints usage for an unknown command', () => {
    const r = cli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('用法');
  });
});
