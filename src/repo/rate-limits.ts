import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface RateLimit {
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
}

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/**
 * Counts one attempt under `key` in the current fixed window and says whether it is allowed.
 * The counter lives in the database, so several instances (or Workers isolates) share it.
 */
export async function hitRateLimit(db: Db, key: string, rule: RateLimit, now: Date): Promise<RateDecision> {
  const start = new Date(Math.floor(now.getTime() / rule.windowMs) * rule.windowMs);
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: start, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  if (row.count <= rule.limit) return { allowed: true, remaining: rule.limit - row.count };
  return { allowed: false, retryAfterMs: start.getTime() + rule.windowMs - now.getTime() };
}

/** Forgets a key's counts (a successful sign-in clears its failures). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Old windows are useless once over; the sweep removes them. */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', before).execute();
}
