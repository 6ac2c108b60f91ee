import type { ExecutionContext } from 'hono';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { parseConfig } from './config/parse';
import { groupChannelIssues } from './config/platform-env';
import type { GongzhiConfig } from './config/schema';
import type { Database } from './db/schema';
import { createApp } from './http/app';
import { createWebhookRoutes } from './http/webhooks';
import { runScheduledWork } from './jobs/digests';
import { createPlatforms } from './platforms';
import { createDbTokenStore } from './repo/platform-tokens';
import { createPhotoSources } from '../adapters/photo-sources';
import { createJsonLogger } from './logger';
import { createServices } from './services';
import { createStaticDirectory, openLiveDirectory, staticFromMemo, type DirectoryMemo, type LiveDirectory } from './directory/live';

/** Bindings and secrets (see wrangler.toml). */
export interface WorkerEnv {
  /** Cloudflare Hyperdrive in front of PostgreSQL. */
  HYPERDRIVE?: { connectionString: string };
  /** Alternative to Hyperdrive: a direct connection string (secret). */
  DATABASE_URL?: string;
  /** The deployment configuration (YAML or JSON text), since a Worker has no file system. */
  GONGZHI_CONFIG_TEXT?: string;
  [key: string]: unknown;
}


let cachedConfig: { text: string; config: GongzhiConfig } | null = null;

function configFor(env: WorkerEnv, stringEnv: Record<string, string>): GongzhiConfig {
  const text = env.GONGZHI_CONFIG_TEXT;
  if (!text) throw new Error('GONGZHI_CONFIG_TEXT is not set: put the deployment configuration (YAML) in this variable');
  if (cachedConfig?.text !== text) {
    cachedConfig = { text, config: parseConfig(text, 'GONGZHI_CONFIG_TEXT.yaml', stringEnv) };
  }
  return cachedConfig.config;
}

/**
 * The directory lives in the database (console edits, `cli config import`); an isolate keeps
 * the last one it loaded and asks for a newer revision at most every few seconds.
 */
let directoryMemo: DirectoryMemo | undefined;

/**
 * Workers may not share I/O objects across requests, so each invocation gets its own
 * one-connection pool (Hyperdrive does the real pooling) and closes it when the work is done.
 * Migrations never run here: `npm run -s cli -- migrate` does that before a deploy.
 */
async function runtimeFor(env: WorkerEnv, ctx: ExecutionContext) {
  const connectionString = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL;
  if (!connectionString) throw new Error('No database: bind HYPERDRIVE or set the DATABASE_URL secret');
  const logger = createJsonLogger();
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on('error', (e) => logger.warn('db.connection_lost', { error: e.message }));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const pending: Promise<unknown>[] = [];
  const stringEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = configFor(env, stringEnv);
  // The AI bot's long connection is Node only: a Worker keeps the webhook, and must not hold
  // group posts back for a connection it never opens (README「长连接模式」).
  const httpEnv = Object.fromEntries(Object.entries(stringEnv).filter(([k]) => !['WECOM_BOT_ID', 'WECOM_BOT_SECRET', 'WECOM_BOT_WS_URL'].includes(k)));
  // Console saves are checked against what this Worker can post through, as a Node start is.
  const channelIssues = (c: GongzhiConfig) => groupChannelIssues(c, httpEnv, { longConnection: false });
  let directory: LiveDirectory;
  try {
    // Seeded from the file when the database has no directory yet, as the Node server does.
    directory = await openLiveDirectory({ db, file: config, now: () => new Date(), logger, groupChannelIssues: channelIssues, ...(directoryMemo ? { memo: directoryMemo } : {}) });
    directoryMemo = directory.memo();
  } catch (e) {
    // Verification handshakes still answer, and whatever needs the database answers 503 as before.
    logger.warn('directory.unavailable', { error: (e as Error).message, hint: 'using the last loaded directory (or the file) read-only until the database answers' });
    directory = directoryMemo?.file === config ? staticFromMemo(directoryMemo) : createStaticDirectory(config);
  }
  // Clients are rebuilt per request: access tokens live in the database, not in this request's memory.
  const tokens = createDbTokenStore(db, { now: () => new Date() });
  const platforms = createPlatforms(httpEnv, directory.config, logger, undefined, tokens);
  const services = createServices({
    db,
    config,
    directory,
    logger,
    adapters: platforms.senders,
    photoSources: createPhotoSources(stringEnv, { tokens }),
    ...(stringEnv.GONGZHI_LLM_API_KEY ? { llmApiKey: stringEnv.GONGZHI_LLM_API_KEY } : {}),
    defer: (work) => {
      const p = work.catch((e) => logger.error('background.failed', { error: (e as Error).message }));
      pending.push(p);
      ctx.waitUntil(p);
    },
  });
  const close = async () => {
    remember();
    // Background work (ack first, then process) must finish before the pool goes.
    while (pending.length) await Promise.all(pending.splice(0));
    await db.destroy();
  };
  // A console save in this request reloaded the directory: later requests start from that (never from an older one).
  const remember = () => {
    if (directory.revision > 0 && directory.revision >= (directoryMemo?.revision ?? 0)) directoryMemo = directory.memo();
  };
  return { services, close, remember, endpoints: platforms.endpoints, logins: platforms.logins };
}

/** The pages the session secret signs for: the console and the report, ticket and survey pages. */
const NEEDS_SECRET = /^\/(?:console(?:\/|$)|r\/|t\/|s\/)/;
let secretProblemLogged = false;

/**
 * Without the secret these pages cannot be served; a plain 404 looked like a wrong address. The
 * operator is told, in the answer and once per isolate in the log, which secret to set and how.
 */
function secretMissing(env: WorkerEnv): Response {
  const value = env.GONGZHI_SESSION_SECRET;
  const problem = typeof value === 'string' && value.length > 0 ? `GONGZHI_SESSION_SECRET 太短（${value.length} 个字符，至少 32 个）` : 'GONGZHI_SESSION_SECRET 未设置';
  const hint = 'npx wrangler secret put GONGZHI_SESSION_SECRET（值可用 openssl rand -base64 32 生成）';
  if (!secretProblemLogged) {
    secretProblemLogged = true;
    createJsonLogger().error('console.session_secret_missing', { problem, hint, pages: '/console, /r/, /t/, /s/' });
  }
  return new Response(`工作台和反映页暂不可用：${problem}。请运行 ${hint}，然后重新部署。\n(The console and report pages need the GONGZHI_SESSION_SECRET secret, at least 32 characters: wrangler secret put GONGZHI_SESSION_SECRET)\n`, {
    status: 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const validSecret = typeof env.GONGZHI_SESSION_SECRET === 'string' && env.GONGZHI_SESSION_SECRET.length >= 32;
    if (!validSecret && NEEDS_SECRET.test(new URL(request.url).pathname)) return secretMissing(env);
    const { services, close, remember, endpoints, logins } = await runtimeFor(env, ctx);
    try {
      // The console is served once its cookie key is set (wrangler secret put GONGZHI_SESSION_SECRET).
      const secret = typeof env.GONGZHI_SESSION_SECRET === 'string' && env.GONGZHI_SESSION_SECRET.length >= 32 ? env.GONGZHI_SESSION_SECRET : null;
      const console = secret ? { sessionSecret: secret, trustProxy: 'cloudflare' as const, logins } : null;
      const reportPage = secret ? { secret, trustProxy: 'cloudflare' as const } : null;
      return await createApp({ services, dbKind: 'postgres', webhooks: createWebhookRoutes(endpoints, services), console, reportPage }).fetch(request, env, ctx);
    } finally {
      // Before the response leaves, so the page a console save redirects to already has the new revision.
      remember();
      ctx.waitUntil(close());
    }
  },

  /** Cron Trigger: the deadline sweep, due digests, then drain the outbox. */
  async scheduled(_event: unknown, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const { services, close } = await runtimeFor(env, ctx);
    ctx.waitUntil(
      runScheduledWork(services)
        .then(() => services.drainer.drainOnce())
        .finally(close),
    );
  },
};
