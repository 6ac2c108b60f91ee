import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS, parseCommand } from '../../src/domain/commands';
import { renderRuleTable } from '../../src/domain/roles';

const cmd = (s: string) => {
  const r = parseCommand(s);
  return r.kind === 'command' ? r.command : r;
};

describe('command parsing', () => {
  it('accepts Chinese and English names, with or without the slash, full-width too', () => {
    expect(cmd('/认领 7')).toEqual({ name: 'claim', ref: { kind: 'short', seq: 7 } });
    expect(cmd('认领 7')).toEqual({ name: 'claim', ref: { kind: 'short', seq: 7 } });
    expect(cmd('／认领　7')).toEqual({ name: 'claim', ref: { kind: 'short', seq: 7 } });
    expect(cmd('/claim GZ-20261123-0007')).toEqual({ name: 'claim', ref: { kind: 'full', number: 'GZ-20261123-0007' } });
    expect(cmd('/签收 7')).toMatchObject({ name: 'claim' });
  });

  it('parses arguments for every command that takes them', () => {
    expect(cmd('/办结 7 已完成接电，恢复供电')).toEqual({ name: 'resolve', ref: { kind: 'short', seq: 7 }, summary: '已完成接电，恢复供电' });
    expect(cmd('/转派 7 住建局 属于施工许可')).toEqual({ name: 'reassign', ref: { kind: 'short', seq: 7 }, department: '住建局', reason: '属于施工许可' });
    expect(cmd('/退回 7 不属本单位职责')).toMatchObject({ name: 'return', reason: '不属本单位职责' });
    expect(cmd('/协办 7 住建局 自然资源局')).toMatchObject({ name: 'cohandle', departments: ['住建局', '自然资源局'] });
    expect(cmd('/延期 7 5天 需要现场勘察')).toMatchObject({ name: 'extend', days: 5, reason: '需要现场勘察' });
    expect(cmd('/合并 3 5')).toMatchObject({ name: 'merge', ref: { kind: 'short', seq: 3 }, into: { kind: 'short', seq: 5 } });
    expect(cmd('/评价 7 2 还是没通电')).toMatchObject({ name: 'rate', ref: { kind: 'short', seq: 7 }, rating: 2, comment: '还是没通电' });
    expect(cmd('/rate 7 5')).toMatchObject({ name: 'rate', rating: 5 });
    expect(cmd('/确认办结 7')).toMatchObject({ name: 'confirm' });
    expect(cmd('/批准暂停 7')).toEqual({ name: 'approve_pause', ref: { kind: 'short', seq: 7 } });
    expect(cmd('/approve-pause 7')).toMatchObject({ name: 'approve_pause' });
    expect(cmd('/approve 7')).toMatchObject({ name: 'approve_extension' });
  });

  it('lets the ticket come from a quoted message when no number is given', () => {
    expect(cmd('/认领')).toEqual({ name: 'claim', ref: null });
    expect(cmd('/评价 5 很满意')).toEqual({ name: 'rate', ref: null, rating: 5, comment: '很满意' });
  });

  it('leaves sentences that merely start like a command to the classifier', () => {
    expect(parseCommand('我的厂房停电了').kind).toBe('not_command');
    expect(parseCommand('办结了吗？').kind).toBe('not_command');
    expect(parseCommand('帮助企业解决用工难').kind).toBe('not_command');
  });

  it('answers slash mistakes with usage and suggestions', () => {
    expect(parseCommand('/办结 7')).toMatchObject({ kind: 'usage_error', message: expect.stringContaining('/办结 工单号 办理结果') });
    expect(parseCommand('/评价 7 9')).toMatchObject({ kind: 'usage_error' });
    expect(parseCommand('/延期 7 100 太忙')).toMatchObject({ kind: 'usage_error' });
    expect(parseCommand('/claimed 7')).toMatchObject({ kind: 'unknown_command', word: 'claimed', suggestion: { name: 'claim' } });
    expect(parseCommand('/随便')).toMatchObject({ kind: 'unknown_command', word: '随便' });
  });
});

describe('the rule table in the README', () => {
  it('matches the table the code enforces, in both languages', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderRuleTable('zh', COMMAND_SPECS));
    expect(readme).toContain(renderRuleTable('en', COMMAND_SPECS));
  });
});
