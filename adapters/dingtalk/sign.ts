import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)): DingTalk's robot signature. */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export const MAX_CLOCK_SKEW_MS = 60 * 60 * 1000;

export type SignCheck = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature'; hint: string };

/** Verifies an HTTP-mode callback's `timestamp` (ms) and `sign` headers. Pure: the clock is a parameter. */
export function verifyDingtalkHeaders(headers: Headers, secret: string, now: Date): SignCheck {
  const timestamp = headers.get('timestamp');
  const sign = headers.get('sign');
  if (!timestamp || !sign) {
    return { ok: false, reason: 'missing_headers', hint: 'no timestamp/sign headers: is this URL the robot’s HTTP message-receiving address in the DingTalk developer console?' };
  }
  const ts = Number(timestamp);
  if (!Number.isFinite(ts) || Math.abs(now.getTime() - ts) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: 'stale_timestamp', hint: 'timestamp is more than 1 hour off: check this server’s clock (NTP)' };
  }
  const expected = Buffer.from(dingtalkSign(secret, timestamp));
  const given = Buffer.from(sign);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad_signature', hint: 'sign does not match: check DINGTALK_CLIENT_SECRET (the app’s AppSecret / Client Secret)' };
  }
  return { ok: true };
}

/** Query for a custom robot with 加签: the sign is URL-encoded exactly once. */
export function customRobotQuery(accessToken: string, secret: string | undefined, now: Date): string {
  const base = `access_token=${encodeURIComponent(accessToken)}`;
  if (!secret) return base;
  const timestamp = String(now.getTime());
  return `${base}&timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
}
