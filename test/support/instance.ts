// One gongzhi server process for multi-instance tests: the Node runtime wired as src/node/main.ts
// wires it (HTTP, outbox drainer, scheduler with its recovery pass), with two differences a test
// needs. Time comes from an injected clock (INSTANCE_CLOCK_START, advancing INSTANCE_CLOCK_SPEED
// times as fast as real time from INSTANCE_CLOCK_ORIGIN_MS, the same for every instance), so
// leases and recovery ages of minutes pass in seconds; and the scheduler ticks every
// INSTANCE_TICK_MS instead of every minute. Prints "ready" once listening, and "leading" /
// "following" when it takes or loses the platforms' long connections (src/node/leader.ts).
import { serve } from '@hono/node-server';
import { startRuntime } from '../../src/bootstrap';
import { parseEnv } from '../../src/config/env';
import { runScheduledWork } from '../../src/jobs/digests';
import { createJsonLogger } from '../../src/logger';
import { startPlatformConnections } from '../../src/node/platform-connections';

const start = Date.parse(process.env.INSTANCE_CLOCK_START ?? '');
const origin = Number(process.env.INSTANCE_CLOCK_ORIGIN_MS);
const speed = Number(process.env.INSTANCE_CLOCK_SPEED ?? '1');
if (!Number.isFinite(start) || !Number.isFinite(origin)) throw new Error('INSTANCE_CLOCK_START and INSTANCE_CLOCK_ORIGIN_MS are required');
const now = () => new Date(start + (Date.now() - origin) * speed);

const env = parseEnv({ ...process.env, NODE_ENV: 'production', GONGZHI_PLAYGROUND: '0' });
const logger = createJsonLogger((line) => process.stderr.write(`${line}\n`), 'warn');
const runtime = await startRuntime({ env, logger, now });
runtime.services.drainer.start(Number(process.env.INSTANCE_DRAIN_MS ?? 250));
let running = false;
const tick = setInterval(() => {
  if (running) return;
  running = true;
  runScheduledWork(runtime.services)
    .catch((e) => logger.error('scheduler.failed', { error: (e as Error).message }))
    .finally(() => (running = false));
}, Number(process.env.INSTANCE_TICK_MS ?? 1000));
tick.unref();
const connections = startPlatformConnections(runtime, env, process.env);
if (connections) {
  let leading = false;
  setInterval(() => {
    if (connections.leader.isLeader() === leading) return;
    leading = !leading;
    process.stdout.write(leading ? 'leading\n' : 'following\n');
  }, 50).unref();
}
serve({ fetch: runtime.app.fetch, port: env.PORT, hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
