import { mkdir, writeFile } from 'node:fs/promises';
import { generatePassword } from './auth/password';
import { setConsolePassword } from './repo/console-accounts';
import { renderPosterPng } from './report-page/poster-png';
import type { Hono } from 'hono';
import { createLocalAdapter, type LocalAdapter } from '../adapters/local/local-adapter';
import type { OutboundAdapter } from '../adapters/types';
import { createPhotoSources } from '../adapters/photo-sources';
import { EXAMPLE_CONFIG, resolveConfig } from './config/resolve';
import type { GongzhiConfig } from './config/schema';
import { sessionSecret, type Env } from './config/env';
import { migrateToLatest, type DatabaseHandle } from './db/database';
import { openDatabase } from './db/open';
import type { Platform } from './domain/message';
import { createApp } from './http/app';
import { createWebhookRoutes } from './http/webhooks';
import { createPlatforms, type Platforms } from './platforms';
import { createDbTokenStore } from './repo/platform-tokens';
import type { Logger } from './logger';
import { syncWebhookEndpoints } from './repo/webhooks';
import { openLiveDirectory } from './directory/live';
import { directorySourcesFromEnv } from './directory/platform-sources';
import { createServices, type Services } from './services';
import { playgroundDecision } from './http/playground';
import { ConfigError } from './config/parse';
import { checkPlatformEnv, groupChannelIssues } from './config/platform-env';

export { EXAMPLE_CONFIG, resolveConfig };

export interface Runtime {
  app: Hono;
  services: Services;
  database: DatabaseHandle;
  local: LocalAdapter | null;
  platforms: Platforms;
  close(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  logger: Logger;
  config?: GongzhiConfig;
  /** Overrides the database (tests pass an isolated one). */
  database?: DatabaseHandle;
  now?: () => Date;
  adapters?: Partial<Record<Platform, OutboundAdapter>>;
  /** The raw environment, for platform credentials (defaults to process.env). */
  rawEnv?: Record<string, string | undefined>;
  /** Outbound HTTP for platform APIs (tests point it at loopback fakes through the *_API_BASE settings). */
  fetch?: typeof fetch;
}

/** Builds the whole Node runtime: database, migrations, directory, services and the HTTP app. */
export async function startRuntime(opts: StartOptions): Promise<Runtime> {
  const { env, logger } = opts;
  const playground = playgroundDecision(env);
  if (playground.refuse) throw new ConfigError('不能启动：演练场（playground）在生产环境对外开放', [playground.refuse]);
  const rawEnv = opts.rawEnv ?? process.env;
  const config = opts.config ?? (await resolveConfig(env, logger));
  // Before the database opens: a partial or malformed platform setting stops here, naming the variable.
  checkPlatformEnv(rawEnv);
  // Checked before anything opens: a production start without the secret stops here.
  const secret = sessionSecret(env, (m) => logger.warn('console.ephemeral_secret', { hint: m }));
  const database =
    opts.database ??
    (await openDatabase({
      url: env.DATABASE_URL,
      dataDir: `${env.DATA_DIR}/pglite`,
      onPoolError: (e) => logger.warn('db.connection_lost', { error: e.message, hint: 'the pool reconnects on next use; requests meanwhile answer 503 so platforms retry' }),
    }));
  if (env.GONGZHI_MIGRATE) {
    const applied = await migrateToLatest(database.db);
    if (applied.length) logger.info('db.migrated', { applied, database: database.kind });
  }
  const now = opts.now ?? (() => new Date());
  // The directory lives in the database (seeded from the file on first start); webhooks stay in the file.
  const directory = await openLiveDirectory({ db: database.db, file: config, now, logger, groupChannelIssues: (c) => groupChannelIssues(c, rawEnv) });
  await syncWebhookEndpoints(database.db, config.webhooks);
  // The directory's groups (file or database) decide which credentials their posts need.
  try {
    checkPlatformEnv(rawEnv, directory.config);
  } catch (e) {
    if (!opts.database) await database.close();
    throw e;
  }

  // With PostgreSQL several instances may run: they share one token per app. PGlite is one process.
  const tokens = database.kind === 'postgres' ? createDbTokenStore(database.db, { now }) : undefined;
  const platforms = createPlatforms(opts.rawEnv ?? process.env, () => directory.config, logger, opts.fetch, tokens, now);
  if (playground.warning) logger.warn('playground.exposure', { host: env.HOST, hint: playground.warning });
  const local = playground.on ? createLocalAdapter({ botName: config.deployment.botName, now }) : null;
  const adapters: Partial<Record<Platform, OutboundAdapter>> = { ...platforms.senders, ...(opts.adapters ?? {}) };
  if (local) adapters.local = local;

  const services = createServices({
    db: database.db,
    config,
    directory,
    directorySources: directorySourcesFromEnv(opts.rawEnv ?? process.env, opts.fetch),
    logger,
    adapters,
    concurrency: database.kind === 'postgres' ? 8 : 1,
    now,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    photoSources: createPhotoSources(opts.rawEnv ?? process.env, { fetch: opts.fetch, tokens }),
    ...(rawEnv.GONGZHI_LLM_API_KEY ? { llmApiKey: rawEnv.GONGZHI_LLM_API_KEY } : {}),
  });
  const webhooks = createWebhookRoutes(platforms.endpoints, services);
  const console = { sessionSecret: secret, trustProxy: env.GONGZHI_TRUST_PROXY, renderPng: renderPosterPng, logins: platforms.logins };
  const reportPage = { secret, trustProxy: env.GONGZHI_TRUST_PROXY };
  const app = createApp({ services, dbKind: database.kind, playground: local, webhooks, console, reportPage });
  if (local && env.NODE_ENV === 'development') await offerFirstConsoleAccount(services, env.DATA_DIR);
  logger.info('platforms.enabled', { inbound: Object.keys(platforms.endpoints), outbound: Object.keys(adapters) });
  return {
    app,
    services,
    database,
    local,
    platforms,
    async close() {
      await services.drainer.stop();
      await database.close();
    },
  };
}

/**
 * On a developer's first `npm start` nobody has a console account yet and the CLI cannot open
 * the embedded database while the server holds it, so the first admin gets a random password,
 * written to a file only the user can read (never to the log).
 */
async function offerFirstConsoleAccount(services: Services, dataDir: string): Promise<void> {
  const any = await services.db.selectFrom('console_accounts').select('staff_id').limit(1).executeTakeFirst();
  const admin = services.config.staff.find((s) => s.role === 'admin') ?? services.config.staff.find((s) => s.role === 'dispatcher');
  if (any || !admin) return;
  const password = generatePassword();
  await setConsolePassword(services.db, admin.id, password, services.now());
  const file = `${dataDir}/console-initial-password.txt`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `账号 ${admin.id}（${admin.name}）\n密码 ${password}\n`, { mode: 0o600 });
  services.logger.warn('console.first_account', { staffId: admin.id, passwordFile: file, hint: 'sign in at /console, then npm run cli -- account create <id> for the others' });
}
