// The server under test, in its own process: the full Node runtime with the WeCom AI bot on.
import { serve } from '@hono/node-server';
import { startRuntime } from '../src/bootstrap';
import { parseEnv } from '../src/config/env';
import { createJsonLogger } from '../src/logger';

const env = parseEnv({ ...process.env, NODE_ENV: 'production', GONGZHI_PLAYGROUND: '0', GONGZHI_CONFIG: process.env.GONGZHI_CONFIG || 'config/example.yaml' });
const runtime = await startRuntime({ env, logger: createJsonLogger(() => undefined, 'error') });
runtime.services.drainer.start(1000);
// main.ts runs this pass with the scheduler every minute; the two-instance stage wants it sooner.
if (process.env.BENCH_RECOVER_MS) setInterval(() => void runtime.services.pipeline.recoverAccepted().catch(() => undefined), Number(process.env.BENCH_RECOVER_MS)).unref();
// A plain exit on SIGTERM, so `node --cpu-prof` (BENCH_NODE_ARGS in bench/run.ts) writes its profile when the bench stops us.
process.on('SIGTERM', () => process.exit(0));
// Where the resident memory is (issue 21 reports it): V8's heap, or buffers outside it — PGlite's
// WebAssembly memory is an ArrayBuffer, which grows and is never given back.
const fetch = (req: Request) =>
  new URL(req.url).pathname === '/__bench/memory' ? Response.json(process.memoryUsage()) : runtime.app.fetch(req);
serve({ fetch, port: env.PORT, hostname: '127.0.0.1' }, () => {
  process.stdout.write('ready\n');
});
