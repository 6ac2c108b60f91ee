import type { Context } from 'hono';

/** A stored photo, served privately and never content-sniffed into something else by the browser. */
export function imageResponse(c: Context, photo: { content_type: string; data: Uint8Array }): Response {
  return c.body(new Uint8Array(photo.data) as Uint8Array<ArrayBuffer>, 200, { 'content-type': photo.content_type, 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' });
}
