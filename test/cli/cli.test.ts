import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers/runtime';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

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

  it('prints usage for an unknown command', () => {
    const r = cli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('用法');
  });
});
