/**
 * Query parameters decoded exactly once with decodeURIComponent. URLSearchParams would also
 * turn '+' into a space, which corrupts base64 values such as WeCom's echostr.
 */
export function parseQueryOnce(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    try {
      out[decodeURIComponent(k)] = decodeURIComponent(v);
    } catch {
      // A malformed escape is left out; verification then fails with a clear reason.
    }
  }
  return out;
}

/** Thrown by a parser for a body that passed verification but is not what the platform sends. */
export class BadPayloadError extends Error {}

/** Minimal reader for WeCom's flat callback XML: <Tag><![CDATA[v]]></Tag> or <Tag>v</Tag>. */
export function readXmlFields(xml: string): Record<string, string> {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(xml);
  if (!root) throw new BadPayloadError('not a WeCom XML document');
  const out: Record<string, string> = {};
  const re = /<([A-Za-z][A-Za-z0-9_]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  for (const m of root[1]!.matchAll(re)) out[m[1]!] = m[2] ?? m[3] ?? '';
  return out;
}
