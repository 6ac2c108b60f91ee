import { serve } from '@hono/node-server';
import { parseEnv } from '../config/env';
import { createJsonLogger } from '../logger';
import { startRuntime } from '../bootstrap';
import { startDingtalkStream } from './dingtalk-stream';
import { runScheduledWork } from '../jobs/digests';

const env = parseEnv(process.env);
const logger = createJsonLogger(undefined, env.LOG_LEVEL);

try {
  const runtime = await startRuntime({ env, logger });
  runtime.services.drainer.start(1000);
  // Deadlines, digests and recovery of unprocessed messages: at start and every minute; several instances are safe (row locks, run keys).
  const runScheduled = () => runScheduledWork(runtime.services).catch((e) => logger.error('scheduler.failed', { error: (e as Error).message }));
  void runScheduled();
  const tick = setInterval(runScheduled, 60_000);
  tick.unref();
  const stream = runtime.platforms.dingtalk?.mode === 'stream' ? startDingtalkStream(runtime.services, runtime.platforms.dingtalk) : null;
  const server = serve({ fetch: runtime.app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    logger.info('server.listening', { port: info.port, database: runtime.database.kind, playground: !!runtime.local });
    if (runtime.local) console.log(`\n  共治 playground: http://localhost:${info.port}/\n`);
  });
  const shutdown = async (signal: string) => {
    logger.info('server.stopping', { signal });
    clearInterval(tick);
    server.close();
    await stream?.stop();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  // Configuration and secret errors already say which setting to fix.
  console.error(`gongzhi: ${(e as Error).message}`);
  process.exit(1);
}
