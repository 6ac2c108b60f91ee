import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { GongzhiConfig } from '../../src/config/schema';
import { createAibotChannel } from '../../adapters/wecom/aibot-sender';
import { createMemoryLogger } from '../../src/logger';
import { advisoryKey, createLeader, type Leader } from '../../src/node/leader';
import { startPlatformConnections, type PlatformConnections } from '../../src/node/platform-connections';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestRuntime } from '../helpers/runtime';
import { eventually } from '../helpers/serve';
import { startFakeAibot } from '../fakes/wecom-aibot-ws';

const url = process.env.DATABASE_URL;
const POLL_MS = 100;

/** A leader that counts its terms. */
function candidate(name: string, databaseUrl: string | undefined) {
  const terms = { elected: 0, demoted: 0 };
  const leader = createLeader({
    databaseUrl,
    name,
    pollMs: POLL_MS,
    logger: createMemoryLogger(),
    onElected: () => void terms.elected++,
    onDemoted: () => void terms.demoted++,
  });
  return { leader, terms };
}

describe('leader election without PostgreSQL (PGlite: one process)', () => {
  it('the one process leads at once and steps down on stop', async () => {
    const c = candidate('pglite', undefined);
    c.leader.start();
    await eventually(() => c.leader.isLeader());
    await new Promise((r) => setTimeout(r, POLL_MS * 3));
    expect(c.terms).toEqual({ elected: 1, demoted: 0 });
    await c.leader.stop();
    expect(c.terms).toEqual({ elected: 1, demoted: 1 });
    expect(c.leader.isLeader()).toBe(false);
  });
});

describe('platform connections at start-up', () => {
  it('a WECOM_BOT_WS_CA that cannot be read stops the start with the variable and the path', () => {
    const runtime = {
      services: { logger: createMemoryLogger() },
      platforms: { dingtalk: null, wecomLongConnection: { botId: 'b', secret: 's', caFile: '/nonexistent/ca.pem', channel: createAibotChannel() } },
    } as unknown as Parameters<typeof startPlatformConnections>[0];
    expect(() => startPlatformConnections(runtime, {}, {})).toThrow('WECOM_BOT_WS_CA: 无法读取证书文件 /nonexistent/ca.pem');
    expect(() => startPlatformConnections(runtime, {}, { GONGZHI_LEADER_POLL_MS: 'soon' })).toThrow('GONGZHI_LEADER_POLL_MS');
  });
});

describe.skipIf(!url)('leader election on PostgreSQL (session advisory lock)', () => {
  const started: Leader[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop()));
  });
  const run = (name: string) => {
    const c = candidate(name, url);
    started.push(c.leader);
    c.leader.start();
    return c;
  };

  it('exactly one of three instances leads; when it stops, another takes over within a few polls', async () => {
    const name = `test-${randomUUID()}`;
    const cs = [run(name), run(name), run(name)];
    await eventually(() => cs.some((c) => c.leader.isLeader()));
    await new Promise((r) => setTimeout(r, POLL_MS * 5));
    expect(cs.filter((c) => c.leader.isLeader())).toHaveLength(1);
    const first = cs.find((c) => c.leader.isLeader())!;
    await first.leader.stop();
    const t0 = Date.now();
    await eventually(() => cs.some((c) => c !== first && c.leader.isLeader()), 5000);
    expect(Date.now() - t0).toBeLessThan(POLL_MS * 50);
    await new Promise((r) => setTimeout(r, POLL_MS * 5));
    expect(cs.filter((c) => c.leader.isLeader())).toHaveLength(1);
    expect(first.terms).toEqual({ elected: 1, demoted: 1 });
  });

  it('a leader whose database session is killed steps down at once, and another instance is elected', async () => {
    const name = `test-${randomUUID()}`;
    const a = run(name);
    await eventually(() => a.leader.isLeader());
    const b = run(name);
    await new Promise((r) => setTimeout(r, POLL_MS * 3));
    expect(b.leader.isLeader()).toBe(false);
    // The lock's holder, found by its key (classid:objid are its two 32-bit halves).
    const key = BigInt.asUintN(64, BigInt(advisoryKey(name)));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const r = await admin.query('select pid from pg_locks where locktype = $1 and granted and classid = $2 and objid = $3', ['advisory', Number(key >> 32n), Number(key & 0xffffffffn)]);
      expect(r.rows).toHaveLength(1);
      await admin.query('select pg_terminate_backend($1)', [r.rows[0].pid]);
    } finally {
      await admin.end();
    }
    await eventually(() => !a.leader.isLeader() && a.terms.demoted === 1, 5000);
    await eventually(() => a.leader.isLeader() !== b.leader.isLeader() && (a.leader.isLeader() || b.leader.isLeader()), 5000);
  });
});

describe.skipIf(!url)('one WeCom long connection across instances (leader holds it)', () => {
  const BOT = { botId: `aibot-${randomUUID().slice(0, 8)}`, secret: 'aibot-secret-for-tests' };
  let fake: Awaited<ReturnType<typeof startFakeAibot>>;
  let config: GongzhiConfig;
  const runtimes: Runtime[] = [];
  const instances: PlatformConnections[] = [];

  beforeAll(async () => {
    fake = await startFakeAibot(BOT);
    const cfg = await platformConfig(['wecom']);
    config = { ...cfg, groups: cfg.groups.map((g) => (g.platform === 'wecom' ? { ...g, outbound: { kind: 'wecom-aibot' as const } } : g)) };
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    for (const r of runtimes) await r.close();
    await fake?.close();
  });

  it('two instances on one database: one connection; the leader stops and the other connects within seconds, without a reconnect storm', async () => {
    const database = await TEST_DATABASES.find((d) => d.kind === 'postgres')!.open();
    const rawEnv = { WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret, WECOM_BOT_WS_URL: fake.wsUrl };
    for (let i = 0; i < 2; i++) {
      const rt = await createTestRuntime(database, { config, rawEnv });
      runtimes.push(rt);
      instances.push(startPlatformConnections(rt, { DATABASE_URL: url }, rawEnv, { pollMs: POLL_MS, wecom: { reconnectBaseMs: 50, replacedBackoffMs: 1000 } })!);
    }
    await eventually(() => fake.liveConnections() === 1, 10_000);
    await new Promise((r) => setTimeout(r, POLL_MS * 10));
    expect(fake.connections()).toBe(1);
    expect(instances.filter((i) => i.held().wecom !== null)).toHaveLength(1);
    const leader = instances.find((i) => i.leader.isLeader())!;
    const follower = instances.find((i) => i !== leader)!;
    await leader.stop();
    const t0 = Date.now();
    await eventually(() => follower.held().wecom?.state().connected, 10_000);
    expect(Date.now() - t0).toBeLessThan(8000);
    await new Promise((r) => setTimeout(r, POLL_MS * 10));
    expect(fake.connections()).toBe(2);
    expect(fake.liveConnections()).toBe(1);
  });
});
