import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import { EXAMPLE } from './runtime';

/**
 * The example county, with one WeCom group and one DingTalk group added and every staff
 * member given the same user id on both platforms (in real life these come from the orgs).
 */
export async function platformConfig(platforms: Array<'wecom' | 'dingtalk'> = ['wecom', 'dingtalk']): Promise<GongzhiConfig> {
  const cfg = await loadConfigFile(EXAMPLE);
  return {
    ...cfg,
    staff: cfg.staff.map((s) => ({ ...s, accounts: { ...s.accounts, wecom: s.id, dingtalk: `dt-${s.id}` } })),
    groups: [
      ...cfg.groups,
      ...extraGroups.filter((g) => platforms.includes(g.platform as 'wecom' | 'dingtalk')),
    ],
  };
}

const extraGroups: GongzhiConfig['groups'] = [
      { id: 'county-wecom', name: '青山县营商环境共商共治群（企业微信）', region: '青山县', platform: 'wecom', chatId: 'wr-county-chat', outbound: { kind: 'wecom-webhook', key: 'group-key-county' } },
      { id: 'county-dingtalk', name: '青山县营商环境共商共治群（钉钉）', region: '青山县', platform: 'dingtalk', chatId: 'cid-county==', outbound: { kind: 'dingtalk-robot' } },
];
