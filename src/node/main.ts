import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { parseEnv } from '../config/env';
import { createJsonLogger } from '../logger';
import { startRuntime, type Runtime } from '../bootstrap';
import { startPlatformConnections } from './platform-connections';
import { runScheduledWork } from '../jobs/digests';
import { acquireDataDirLock, DataDirBusyError, liveHolder, type DataDirLock } from '../db/data-dir-lock';
import { portProblem, probePort } from './port-check';
import { CLI_BRIDGE_PATH, createCliBridge, isLocalCaller, type NodeBindings } from './cli-bridge';
import { createSetupLinks, SETUP_PATH } from '../auth/setup-link';
import { publicBase } from '../config/public-url';

/** How long in-flight requests may take to finish after SIGTERM before their connections are cut. */
const DRAIN_MS = 10_000;

const env = parseEnv(process.env);
const logger = createJsonLogger(undefined, env.LOG_LEVEL);

function refuse(message: string): never {
  // Operators' mistakes (busy port, second process, missing setting) get a sentence, not a stack.
  console.error(`gongzhi: ${message}`);
  process.exit(1);
}

/** With no console account at all: the command that opens the first, for the configured admin. */
async function noConsoleAccountHint(services: Runtime['services']): Promise<Record<string, string> | null> {
  if (await services.db.selectFrom('console_accounts').select('staff_id').limit(1).executeTakeFirst()) return null;
  const admin = services.config.staff.find((s) => s.role === 'admin' && s.active !== false)?.id ?? '<staff id>';
  return {
    staffId: admin,
    hint: `no console account yet: open the first with \`npm run -s cli -- account create ${admin}\` as the service user with its environment (README「第一次登录工作台」: systemd-run … or docker exec -it gongzhi npm run -s cli -- account create ${admin}); the password is shown once, in that terminal`,
  };
}

let lock: DataDirLock | null = null;
process.on('exit', () => lock?.release());

try {
  // Before the database is opened: a second `npm start` must not touch it at all.
  const portBusy = await probePort(env.PORT, env.HOST);
  if (portBusy) {
    const holder = env.DATABASE_URL ? null : liveHolder(env.DATA_DIR);
    refuse(portProblem(env.PORT, env.HOST, portBusy, holder?.port === env.PORT ? holder : null));
  }
  if (!env.DATABASE_URL) lock = acquireDataDirLock(env.DATA_DIR, { role: 'server', port: env.PORT, host: env.HOST });

  const runtime = await startRuntime({ env, logger });
  runtime.services.drainer.start(1000);
  // Deadlines, digests and recovery of unprocessed messages: at start and every minute; several instances are safe (row locks, run keys).
  let scheduled: Promise<unknown> = Promise.resolve();
  const runScheduled = () => {
    scheduled = runScheduledWork(runtime.services).catch((e) => logger.error('scheduler.failed', { error: (e as Error).message }));
  };
  runScheduled();
  const tick = setInterval(runScheduled, 60_000);
  tick.unref();
  // DingTalk Stream and the WeCom long connection: one per bot, held by the elected instance.
  const connections = startPlatformConnections(runtime, env, process.env);
  const bridge = lock?.holder.token ? createCliBridge(runtime.services, lock.holder.token) : null;
  const setup = createSetupLinks(runtime.services);
  const server = serve(
    {
      fetch: (req, ...rest) =>
        new URL(req.url).pathname === SETUP_PATH
          ? setup.app.fetch(req)
          : bridge && new URL(req.url).pathname.startsWith(`${CLI_BRIDGE_PATH}/`) && isLocalCaller((rest[0] as NodeBindings | undefined)?.incoming.socket.remoteAddress, req.headers)
          ? bridge.fetch(req)
          : runtime.app.fetch(req, ...rest),
      port: env.PORT,
      hostname: env.HOST,
    },
    (info) => {
      logger.info('server.listening', { port: info.port, database: runtime.database.kind, playground: !!runtime.local });
      if (runtime.local) console.log(`\n  共治 playground: http://localhost:${info.port}/\n`);
      // No console account at all yet: a one-time link for the configured admin, to a terminal only —
      // under systemd or Docker stdout is the log, and there `cli account create` is the way.
      if (process.stdout.isTTY) void setup
        .offer(publicBase(runtime.services.config) ?? `http://localhost:${info.port}`)
        .then((link) => link && console.log(`\n  首次设置管理员 ${link.staffId} 的工作台密码（一次有效，${link.expiresAt.toISOString()} 前）：\n  ${link.url}\n`))
        .catch((e) => logger.warn('console.setup_link_failed', { error: (e as Error).message }));
      // Under systemd or Docker nobody sees a link: the log says how to open the first account (no token in it).
      else void noConsoleAccountHint(runtime.services)
        .then((hint) => hint && logger.warn('console.no_account', hint))
        .catch((e) => logger.warn('console.setup_link_failed', { error: (e as Error).message }));
    },
  ) as Server;
  // Someone took the port between the check and now.
  server.on('error', (e: NodeJS.ErrnoException) => refuse(portProblem(env.PORT, env.HOST, e.code ?? String(e.message))));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('server.forced_stop', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('server.stopping', { signal });
    clearInterval(tick);
    // Stop accepting; requests under way finish (idle keep-alive sockets are closed now, busy ones after DRAIN_MS).
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    force.unref();
    await connections?.stop();
    await closed;
    await scheduled;
    await runtime.close();
    lock?.release();
    logger.info('server.stopped', { signal, database: 'closed' });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  // Configuration, secret and data-directory errors already say which setting to fix.
  refuse(e instanceof DataDirBusyError ? e.message : (e as Error).message);
}
