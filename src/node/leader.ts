import { createHash } from 'node:crypto';
import type { Logger } from '../logger';

export interface LeaderOptions {
  /** postgres://… — without one (PGlite, a single process by construction) this process always leads. */
  databaseUrl?: string | undefined;
  /** What is led; instances agree on it (e.g. the bot ids whose one connection is at stake). */
  name: string;
  /** How often a follower tries the lock and the leader checks its session. */
  pollMs?: number;
  logger: Logger;
  /** Called once per term, when this instance becomes leader. */
  onElected: () => void | Promise<void>;
  /** Called when the term ends (lost session, stop()); connections held for the term close here. */
  onDemoted: () => void | Promise<void>;
}

export interface Leader {
  start(): void;
  stop(): Promise<void>;
  isLeader(): boolean;
  /** Resolves after the next poll has run (tests). */
  settled(): Promise<void>;
}

/** A signed 64-bit advisory-lock key from the name, so unrelated deployments sharing a database do not collide. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`gongzhi-leader:${name}`).digest().readBigInt64BE(0).toString();
}

interface LockClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
  on(event: 'error' | 'end', fn: (e?: Error) => void): unknown;
}

/**
 * Leader election with a PostgreSQL session advisory lock held on a dedicated connection:
 * whoever holds `pg_try_advisory_lock(key)` leads. When the leader dies its session ends and
 * PostgreSQL releases the lock; a follower's next poll takes it. A leader whose own session
 * fails (error, end, a health query that times out) steps down at once, before anyone else
 * can be elected on that lock, so two terms never overlap on purpose.
 */
export function createLeader(opts: LeaderOptions): Leader {
  const pollMs = opts.pollMs ?? 5000;
  const key = advisoryKey(opts.name);
  let leader = false;
  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let client: LockClient | null = null;
  // Terms begin and end in order, even when a loss is noticed while a poll is running.
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (chain = chain.then(fn, fn));

  async function newClient(): Promise<LockClient> {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: opts.databaseUrl, keepAlive: true, query_timeout: Math.max(1000, pollMs * 2), connectionTimeoutMillis: Math.max(2000, pollMs * 2), application_name: 'gongzhi-leader' }) as unknown as LockClient;
    c.on('error', (e) => lose(c, e?.message ?? 'error'));
    c.on('end', () => lose(c, 'connection ended'));
    await c.connect();
    return c;
  }

  function lose(c: LockClient, reason: string): void {
    if (client !== c) return;
    client = null;
    void c.end().catch(() => undefined);
    if (!leader) return;
    void serial(async () => {
      if (!leader) return;
      leader = false;
      opts.logger.warn('leader.lost', { name: opts.name, reason: reason.slice(0, 200) });
      await opts.onDemoted();
    });
  }

  async function poll(): Promise<void> {
    if (stopped) return;
    if (!opts.databaseUrl) {
      if (!leader) {
        leader = true;
        opts.logger.info('leader.elected', { name: opts.name, database: 'pglite' });
        await opts.onElected();
      }
      return;
    }
    try {
      client ??= await newClient();
      const c = client;
      if (leader) {
        await c.query('select 1');
        return;
      }
      const r = await c.query('select pg_try_advisory_lock($1::bigint) as ok', [key]);
      if (r.rows[0]?.ok === true && !stopped && client === c) {
        leader = true;
        opts.logger.info('leader.elected', { name: opts.name });
        await opts.onElected();
      }
    } catch (e) {
      if (client) lose(client, (e as Error).message);
      else if (!stopped) opts.logger.warn('leader.poll_failed', { name: opts.name, error: (e as Error).message.slice(0, 200) });
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void serial(poll).finally(schedule);
    }, pollMs);
    timer.unref?.();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void serial(poll).finally(schedule);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await serial(async () => {
        const c = client;
        client = null;
        if (leader) {
          leader = false;
          await opts.onDemoted();
        }
        if (c) {
          // Ending the session releases the lock; unlocking first lets a follower in without waiting for the close.
          await c.query('select pg_advisory_unlock_all()').catch(() => undefined);
          await c.end().catch(() => undefined);
        }
      });
    },
    isLeader: () => leader,
    settled: () => chain,
  };
}
