// The server under test, in its own process: the full Node runtime with the WeCom AI bot on.
import { serve } from '@hono/node-server';
import { startRuntime } from '../src/bootstrap';
import { parseEnv } from '../src/config/env';
import { createJsonLogger } from '../src/logger';

const env = parseEnv({ ...process.env, NODE_ENV: 'production', GONGZHI_PLAYGROUND: '0', GONGZHI_CONFIG: process.env.GONGZHI_CONFIG || 'config/example.yaml' });
const runtime = await startRuntime({ env, logger: createJsonLogger(() => undefined, 'error') });
runtime.services.drainer.start(1000);
serve({ fetch: runtime.app.fetch, port: env.PORT, hostname: '127.0.0.1' }, () => {
  process.stdout.write('ready\n');
});
