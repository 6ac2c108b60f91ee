import type { Context } from 'hono';

/**
 * A stored photo, served privately and never content-sniffed into something else by the browser;
 * the sandbox CSP keeps a polyglot (image header, HTML after it) inert even if opened directly.
 */
export function imageResponse(c: Context, photo: { content_type: string; data: Uint8Array }): Response {
  return c.body(new Uint8Array(photo.data) as Uint8Array<ArrayBuffer>, 200, { 'content-type': photo.content_type, 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" });
}
