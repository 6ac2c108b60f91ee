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
 * A platform is on when any of its variables is set; then all of its required variables
 * must be set. Secrets are never defaulted, and the error names the missing variables only.
 */
export function requireGroup<T extends z.ZodRawShape>(
  env: Record<string, string | undefined>,
  name: string,
  shape: T,
): z.infer<z.ZodObject<T>> | null {
  const keys = Object.keys(shape);
  if (!keys.some((k) => env[k] !== undefined && env[k] !== '')) return null;
  const picked = Object.fromEntries(keys.map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = z.object(shape).safeParse(picked);
  if (!r.success) {
    throw new EnvError(`${name} 配置不完整（incomplete ${name} settings）:\n${formatZodIssues(r.error).map((l) => `  - ${l}`).join('\n')}`);
  }
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
