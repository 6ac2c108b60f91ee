import type { Context } from 'hono';

/**
 * Whom to believe about the client's address: `'cloudflare'` on Workers (Cloudflare sets
 * cf-connecting-ip itself and drops a client's own), otherwise the number of reverse proxies in
 * front of this process (0: none, the socket peer is the client).
 */
export type ProxyTrust = number | 'cloudflare';

/**
 * The address abuse limits count against. Each proxy appends the peer it saw to
 * X-Forwarded-For, so only the last `hops` entries were written by proxies we run; everything
 * to their left is whatever the client sent, and taking it would let anyone pick their own key.
 */
export function clientIp(c: Context, trust: ProxyTrust): string {
  if (trust === 'cloudflare') return c.req.header('cf-connecting-ip') ?? 'unknown';
  if (trust > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const fromProxy = hops[hops.length - trust];
    if (fromProxy) return fromProxy;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
