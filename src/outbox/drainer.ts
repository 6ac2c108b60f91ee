import type { OutboundAdapter, SendResult } from '../../adapters/types';
import type { Db } from '../db/database';
import type { Platform } from '../domain/message';
import type { Logger } from '../logger';
import { afterCardSent, prepareCardPost } from '../pipeline/cards';
import { blockedUntil, claimDuePosts, coalesceBacklog, type ClaimedPost, deferPost, markDead, markRetry, markSent, pendingBehind, sentSince } from '../repo/outbox';

export interface DrainerOptions {
  db: Db;
  adapters: Partial<Record<Platform, OutboundAdapter>>;
  now: () => Date;
  logger: Logger;
  batchSize?: number;
  /** How long a claimed post stays leased to this process. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Posts per minute per group robot; the platforms cut off at 20. */
  perMinute?: number;
  /** Fold a destination's backlog into one summary once this many posts wait behind the current one. */
  coalesceAt?: number;
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

/** How long a post waits when this instance does not hold its channel (another instance may). */
const UNAVAILABLE_DEFER_MS = 2000;

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
  const perMinute = opts.perMinute ?? 15;
  const coalesceAt = opts.coalesceAt ?? 3;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  async function sendOne(id: number, attempts: number, adapter: OutboundAdapter | undefined, send: () => Promise<SendResult>, onSent?: (r: SendResult & { ok: true }) => Promise<void>) {
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
      await onSent?.(result);
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
      const claimed = await claimDuePosts(opts.db, { now: opts.now(), limit: batchSize, leaseMs });
      if (claimed.length === 0) return total;
      // Per throttled destination only the head of the batch goes now; the rest return to the
      // queue, where the head can fold them into one summary post.
      const heads = new Set<string>();
      const posts: typeof claimed = [];
      const released: number[] = [];
      for (const p of claimed) {
        if (p.destination && p.message.platform !== 'local') {
          if (heads.has(p.destination)) {
            released.push(p.id);
            continue;
          }
          heads.add(p.destination);
        }
        posts.push(p);
      }
      for (const id of released) await deferPost(opts.db, id, opts.now());
      // In claim order, one at a time: posts about one ticket must arrive in the order they were written.
      for (const p of posts) await deliver(p);
      total += posts.length;
      if (released.length === 0 && claimed.length < batchSize) return total;
    }
  }

  async function deliver(p: ClaimedPost): Promise<void> {
    const adapter = opts.adapters[p.message.platform];
    let message = p.message;
    // A channel only one instance holds (the WeCom long connection): elsewhere the post waits,
    // without counting an attempt, for the instance that has it.
    const available = (adapter as { available?: (m: typeof message) => boolean } | undefined)?.available;
    if (available && !available(message)) {
      await deferPost(opts.db, p.id, new Date(opts.now().getTime() + UNAVAILABLE_DEFER_MS));
      return;
    }
    if (p.destination && adapter) {
      const blocked = await blockedUntil(opts.db, p.destination, p.id);
      if (blocked) {
        await deferPost(opts.db, p.id, new Date(Math.max(blocked.getTime(), opts.now().getTime()) + 1));
        return;
      }
    }
    if (p.destination && adapter && p.message.platform !== 'local') {
      // The budget is read from the database, so every instance shares one limit per robot.
      const now = opts.now();
      const window = await sentSince(opts.db, p.destination, new Date(now.getTime() - 60_000));
      if (window.count >= perMinute) {
        await deferPost(opts.db, p.id, new Date((window.oldest ?? now).getTime() + 60_000));
        return;
      }
      if ((await pendingBehind(opts.db, p.destination, p.id)) >= coalesceAt) {
        const folded = await coalesceBacklog(opts.db, p, 30);
        message = folded.message;
        opts.logger.info('outbox.coalesced', { id: p.id, destination: p.destination, merged: folded.merged });
      }
    }
    if (!adapter || !(message.payload.card || message.target.kind === 'card')) return sendOne(p.id, p.attempts, adapter, () => adapter!.send(message));
    // Cards show the ticket as it is now, not as it was when the post was written.
    const prepared = await prepareCardPost(opts.db, { message, ticketId: p.ticketId });
    if (!prepared) {
      await markSent(opts.db, p.id, opts.now());
      return;
    }
    await sendOne(p.id, p.attempts, adapter, () => adapter.send(prepared.message), (r) => afterCardSent(opts.db, p, prepared, r, opts.now()));
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
