import type { CachedToken, TokenStore } from '../../adapters/token-store';
import type { Db } from '../db/database';

export interface DbTokenStoreOptions {
  now: () => Date;
  /** How long one caller may take to fetch a token before another may try. */
  leaseMs?: number;
  /** How often a waiting caller looks for the new token. */
  pollMs?: number;
  /** Give up waiting for another caller's refresh after this long. */
  waitMs?: number;
}

/**
 * Tokens in the platform_tokens table. A caller that finds none valid takes the row's refresh
 * lease with one upsert (a row lock decides between concurrent callers), fetches, and stores the
 * token; the others poll the row until it appears. A dead holder's lease simply runs out.
 * In-process callers also share one promise, so a burst costs one query, not one per send.
 */
export function createDbTokenStore(db: Db, opts: DbTokenStoreOptions): TokenStore {
  const leaseMs = opts.leaseMs ?? 15_000;
  const pollMs = opts.pollMs ?? 100;
  const waitMs = opts.waitMs ?? 20_000;
  const pending = new Map<string, Promise<CachedToken>>();

  async function stored(key: string): Promise<CachedToken | null> {
    const r = await db.selectFrom('platform_tokens').select(['value', 'expires_at']).where('key', '=', key).executeTakeFirst();
    return r?.value && r.expires_at && r.expires_at.getTime() > opts.now().getTime() ? { value: r.value, expiresAt: r.expires_at.getTime() } : null;
  }

  async function takeLease(key: string): Promise<boolean> {
    const now = opts.now();
    const until = new Date(now.getTime() + leaseMs);
    const r = await db
      .insertInto('platform_tokens')
      .values({ key, value: null, expires_at: null, refreshing_until: until })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ refreshing_until: until })
          .where((eb) => eb.or([eb('platform_tokens.refreshing_until', 'is', null), eb('platform_tokens.refreshing_until', '<', now)]))
          // Another caller stored a fresh token after we looked: keep it, do not fetch again.
          .where((eb) => eb.or([eb('platform_tokens.expires_at', 'is', null), eb('platform_tokens.expires_at', '<=', now)])),
      )
      .returning('key')
      .executeTakeFirst();
    return !!r;
  }

  async function obtain(key: string, fetchToken: () => Promise<CachedToken>): Promise<CachedToken> {
    for (let polls = 0; ; polls++) {
      const t = await stored(key);
      if (t) return t;
      if (await takeLease(key)) {
        try {
          const fresh = await fetchToken();
          await db.updateTable('platform_tokens').set({ value: fresh.value, expires_at: new Date(fresh.expiresAt), refreshing_until: null }).where('key', '=', key).execute();
          return fresh;
        } catch (e) {
          await db.updateTable('platform_tokens').set({ refreshing_until: null }).where('key', '=', key).execute();
          throw e;
        }
      }
      // Counted in polls, not on the injected clock: it measures the other caller's HTTP call.
      if (polls * pollMs > waitMs) throw new Error(`timed out waiting for another instance to refresh the ${key} access token`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  return {
    get(key, fetchToken) {
      let p = pending.get(key);
      if (!p) {
        p = obtain(key, fetchToken).finally(() => pending.delete(key));
        pending.set(key, p);
      }
      return p;
    },
    async invalidate(key, value) {
      await db.updateTable('platform_tokens').set({ expires_at: null }).where('key', '=', key).where('value', '=', value).execute();
    },
  };
}
