import { z } from 'zod';
import { formatZodIssues } from './parse';
import { randomToken } from '../auth/tokens';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** Process settings. Platform credentials are validated by each platform's own schema. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  /**
   * Where the Node server listens. Unset: 127.0.0.1 outside production — the playground and the
   * first-run console account have no sign-in, so a laptop must not offer them to its network —
   * and 0.0.0.0 in production (the Docker image and systemd unit), where a proxy or the
   * container's port mapping decides what is reachable.
   */
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL 须以 postgres:// 开头')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().default('./data'),
  GONGZHI_CONFIG: z.string().optional(),
  GONGZHI_PLAYGROUND: bool.optional(),
  GONGZHI_MIGRATE: bool.default(true),
  /** Signs console session cookies: required in production, at least 32 characters (e.g. `openssl rand -base64 32`). */
  GONGZHI_SESSION_SECRET: z.string().min(32, 'GONGZHI_SESSION_SECRET 至少 32 个字符（openssl rand -base64 32）').optional(),
  /**
   * How many reverse proxies (nginx, a load balancer) stand in front of this process: the client
   * address for abuse limits is that many entries from the right of X-Forwarded-For. 0: none.
   * `1`/`true` is one proxy (the usual nginx), kept for configurations written before hop counts.
   */
  GONGZHI_TRUST_PROXY: z
    .string()
    .default('0')
    .transform((v) => (['true', 'yes', 'on'].includes(v) ? 1 : ['false', 'no', 'off'].includes(v) ? 0 : v.trim() === '' ? NaN : Number(v)))
    .pipe(z.number().int('GONGZHI_TRUST_PROXY 须为反向代理层数（0、1、2…）').min(0).max(10)),
  LOG_LEVEL: z.enum(['info', 'warn', 'error']).default('info'),
});
export type Env = Omit<z.infer<typeof envSchema>, 'HOST'> & { HOST: string };

export class EnvError extends Error {}

export function parseEnv(env: Record<string, string | undefined>): Env {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new EnvError(`环境变量有误（invalid environment）:\n${formatZodIssues(r.error).map((l) => `  - ${l}`).join('\n')}`);
  return { ...r.data, HOST: r.data.HOST ?? (r.data.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1') };
}

/**
 * What each platform variable is and where its value is found, so a start-up error tells the
 * operator what to set (zod's own messages name neither).
 */
export const PLATFORM_VARIABLES: Record<string, string> = {
  WECOM_BOT_TOKEN: '企业微信智能机器人「API 模式 · URL 回调」页面的 Token',
  WECOM_BOT_AES_KEY: '同一页面的 EncodingAESKey（43 位）',
  WECOM_BOT_ID: '企业微信智能机器人「API 模式 · 长连接」页面的机器人 ID（BotID）',
  WECOM_BOT_SECRET: '同一页面的 Secret',
  WECOM_BOT_WS_URL: '私有部署企业微信的长连接地址（wss://…，公有云不设）',
  WECOM_BOT_WS_CA: '私有部署长连接地址的 CA 证书（PEM 文件路径）',
  WECOM_CORP_ID: '企业微信管理后台「我的企业」里的企业 ID',
  WECOM_APP_TOKEN: '自建应用「接收消息 · API 接收」的 Token',
  WECOM_APP_AES_KEY: '自建应用「接收消息 · API 接收」的 EncodingAESKey（43 位）',
  WECOM_AGENT_ID: '自建应用的 AgentId（数字）',
  WECOM_APP_SECRET: '自建应用的 Secret',
  DINGTALK_CLIENT_ID: '钉钉开发者后台「凭证与基础信息」的 Client ID（AppKey）',
  DINGTALK_CLIENT_SECRET: '同一页面的 Client Secret',
  DINGTALK_MODE: 'http（回调地址）或 stream（Stream 模式，仅 Node）',
  DINGTALK_CARD_TEMPLATE_ID: '钉钉卡片平台的卡片模板 ID',
  DINGTALK_CORP_ID: '本单位钉钉组织的 CorpId（钉钉开发者后台首页）',
};

/** A zod message of ours is Chinese; zod's defaults ("Invalid input: …") are not shown to operators. */
const ours = (message: string) => /[\u4e00-\u9fff]/.test(message);

const isSet = (v: string | undefined) => v !== undefined && v !== '';

/** One platform's variables as the schema reads them (empty is unset), or null when none is set: the platform is off. */
function pickGroup(env: Record<string, string | undefined>, shape: z.ZodRawShape): Record<string, string | undefined> | null {
  const keys = Object.keys(shape);
  if (!keys.some((k) => isSet(env[k]))) return null;
  return Object.fromEntries(keys.map((k) => [k, isSet(env[k]) ? env[k] : undefined]));
}

/** One line per variable wrong, naming it and what to set; values are never shown. */
function describeProblems(error: z.ZodError, picked: Record<string, string | undefined>): string[] {
  const seen = new Set<string>();
  return error.issues.flatMap((i) => {
    const key = String(i.path[0] ?? '');
    if (seen.has(key)) return [];
    seen.add(key);
    const what = PLATFORM_VARIABLES[key];
    if (picked[key] === undefined) return [`${key} 未设置${what ? `：应填${what}` : ''}`];
    return [`${key} 取值无效：${ours(i.message) ? i.message : `应填${what ?? '有效的值'}`}`];
  });
}

/**
 * The problems of one platform's variables, one line each naming the variable and what to set:
 * none when the platform is off (no variable set) or complete. Values are never shown.
 */
export function groupProblems<T extends z.ZodRawShape>(env: Record<string, string | undefined>, shape: T): string[] {
  const picked = pickGroup(env, shape);
  if (!picked) return [];
  const r = z.object(shape).safeParse(picked);
  return r.success ? [] : describeProblems(r.error, picked);
}

/**
 * A platform is on when any of its variables is set; then all of its required variables
 * must be set. Secrets are never defaulted, and the error names the missing variables only.
 */
export function requireGroup<T extends z.ZodRawShape>(
  env: Record<string, string | undefined>,
  name: string,
  shape: T,
): z.infer<z.ZodObject<T>> | null {
  const picked = pickGroup(env, shape);
  if (!picked) return null;
  const r = z.object(shape).safeParse(picked);
  if (!r.success) throw new EnvError(`${name} 配置不完整（incomplete ${name} settings）:\n${describeProblems(r.error, picked).map((l) => `  - ${l}`).join('\n')}`);
  return r.data;
}

/**
 * The console's cookie key. Production refuses to start without one; development gets a
 * random key per process (sessions end at restart) so `npm start` needs no set-up.
 */
export function sessionSecret(env: Env, warn: (msg: string) => void): string {
  if (env.GONGZHI_SESSION_SECRET) return env.GONGZHI_SESSION_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new EnvError('GONGZHI_SESSION_SECRET 未设置：生产环境必须设置控制台会话密钥（openssl rand -base64 32）');
  }
  warn('GONGZHI_SESSION_SECRET is not set: console sessions use a random key and end when the process restarts');
  return randomToken();
}
