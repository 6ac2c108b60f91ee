import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers/runtime';
import { loadConfigFile } from '../../src/config/load';

const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-cli-'));
/** Runs the CLI as a user would; asynchronous, so the test runner stays responsive meanwhile. */
const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, GONGZHI_CONFIG: '', NODE_ENV: 'development', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });

// Each command is a new process that loads the whole program (about 5 s of CPU); on a loaded
// two-core machine that is up to half a minute, so the long scripts get generous budgets.
describe('CLI', () => {
  it('classify reads JSON lines and writes the contract fields in order', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: '我们厂新建的厂房申请用电报装一个月了还没接通' }),
      JSON.stringify({ id: 'b', text: '收到，谢谢' }),
      'not json',
      JSON.stringify({ id: 'c', text: '有单位以“年度评比”名义向企业收取赞助费' }),
    ].join('\n');
    const r = await cli(['classify'], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[0])).toEqual(['id', 'isIssue', 'type', 'category', 'urgency', 'confidence', 'autoDispatch']);
    // The example deployment's gate decides: a confident issue goes out, a non-issue never does.
    const gate = (await loadConfigFile(EXAMPLE)).classifier.minConfidence;
    expect(lines[0].autoDispatch).toBe(lines[0].confidence >= gate);
    expect(lines[0]).toMatchObject({ id: 'a', isIssue: true, category: 'utilities' });
    expect(lines[1]).toEqual({ id: 'b', isIssue: false, type: null, category: null, urgency: null, confidence: expect.any(Number), autoDispatch: false });
    expect(lines[2]).toMatchObject({ id: 'c', isIssue: true, type: 'report', category: 'fees' });
    expect(r.stderr).toContain('line 3: not JSON');
  });

  it('report daily --group of a city group prints the digest the server posts there, with a line per county', { timeout: 300_000 }, async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'gongzhi-cli-city-')), GONGZHI_CONFIG: new URL('../../config/example-city.yaml', import.meta.url).pathname };
    expect((await cli(['migrate'], '', env)).status).toBe(0);
    const r = await cli(['report', 'daily', '--group', 'city', '--date', '2026-11-23'], '', env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('【每日调度】');
    expect(r.stdout).toContain('各地区（新受理｜超期｜挂牌督办）：\n青山县：0｜0｜0\n河西县：0｜0｜0\n北山经济技术开发区：0｜0｜0');
  });

  it('config check accepts the example and names bad fields', async () => {
    expect((await cli(['config', 'check', EXAMPLE])).stdout).toContain('配置有效');
    const bad = await cli(['config', 'check', '/nonexistent.yaml']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('无法读取配置文件');
  });

  it('migrates an embedded database, sweeps, reports, exports the ledger, opens accounts and draws posters', async () => {
    expect((await cli(['migrate'])).stdout).toMatch(/已迁移 \(pglite\): 2026-11-23-01-initial, 2026-11-23-02-escalation/);
    expect((await cli(['migrate'])).stdout).toContain('数据库已是最新');
    expect((await cli(['sweep'])).stdout).toContain('已签发 0 份文书');
    expect((await cli(['report', 'monthly', '--month', '2026-11'])).stdout).toContain('【2026-11 月度通报】本期无工单');
    expect((await cli(['report', 'daily', '--date', '2026-11-23'])).stdout).toContain('【每日调度】青山县营商环境共商共治 2026-11-23');
    const out = join(dataDir, 'ledger.xlsx');
    expect((await cli(['ledger', '--month', '2026-11', '--out', out])).stdout).toContain('已导出 0 件工单');
    expect(existsSync(out)).toBe(true);
    expect((await cli(['report', 'monthly', '--month', 'November'])).stderr).toContain('month must look like 2026-11');
    expect((await cli(['token', 'create', 'wangmin', '--name', 'console'])).stdout).toMatch(/^gz_[A-Za-z0-9_-]{43}\n$/);
    expect((await cli(['token', 'create', 'nobody'])).stderr).toContain('配置里没有工作人员 nobody');
    const token = (await cli(['token', 'create', 'lidian', '--days', '30'])).stdout.trim();
    expect((await cli(['token', 'revoke', token])).stdout).toContain('已吊销该令牌');
    expect((await cli(['token', 'revoke', token])).status).toBe(1);
    expect((await cli(['token', 'revoke', '--staff', 'wangmin'])).stdout).toContain('已吊销 wangmin 的 1 个令牌');
    expect((await cli(['account', 'create', 'wangmin'])).stdout).toMatch(/^wangmin 的控制台初始密码（只显示一次）：[A-Za-z0-9]{14}\n$/);
    expect((await cli(['account', 'create', 'zhaolei', '--password-stdin'], 'short\n')).stderr).toContain('密码至少 10 位');
    expect((await cli(['account', 'create', 'zhaolei', '--password-stdin'], 'a long enough passphrase\n')).stdout).toContain('已设置 zhaolei 的控制台密码');
    expect((await cli(['account', 'disable', 'zhaolei'])).stdout).toContain('已停用 zhaolei 的控制台账号');
    const poster = join(dataDir, 'park.png');
    expect((await cli(['poster', 'park', '--out', poster, '--base', 'https://gongzhi.example.gov.cn'])).stdout).toContain('二维码指向 https://gongzhi.example.gov.cn/r/park');
    expect(existsSync(poster)).toBe(true);
    expect((await cli(['poster', 'park', '--out', poster])).stderr).toContain('请用 --base 指定对外地址');
  }, 600_000);

  it('audit verify passes an intact history, continues from a checkpoint, and fails when the log was touched', async () => {
    await cli(['migrate']);
    const intact = await cli(['audit', 'verify']);
    expect(intact).toMatchObject({ status: 0 });
    const head = /链头 (gz1:\S+?)(，|$)/m.exec(intact.stdout)?.[1];
    expect(head).toMatch(/^gz1:\d+:\d+:[0-9a-f]{64}$/);
    expect((await cli(['audit', 'verify', '--from', head!])).stdout).toContain(`经过检查点 ${head}`);
    expect((await cli(['audit', 'verify', '--from', 'yesterday'])).status).toBe(2);
    expect((await cli(['audit', 'verify', '--from', `gz1:0:0:${'1'.repeat(64)}`])).status).toBe(1);
    // Behind the app's back: the chain head rewritten directly in the database.
    const { openDatabase } = await import('../../src/db/open');
    const h = await openDatabase({ dataDir: join(dataDir, 'pglite') });
    await h.db.updateTable('audit_chain_head').set({ seq: 1, hash: 'e'.repeat(64) }).execute();
    await h.close();
    const broken = await cli(['audit', 'verify']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('审计链断裂');
  }, 300_000);

  it('prints usage for an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('用法');
  });
});
