import type { OutboundAdapter, SendResult } from '../../adapters/types';
import type { Db } from '../db/database';
import type { Platform } from '../domain/message';
import type { Logger } from '../logger';
import { claimDuePosts, markDead, markRetry, markSent } from '../repo/outbox';

export interface DrainerOptions {
  db: Db;
  adapters: Partial<Record<Platform, OutboundAdapter>>;
  now: () => Date;
  logger: Logger;
  batchSize?: number;
  /** How long a claimed post stays leased to this process. */
  leaseMs?: number;
  maxAttempts?: number;
  /** 0..1 → 0..1, injectable so tests get exact schedules. */
  random?: () => number;
}

export interface OutboxDrainer {
  /** Sends what is due now; returns how many posts were attempted. */
  drainOnce(): Promise<number>;
  /** Ask for a drain soon (after a transaction enqueued posts). */
  kick(): void;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/** Exponential backoff with full jitter: 2 s, 4 s, 8 s … capped at 10 minutes. */
export function backoffMs(attempt: number, random: () => number): number {
  const cap = 10 * 60_000;
  const base = Math.min(cap, 2000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

export function createOutboxDrainer(opts: DrainerOptions): OutboxDrainer {
  const batchSize = opts.batchSize ?? 50;
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 12;
  const random = opts.random ?? Math.random;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  async function sendOne(id: number, attempts: number, adapter: OutboundAdapter | undefined, send: () => Promise<SendResult>) {
    const now = opts.now();
    if (!adapter) {
      await markRetry(opts.db, id, 'no adapter configured for this platform', new Date(now.getTime() + 10 * 60_000));
      opts.logger.warn('outbox.no_adapter', { id, hint: 'set the platform credentials in the environment, or remove the group from the configuration' });
      return;
    }
    let result: SendResult;
    try {
      result = await send();
    } catch (e) {
      result = { ok: false, retry: 'transient', error: (e as Error).message };
    }
    if (result.ok) {
      await markSent(opts.db, id, opts.now());
      return;
    }
    if (result.retry === 'never' || attempts >= maxAttempts) {
      await markDead(opts.db, id, result.error);
      opts.logger.error('outbox.dead_letter', { id, attempts, error: result.error });
      return;
    }
    const wait = result.retry === 'throttled' ? Math.max(result.retryAfterMs, backoffMs(attempts, random)) : backoffMs(attempts, random);
    await markRetry(opts.db, id, result.error, new Date(opts.now().getTime() + wait));
    opts.logger.warn('outbox.retry', { id, attempts, retryInMs: wait, error: result.error });
  }

  async function drainLoop(): Promise<number> {
    let total = 0;
    for (;;) {
      const posts = await claimDuePosts(opts.db, { now: opts.now(), limit: batchSize, leaseMs });
      // In claim order, one at a time: posts about one ticket must arrive in the order they were written.
      for (const p of posts) {
        const adapter = opts.adapters[p.message.platform];
        await sendOne(p.id, p.attempts, adapter, () => adapter!.send(p.message));
      }
      total += posts.length;
      if (posts.length < batchSize) return total;
    }
  }

  const drainer: OutboxDrainer = {
    async drainOnce() {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        let n = 0;
        do {
          again = false;
          n += await drainLoop();
        } while (again);
        return n;
      })().finally(() => (running = null));
      return running;
    },
    kick() {
      void drainer.drainOnce().catch((e) => opts.logger.error('outbox.drain_failed', { error: (e as Error).message }));
    },
    start(intervalMs = 1000) {
      if (timer) return;
      timer = setInterval(() => drainer.kick(), intervalMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
  return drainer;
}
