import { hmacHex } from '../auth/tokens';

/**
 * A human check that needs no outside service: a small sum to solve, carried in a signed
 * token with the time it was issued. Scripts that post at once, re-use a solved token (the
 * caller records the nonce) or come back hours later fail; people barely notice it.
 */
export interface Challenge {
  question: string;
  token: string;
}

export const CHECK_MIN_MS = 3_000;
export const CHECK_MAX_MS = 30 * 60_000;
const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

export async function createChallenge(secret: string, now: Date, random: () => number = Math.random): Promise<Challenge> {
  const a = 2 + Math.floor(random() * 8);
  const b = 1 + Math.floor(random() * 9);
  const nonce = crypto.randomUUID();
  const payload = `${now.getTime()}.${nonce}`;
  const sig = await hmacHex(`human-check:${secret}`, `${payload}.${a + b}`);
  // Chinese numerals for one operand: trivial for people, one more step for a naive script.
  return { question: `${DIGITS[a]} 加 ${b} 等于几？`, token: `${payload}.${sig}` };
}

export type CheckResult = { ok: true; nonce: string } | { ok: false; reason: string };

export async function verifyChallenge(secret: string, token: string, answer: string, now: Date): Promise<CheckResult> {
  const [issued, nonce, sig] = token.split('.');
  const issuedAt = Number(issued);
  if (!nonce || !sig || !Number.isFinite(issuedAt)) return { ok: false, reason: '验证已失效，请刷新页面后重试' };
  const age = now.getTime() - issuedAt;
  if (age > CHECK_MAX_MS || age < 0) return { ok: false, reason: '页面停留过久，请刷新页面后重试' };
  const value = answer.trim().replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10));
  if (!/^\d{1,3}$/.test(value) || (await hmacHex(`human-check:${secret}`, `${issued}.${nonce}.${Number(value)}`)) !== sig) {
    return { ok: false, reason: '验证题答案不对，请重新计算' };
  }
  if (age < CHECK_MIN_MS) return { ok: false, reason: '提交太快了，请稍等几秒再提交' };
  return { ok: true, nonce };
}
