import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load';
import { EnvError, parseEnv, requireGroup } from '../../src/config/env';
import { z } from 'zod';
import { EXAMPLE } from '../helpers/runtime';

const minimal = (extra = '') => `
deployment: { name: 测试县 }
departments:
  - { id: yingshang, name: 营商局 }
  - { id: power, name: 供电公司 }
routing:
  dispatcher: yingshang
  categories: { utilities: power }
${extra}`;

describe('configuration', () => {
  it('ships a valid example county set-up', async () => {
    const cfg = await loadConfigFile(EXAMPLE);
    expect(cfg.departments.map((d) => d.name)).toEqual(expect.arrayContaining(['县营商环境建设局', '县政务服务管理局', '县住房和城乡建设局', '国网青山县供电公司']));
    expect(cfg.sla.overrides[0]).toMatchObject({ category: 'utilities', sign: { minutes: 30 } });
  });

  it('fills defaults: ticket prefix, bot name, SLA of 1 and 5 working days', () => {
    const cfg = parseConfig(minimal(), 'x.yaml', {});
    expect(cfg.deployment).toMatchObject({ ticketPrefix: 'GZ', botName: '共治助手' });
    expect(cfg.sla.normal).toEqual({ sign: { workdays: 1 }, resolve: { workdays: 5 } });
  });

  it('names the bad field in every error', () => {
    const problems = (yaml: string) => {
      try {
        parseConfig(yaml, 'bad.yaml', {});
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems.join('\n');
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems(minimal(`staff:\n  - { id: a, name: 甲, department: nowhere, role: staff }`))).toMatch(/staff\.0\.department: 未定义的部门 "nowhere"/);
    expect(problems(minimal(`sla:\n  normal: { sign: 1day, resolve: 5wd }`))).toMatch(/sla\.normal\.sign: 时限 "1day" 无效/);
    expect(problems(minimal(`staff:\n  - { id: B, name: 乙, role: admin }`))).toMatch(/staff\.0\.id: 只能用小写字母/);
    expect(() => parseConfig('deployment: [', 'broken.yaml', {})).toThrow(/不是合法的 YAML/);
  });

  it('reads secrets from the environment and says which variable is missing', () => {
    const withGroup = minimal(`groups:\n  - { id: g, name: 群, platform: wecom, chatId: wr1, outbound: { kind: wecom-webhook, key: "\${GONGZHI_GROUP_KEY_G}" } }`);
    expect(() => parseConfig(withGroup, 'x.yaml', {})).toThrow(/groups\[0\]\.outbound\.key: 环境变量 GONGZHI_GROUP_KEY_G 未设置/);
    const cfg = parseConfig(withGroup, 'x.yaml', { GONGZHI_GROUP_KEY_G: 'k-123' });
    // A group robot key stays the reference (stored so in the directory); the sender reads the variable.
    expect(cfg.groups[0]!.outbound).toEqual({ kind: 'wecom-webhook', key: '${GONGZHI_GROUP_KEY_G}' });
  });

  it('validates process settings and all-or-none platform credentials without echoing secrets', () => {
    expect(parseEnv({}).PORT).toBe(8787);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(EnvError);
    const shape = { X_TOKEN: z.string().min(1), X_KEY: z.string().length(4) };
    expect(requireGroup({}, 'X', shape)).toBeNull();
    expect(() => requireGroup({ X_TOKEN: 'sekrit-value' }, 'X', shape)).toThrow(/X_KEY/);
    try {
      requireGroup({ X_TOKEN: 'sekrit-value', X_KEY: 'toolong' }, 'X', shape);
    } catch (e) {
      expect((e as Error).message).not.toContain('sekrit-value');
      expect((e as Error).message).not.toContain('toolong');
    }
  });
});
