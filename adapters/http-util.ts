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

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Minimal reader for WeCom's flat callback XML: <Tag><![CDATA[v]]></Tag> or <Tag>v</Tag>; the
 * fields of nested elements (an event's <SendPicsInfo>) are read as if they were flat.
 * A single forward scan with indexOf, never a backtracking regular expression: it runs before
 * the signature check, so its cost must not depend on what an attacker nests or leaves open.
 */
export function readXmlFields(xml: string): Record<string, string> {
  let start = 0;
  let end = xml.length;
  while (start < end && /\s/.test(xml[start]!)) start++;
  while (end > start && /\s/.test(xml[end - 1]!)) end--;
  if (xml.startsWith('<?xml', start)) {
    const prolog = xml.indexOf('?>', start);
    if (prolog < 0) throw new BadPayloadError('not a WeCom XML document');
    start = prolog + 2;
    while (start < end && /\s/.test(xml[start]!)) start++;
  }
  if (!xml.startsWith('<xml>', start) || end - start < 11 || xml.slice(end - 6, end) !== '</xml>') throw new BadPayloadError('not a WeCom XML document');
  const out: Record<string, string> = {};
  let i = start + 5;
  const stop = end - 6;
  while (i < stop) {
    const open = xml.indexOf('<', i);
    if (open < 0 || open >= stop) break;
    const close = xml.indexOf('>', open);
    if (close < 0 || close >= stop) throw new BadPayloadError('unclosed tag in WeCom XML');
    const name = xml.slice(open + 1, close);
    i = close + 1;
    // A closing tag of a container, or something that is not a field: step over it.
    if (!NAME.test(name)) continue;
    let value: string;
    let after: number;
    if (xml.startsWith('<![CDATA[', i)) {
      const cdataEnd = xml.indexOf(']]>', i + 9);
      if (cdataEnd < 0 || cdataEnd >= stop) throw new BadPayloadError('unclosed CDATA in WeCom XML');
      value = xml.slice(i + 9, cdataEnd);
      after = cdataEnd + 3;
    } else {
      const next = xml.indexOf('<', i);
      after = next < 0 ? stop : next;
      value = xml.slice(i, after);
    }
    const closing = `</${name}>`;
    if (xml.startsWith(closing, after)) {
      // The first of a repeated field stands: WeCom sends the sender before the content, so a
      // text that smuggled in a closing tag and a second <FromUserName> cannot replace it.
      if (!Object.hasOwn(out, name)) out[name] = value;
      i = after + closing.length;
    } else {
      // A container (its children follow) or a field left open: read on from after its text.
      i = after;
    }
  }
  return out;
}

/**
 * Reply URLs (DingTalk's sessionWebhook, WeCom's response_url) come in the callback body, which
 * DingTalk's signature does not cover; a reply carries a ticket's text, so it is sent only to
 * the platform's own API hosts (the configured bases, so loopback fakes count in tests).
 */
export function isAllowedReplyUrl(url: string, hosts: string[]): boolean {
  try {
    return hosts.includes(new URL(url).host);
  } catch {
    return false;
  }
}
