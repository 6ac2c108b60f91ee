import { deflateSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { imageResponse } from '../../src/http/image';
import { checkImage, imageDimensions, MAX_IMAGE_SIDE, sniffImage } from '../../src/report-page/images';
import { TINY_PNG } from '../helpers/report-form';

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const bytes = (...parts: Array<number[] | Uint8Array | string>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])));

/** A PNG header declaring w×h, then whatever IDAT is given (CRCs are not checked by us, nor needed). */
const png = (w: number, h: number, idat: Uint8Array = new Uint8Array(0)) =>
  bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(w), be32(h), [8, 6, 0, 0, 0], be32(0), be32(idat.length), 'IDAT', idat, be32(0), be32(0), 'IEND', be32(0));
/** A JPEG with an APP0 segment, then a baseline SOF0 declaring w×h. */
const jpeg = (w: number, h: number) =>
  bytes([0xff, 0xd8, 0xff, 0xe0], [0, 16], 'JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0], [0xff, 0xc0], [0, 17, 8], [(h >> 8) & 255, h & 255, (w >> 8) & 255, w & 255], [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1], [0xff, 0xda], [0, 12]);
const webpX = (w: number, h: number) => bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8X', [10, 0, 0, 0], [0, 0, 0, 0], le24(w - 1), le24(h - 1));
const webpL = (w: number, h: number) => {
  const bits = ((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14);
  return bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8L', [5, 0, 0, 0], [0x2f], [bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255], [0, 0, 0, 0, 0]);
};
const webpLossy = (w: number, h: number) => bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8 ', [10, 0, 0, 0], [0, 0, 0], [0x9d, 0x01, 0x2a], le16(w), le16(h));

describe('photo headers are checked before anything could decode them', () => {
  it('reads the declared size of PNG, JPEG and WebP (lossy, lossless, extended) without decoding', () => {
    expect(imageDimensions(TINY_PNG, 'image/png')).toEqual({ width: 1, height: 1 });
    expect(imageDimensions(png(4000, 3000), 'image/png')).toEqual({ width: 4000, height: 3000 });
    expect(imageDimensions(jpeg(4032, 3024), 'image/jpeg')).toEqual({ width: 4032, height: 3024 });
    expect(imageDimensions(webpX(1600, 1200), 'image/webp')).toEqual({ width: 1600, height: 1200 });
    expect(imageDimensions(webpL(1600, 1200), 'image/webp')).toEqual({ width: 1600, height: 1200 });
    expect(imageDimensions(webpLossy(1600, 1200), 'image/webp')).toEqual({ width: 1600, height: 1200 });
    // Ordinary phone photos pass.
    for (const b of [png(4000, 3000), jpeg(4032, 3024), jpeg(12_000, 9000), webpX(1600, 1200)]) expect(sniffImage(b)).not.toBeNull();
  });

  it('recognises JPEG, PNG and WebP by their content, and nothing else', () => {
    expect(sniffImage(TINY_PNG)).toBe('image/png');
    expect(sniffImage(jpeg(640, 480))).toBe('image/jpeg');
    expect(sniffImage(webpLossy(640, 480))).toBe('image/webp');
    expect(sniffImage(new TextEncoder().encode('<svg onload=alert(1)>'))).toBeNull();
    expect(sniffImage(new Uint8Array(0))).toBeNull();
  });

  it('refuses a file of a few bytes declaring 60000×60000 pixels, whatever the format', () => {
    for (const b of [png(60_000, 60_000), jpeg(60_000, 60_000), webpX(60_000, 60_000), webpL(16_384, 16_384), png(MAX_IMAGE_SIDE + 1, 10), png(0, 100), jpeg(0, 0)]) {
      expect(b.length).toBeLessThan(200);
      expect(sniffImage(b)).toBeNull();
    }
    // GIF is not accepted at all.
    expect(sniffImage(bytes('GIF89a', le16(60_000), le16(60_000), [0, 0, 0]))).toBeNull();
  });

  it('refuses a zip-bomb PNG (a few KB of IDAT inflating to 50 MB, declaring 20000×20000) from its header alone', () => {
    const idat = deflateSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    const bomb = png(20_000, 20_000, idat);
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(sniffImage(bomb)).toBeNull();
  });

  it('refuses a cut-off file whose header is too short to read its size, saying why', () => {
    const cut = png(60_000, 60_000).slice(0, 20);
    expect(imageDimensions(cut, 'image/png')).toBeNull();
    for (const b of [cut, jpeg(60_000, 60_000).slice(0, 22), TINY_PNG.slice(0, 20), webpX(1600, 1200).slice(0, 24)]) {
      expect(sniffImage(b)).toBeNull();
      expect(checkImage(b)).toEqual({ ok: false, reason: 'unreadable' });
    }
    expect(checkImage(png(60_000, 60_000))).toEqual({ ok: false, reason: 'too_large' });
    expect(checkImage(bytes('MZ not an image'))).toEqual({ ok: false, reason: 'not_image' });
    expect(checkImage(TINY_PNG)).toEqual({ ok: true, type: 'image/png' });
  });

  it('serves a polyglot (PNG header, then HTML) as an inert image: its sniffed type, nosniff and a sandbox CSP', async () => {
    const polyglot = bytes(TINY_PNG, '<html><script>alert(document.cookie)</script></html>');
    const type = sniffImage(polyglot)!;
    expect(type).toBe('image/png');
    const app = new Hono().get('/p', (c) => imageResponse(c, { content_type: type, data: polyglot }));
    const res = await app.request('/p');
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(polyglot);
  });
});
