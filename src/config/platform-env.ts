import { accessSync, constants } from 'node:fs';
import { groupProblems, PLATFORM_VARIABLES } from './env';
import { ConfigError } from './parse';
import type { GongzhiConfig } from './schema';
import { GROUP_SECRET_FIELDS, unsetGroupKeyVariable, unsetVariableMessage } from '../directory/secrets';
import { dingtalkEnv } from '../../adapters/dingtalk/index';
import { wecomAppEnv, wecomBotEnv, wecomLongConnectionEnv } from '../../adapters/wecom/index';

const URL_VARIABLES = ['WECOM_API_BASE', 'DINGTALK_API_BASE', 'DINGTALK_OAPI_BASE'] as const;

/**
 * Every platform variable, checked before the database is opened (Node start-up): a partial
 * platform, a malformed value, an unreadable CA file or poll interval stops the start with one
 * line per variable saying what to set — not later, when a connection is first attempted.
 */
export function platformEnvProblems(env: Record<string, string | undefined>): string[] {
  const problems = [
    ...groupProblems(env, wecomBotEnv),
    ...groupProblems(env, wecomLongConnectionEnv),
    ...groupProblems(env, wecomAppEnv),
    ...groupProblems(env, dingtalkEnv),
  ];
  // A card click names the clicker's organisation but not the robot's: only DINGTALK_CORP_ID tells
  // our staff from another organisation's member who has the same userid (a cross-organisation group).
  if (env.DINGTALK_MODE === 'stream' && env.DINGTALK_CARD_TEMPLATE_ID && !env.DINGTALK_CORP_ID?.trim()) {
    problems.push(`DINGTALK_CORP_ID 未设置：用互动卡片（DINGTALK_CARD_TEMPLATE_ID）时必须设置，应填${PLATFORM_VARIABLES.DINGTALK_CORP_ID}（卡片点击只带点击人的组织，不设就分不清外单位的同名 userId）；或不设 DINGTALK_CARD_TEMPLATE_ID`);
  }
  for (const name of URL_VARIABLES) {
    const v = env[name];
    if (v && !(URL.canParse(v) && /^https?:$/.test(new URL(v).protocol))) problems.push(`${name} 取值无效：应填 http(s):// 开头的地址（不设则用平台的默认地址）`);
  }
  const poll = env.GONGZHI_LEADER_POLL_MS;
  if (poll && !(/^\d+$/.test(poll) && Number(poll) >= 100 && Number(poll) <= 600_000)) problems.push('GONGZHI_LEADER_POLL_MS 取值无效：应填 100–600000 之间的毫秒数（不设为 5000）');
  const ca = env.WECOM_BOT_WS_CA;
  if (ca) {
    try {
      accessSync(ca, constants.R_OK);
    } catch {
      problems.push(`WECOM_BOT_WS_CA: 无法读取证书文件 ${ca}（应填${PLATFORM_VARIABLES.WECOM_BOT_WS_CA}，须本服务的用户可读）`);
    }
  }
  return problems;
}

// Blank counts as unset: a value of spaces (an env file's `WECOM_BOT_ID= `) is no credential, and
// its connection would fail to authenticate while the posts wait for it in the outbox.
const isSet = (env: Record<string, string | undefined>, k: string) => (env[k] ?? '').trim() !== '';

/** WeCom groups posting through the AI-bot long connection while its variables (named) are unset. */
function aibotChannelGap(config: Pick<GongzhiConfig, 'groups'>, env: Record<string, string | undefined>): { groupIds: string[]; missing: string[] } | null {
  const groupIds = config.groups.filter((g) => g.platform === 'wecom' && g.outbound?.kind === 'wecom-aibot').map((g) => g.id);
  const missing = ['WECOM_BOT_ID', 'WECOM_BOT_SECRET'].filter((k) => !isSet(env, k));
  return groupIds.length && missing.length ? { groupIds, missing } : null;
}

const aibotChannelMessage = (groupIds: string[], missing: string[]) =>
  `群 ${groupIds.join('、')} 经智能机器人长连接发消息（outbound: wecom-aibot），但 ${missing.join('、')} 未设置：` +
  `应填企业微信智能机器人「API 模式 · 长连接」页面的机器人 ID 和 Secret（或把这些群改为 wecom-webhook）`;

/** DingTalk groups posting through the app robot (any outbound but a custom robot) while the app's variables (named) are unset. */
function appRobotChannelGap(config: Pick<GongzhiConfig, 'groups'>, env: Record<string, string | undefined>): { groupIds: string[]; missing: string[] } | null {
  const groupIds = config.groups.filter((g) => g.platform === 'dingtalk' && g.outbound?.kind !== 'dingtalk-custom-robot').map((g) => g.id);
  const missing = ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET'].filter((k) => !isSet(env, k));
  return groupIds.length && missing.length ? { groupIds, missing } : null;
}

const appRobotChannelMessage = (groupIds: string[], missing: string[]) =>
  `钉钉群 ${groupIds.join('、')} 经应用机器人收发消息，但 ${missing.join('、')} 未设置：` +
  `应填${PLATFORM_VARIABLES.DINGTALK_CLIENT_ID}和 Client Secret（或给这些群配 dingtalk-custom-robot）`;

/** A group whose posts cannot go out with this environment: which, what is unset, and the fix. */
export interface GroupChannelIssue {
  groupId: string;
  /** The outbound field whose reference names the variable; absent when the channel as a whole lacks it. */
  field?: (typeof GROUP_SECRET_FIELDS)[number];
  missing: string[];
  message: string;
}

/**
 * Robot keys naming a GONGZHI_GROUP_KEY_* variable this environment leaves unset or blank: the
 * sender would find no key for any post. Read as the sender and the start-up check read them.
 */
function groupKeyIssues(config: Pick<GongzhiConfig, 'groups'>, env: Record<string, string | undefined>): GroupChannelIssue[] {
  return config.groups.flatMap((g) =>
    GROUP_SECRET_FIELDS.flatMap((field) => {
      const value = (g.outbound as Partial<Record<string, unknown>> | undefined)?.[field];
      const variable = typeof value === 'string' ? unsetGroupKeyVariable(value, env) : null;
      return variable ? [{ groupId: g.id, field, missing: [variable], message: unsetVariableMessage(variable) }] : [];
    }),
  );
}

/**
 * The start-up check's reading of the groups, per group: the directory refuses to save such a
 * group (console, `config import`) and a running instance that loads one logs it. Both channels
 * the start refuses are covered, else a save accepted now would stop the next restart, and so is
 * a robot key naming a variable that is unset, which the start refuses in the file.
 */
export function groupChannelIssues(
  config: Pick<GongzhiConfig, 'groups'>,
  env: Record<string, string | undefined>,
  /** `longConnection: false`: a runtime that never opens one (a Worker), whatever its variables say. */
  opts: { longConnection?: boolean } = {},
): GroupChannelIssue[] {
  const per = (gap: { groupIds: string[]; missing: string[] } | null, message: (ids: string[], missing: string[]) => string) =>
    gap ? gap.groupIds.map((groupId) => ({ groupId, missing: gap.missing, message: message([groupId], gap.missing) })) : [];
  const aibot =
    opts.longConnection === false
      ? per(aibotChannelGap(config, {}), (ids) => `群 ${ids.join('、')} 经智能机器人长连接发消息（outbound: wecom-aibot），但 Cloudflare Workers 上没有长连接（需要常驻的 Node 进程）：请把这些群改为 wecom-webhook`)
      : per(aibotChannelGap(config, env), aibotChannelMessage);
  return [...aibot, ...per(appRobotChannelGap(config, env), appRobotChannelMessage), ...groupKeyIssues(config, env)];
}

/**
 * A group's outbound channel needs its platform's credentials: without them every post to the
 * group would dead-letter, so the start stops and names the variables and the groups.
 */
export function groupChannelProblems(config: GongzhiConfig, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const aibot = aibotChannelGap(config, env);
  if (aibot) problems.push(aibotChannelMessage(aibot.groupIds, aibot.missing));
  const appRobot = appRobotChannelGap(config, env);
  if (appRobot) problems.push(appRobotChannelMessage(appRobot.groupIds, appRobot.missing));
  return problems;
}

export function checkPlatformEnv(env: Record<string, string | undefined>, config?: GongzhiConfig): void {
  const problems = [...platformEnvProblems(env), ...(config ? groupChannelProblems(config, env) : [])];
  if (problems.length) throw new ConfigError('不能启动：平台环境变量有误（invalid platform settings）', problems);
}
