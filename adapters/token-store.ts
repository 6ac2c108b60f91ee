/** A platform access token and when this process should stop using it (epoch ms). */
export interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Where access tokens live between requests. On Workers every request rebuilds the clients, so
 * an in-memory cache dies with the request and each one would call gettoken (WeCom throttles
 * it); the database store keeps one token per app for every request and instance.
 */
export interface TokenStore {
  /** The stored token for `key` while valid; else the one `fetchToken` returns, fetched by one caller at a time. */
  get(key: string, fetchToken: () => Promise<CachedToken>): Promise<CachedToken>;
  /** The platform refused `value` (expired early, secret rotated): forget it unless it was replaced already. */
  invalidate(key: string, value: string): Promise<void>;
}

/** One process's cache, with single-flight refresh (what the clients did before, now shared by key). */
export function createMemoryTokenStore(now: () => number = Date.now): TokenStore {
  const tokens = new Map<string, CachedToken>();
  const pending = new Map<string, Promise<CachedToken>>();
  return {
    async get(key, fetchToken) {
      const t = tokens.get(key);
      if (t && t.expiresAt > now()) return t;
      let p = pending.get(key);
      if (!p) {
        p = fetchToken()
          .then((fresh) => (tokens.set(key, fresh), fresh))
          .finally(() => pending.delete(key));
        pending.set(key, p);
      }
      return p;
    },
    async invalidate(key, value) {
      if (tokens.get(key)?.value === value) tokens.delete(key);
    },
  };
}
