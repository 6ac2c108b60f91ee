import { describe, expect, it } from 'vitest';
import { createChallenge, verifyChallenge } from '../../src/report-page/human-check';
import { solveCheck } from '../helpers/report-form';

const SECRET = 'a-secret-of-at-least-thirty-two-chars!';
const T0 = new Date('2026-11-23T02:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('human check', () => {
  it('accepts the right sum from a person who took a few seconds, in ASCII or full-width digits', async () => {
    const ch = await createChallenge(SECRET, T0, () => 0.5); // 六 加 5
    expect(ch.question).toBe('六 加 5 等于几？');
    expect(solveCheck(`验证：${ch.question}<input name="check" value="${ch.token}">`).answer).toBe('11');
    expect(await verifyChallenge(SECRET, ch.token, '11', later(8000))).toMatchObject({ ok: true });
    expect(await verifyChallenge(SECRET, ch.token, '１１', later(8000))).toMatchObject({ ok: true });
  });

  it('refuses a wrong answer, an instant post, a stale page and a forged token', async () => {
    const ch = await createChallenge(SECRET, T0, () => 0.5);
    expect(await verifyChallenge(SECRET, ch.token, '12', later(8000))).toEqual({ ok: false, reason: '验证题答案不对，请重新计算' });
    expect(await verifyChallenge(SECRET, ch.token, '11', later(500))).toEqual({ ok: false, reason: '提交太快了，请稍等几秒再提交' });
    expect(await verifyChallenge(SECRET, ch.token, '11', later(31 * 60_000))).toMatchObject({ ok: false, reason: '页面停留过久，请刷新页面后重试' });
    expect(await verifyChallenge('another-secret-of-at-least-32-chars', ch.token, '11', later(8000))).toMatchObject({ ok: false });
    const [, nonce, sig] = ch.token.split('.');
    expect(await verifyChallenge(SECRET, `${T0.getTime() - 60_000}.${nonce}.${sig}`, '11', later(8000))).toMatchObject({ ok: false });
    expect(await verifyChallenge(SECRET, 'garbage', '11', later(8000))).toMatchObject({ ok: false });
  });
});
