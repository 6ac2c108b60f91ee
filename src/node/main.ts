import { serve } from '@hono/node-server';
import { parseEnv } from '../config/env';
import { createJsonLogger } from '../logger';
import { startRuntime } from '../bootstrap';

const env = parseEnv(process.env);
const logger = createJsonLogger(undefined, env.LOG_LEVEL);

try {
  const runtime = await startRuntime({ env, logger });
  runtime.services.drainer.start(1000);
  const server = serve({ fetch: runtime.app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    logger.info('server.listening', { port: info.port, database: runtime.database.kind, playground: !!runtime.local });
    if (runtime.local) console.log(`\n  共治 playground: http://localhost:${info.port}/\n`);
  });
  const shutdown = async (signal: string) => {
    logger.info('server.stopping', { signal });
    server.close();
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
