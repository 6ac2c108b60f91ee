/** What the report page accepts as a photo, recognised by content, never by the file name. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/**
 * The server never decodes a photo, but staff's browsers do: a few KB declaring 60000×60000
 * pixels would take 14 GB there. 120 megapixels and 20000 a side cover a 108 MP phone camera.
 */
export const MAX_IMAGE_PIXELS = 120_000_000;
export const MAX_IMAGE_SIDE = 20_000;

/**
 * The type, by magic bytes; null when it is not one of ours, when its header cannot be read
 * (cut short, or a layout we do not know) or declares pixel dimensions that are zero or beyond
 * the limits above. An unreadable header is refused, not stored: nothing here knows what a
 * browser would make of it, and a photo that was cut off in upload is better sent again.
 */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  const r = checkImage(bytes);
  return r.ok ? r.type : null;
}

export type ImageCheck = { ok: true; type: ImageType } | { ok: false; reason: 'not_image' | 'unreadable' | 'too_large' };

/** sniffImage with the reason for a refusal, for a message that tells the sender what to do. */
export function checkImage(bytes: Uint8Array): ImageCheck {
  const type = magicType(bytes);
  if (!type) return { ok: false, reason: 'not_image' };
  const size = imageDimensions(bytes, type);
  if (!size) return { ok: false, reason: 'unreadable' };
  if (!dimensionsAllowed(size)) return { ok: false, reason: 'too_large' };
  return { ok: true, type };
}

/** What the report page says about a refused photo, by reason. */
export const IMAGE_REFUSALS: Record<Exclude<ImageCheck, { ok: true }>['reason'], string> = {
  not_image: '不是 JPG、PNG 或 WebP 图片',
  unreadable: '图片不完整或无法识别尺寸（可能上传时被截断），请重新选择或截图后上传',
  too_large: '图片尺寸异常（像素为 0 或超过 2 万像素边长），请换一张或截图后上传',
};

export const dimensionsAllowed = ({ width, height }: { width: number; height: number }) =>
  width > 0 && height > 0 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE && width * height <= MAX_IMAGE_PIXELS;

function magicType(bytes: Uint8Array): ImageType | null {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return 'image/png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.slice(from, to));

/** Width and height as the header declares them, read without decoding any pixel data; null when not readable. */
export function imageDimensions(bytes: Uint8Array, type: ImageType): { width: number; height: number } | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (n: number) => bytes.length >= n;
  if (type === 'image/png') {
    // IHDR is the first chunk by the specification.
    return has(24) && ascii(bytes, 12, 16) === 'IHDR' ? { width: v.getUint32(16), height: v.getUint32(20) } : null;
  }
  if (type === 'image/webp') {
    if (!has(30)) return null; // every WebP header variant ends by byte 30
    const chunk = ascii(bytes, 12, 16);
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    if (chunk === 'VP8X') return { width: 1 + u24(24), height: 1 + u24(27) };
    if (chunk === 'VP8L' && bytes[20] === 0x2f) {
      const bits = v.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8 ' && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
    return null;
  }
  // JPEG: walk the marker segments up to the first start-of-frame (it must precede the scan).
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = v.getUint16(i + 2);
    if (length < 2) return null;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return i + 9 <= bytes.length ? { width: v.getUint16(i + 7), height: v.getUint16(i + 5) } : null;
    i += 2 + length;
  }
  return null;
}
