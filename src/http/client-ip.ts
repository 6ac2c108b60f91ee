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

/**
 * Whether the browser reached us over TLS: the request itself, a TLS-terminating proxy we trust
 * (X-Forwarded-Proto from the nearest hop), or a deployment published at an https address.
 * Cookies set then carry `Secure`, so they never travel over plain HTTP.
 */
export function cameOverTls(c: Context, trust: ProxyTrust, publicUrl?: string): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (publicUrl?.startsWith('https://')) return true;
  if (trust === 'cloudflare' || trust > 0) {
    const proto = c.req.header('x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase();
    if (proto === 'https') return true;
  }
  return false;
}
