import type { Context } from 'hono';

/**
 * The address abuse limits count against. Cloudflare sets cf-connecting-ip itself; behind a
 * reverse proxy (nginx) the deployment opts in to X-Forwarded-For, which a client could
 * otherwise forge to dodge the limits; on plain Node it is the socket's peer address.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  const cf = c.req.header('cf-connecting-ip');
  if (cf) return cf;
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (xff) return xff;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
