/**
 * Why a photo from a chat could not be fetched. Each ends up, in words, in the ticket's timeline
 * (the ticket is opened all the same) and in the log.
 */
export type PhotoFailure = 'expired' | 'not_found' | 'too_big' | 'timeout' | 'refused_host' | 'decrypt' | 'failed' | 'not_configured';

export class PhotoFetchError extends Error {
  constructor(
    readonly reason: PhotoFailure,
    detail: string,
  ) {
    super(detail);
  }
}

export interface DownloadOptions {
  fetch: typeof fetch;
  /** Bytes accepted at most; a larger body is cut off while it streams, never read whole. */
  maxBytes: number;
  signal: AbortSignal;
  /** Hosts fetched over plain http too (the configured API bases: proxies, loopback fakes); anything else must be https. */
  plainHttpHosts: string[];
}

/** Only https, or a configured platform host: a URL from a callback never reaches the intranet. */
export function checkDownloadUrl(url: string, plainHttpHosts: string[]): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PhotoFetchError('refused_host', 'not a URL');
  }
  const configured = plainHttpHosts.includes(u.host);
  if (!configured && isInternalHost(u.hostname)) throw new PhotoFetchError('refused_host', `${u.host} is an internal address`);
  if (u.protocol === 'https:' || (u.protocol === 'http:' && configured)) return u;
  throw new PhotoFetchError('refused_host', `${u.protocol}//${u.host} is neither https nor a configured platform host`);
}

/**
 * Loopback, private, link-local and unique-local addresses written as such (and localhost):
 * the platforms' file hosts are public, so a URL naming one of these is refused. (A public
 * name that resolves inward is not caught here; the server's egress rules are the backstop.)
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h)?.slice(1).map(Number);
  if (v4) {
    const [a, b] = v4 as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (h.includes(':')) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isInternalHost(mapped[1]!);
    return h === '::' || h === '::1' || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h) || /^::ffff:/.test(h);
  }
  return false;
}

/** GET with a size cap, a deadline (the caller's signal) and no redirects to elsewhere unchecked. */
export async function downloadCapped(url: string, opts: DownloadOptions): Promise<Uint8Array> {
  let target = checkDownloadUrl(url, opts.plainHttpHosts);
  let res: Response;
  try {
    // Redirects are followed by hand so each hop passes the same host rule.
    for (let hop = 0; ; hop++) {
      res = await opts.fetch(target, { redirect: 'manual', signal: opts.signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) break;
      await res.body?.cancel();
      if (hop >= 3) throw new PhotoFetchError('failed', 'too many redirects');
      target = checkDownloadUrl(new URL(location, target).href, opts.plainHttpHosts);
    }
  } catch (e) {
    throw toFetchError(e);
  }
  if (res.status === 404) throw new PhotoFetchError('not_found', 'HTTP 404');
  if (res.status === 403 || res.status === 410) throw new PhotoFetchError('expired', `HTTP ${res.status}`);
  if (!res.ok) throw new PhotoFetchError('failed', `HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) {
    await res.body?.cancel();
    throw new PhotoFetchError('too_big', `content-length ${declared}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = res.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > opts.maxBytes) {
        await reader.cancel();
        throw new PhotoFetchError('too_big', `more than ${opts.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    throw toFetchError(e);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function toFetchError(e: unknown): PhotoFetchError {
  if (e instanceof PhotoFetchError) return e;
  const name = (e as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new PhotoFetchError('timeout', 'download timed out');
  return new PhotoFetchError('failed', (e as Error).message);
}
