import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface RateLimit {
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
}

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/**
 * Counts one attempt under `key` and says whether it is allowed. A sliding window estimated
 * from two fixed windows (the previous one weighted by how much of it still overlaps), so a
 * burst straddling a window boundary cannot get twice the limit. The counters live in the
 * database, so several instances (or Workers isolates) share them.
 */
export async function hitRateLimit(db: Db, key: string, rule: RateLimit, now: Date): Promise<RateDecision> {
  const startMs = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: new Date(startMs), count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return decide(db, key, rule, now, startMs, row.count);
}

async function decide(db: Db, key: string, rule: RateLimit, now: Date, startMs: number, count: number): Promise<RateDecision> {
  const previous = await db.selectFrom('rate_limits').select('count').where('key', '=', key).where('window_start', '=', new Date(startMs - rule.windowMs)).executeTakeFirst();
  const overlap = 1 - (now.getTime() - startMs) / rule.windowMs;
  const estimate = count + (previous?.count ?? 0) * overlap;
  if (estimate <= rule.limit) return { allowed: true, remaining: Math.floor(rule.limit - estimate) };
  // When enough of the previous window has slid out (or, failing that, when this one ends).
  const excess = estimate - rule.limit;
  const wait = previous?.count ? (excess / previous.count) * rule.windowMs : startMs + rule.windowMs - now.getTime();
  return { allowed: false, retryAfterMs: Math.max(1000, Math.min(Math.ceil(wait), startMs + rule.windowMs - now.getTime())) };
}

/**
 * Gives back one attempt counted by `hitRateLimit` (an attempt reserved before the outcome was
 * known that turned out not to count). Reserving first is what makes a limit hold under
 * concurrent requests: a peek followed by a count lets every request in a burst see the old count.
 */
export async function releaseRateLimit(db: Db, key: string, rule: RateLimit, now: Date): Promise<void> {
  const startMs = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs;
  await db
    .updateTable('rate_limits')
    .set({ count: sql`greatest(rate_limits.count - 1, 0)` })
    .where('key', '=', key)
    .where('window_start', '=', new Date(startMs))
    .execute();
}

/** Forgets a key's counts (a successful sign-in clears its failures). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Old windows are useless once over; the sweep removes them. */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', before).execute();
}
