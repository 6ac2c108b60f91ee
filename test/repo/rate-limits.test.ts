import { expect, it } from 'vitest';
import { hitRateLimit } from '../../src/repo/rate-limits';
import { describeOnDatabases } from '../helpers/databases';

describeOnDatabases('rate limits', (db) => {
  const rule = { limit: 3, windowMs: 60_000 };
  const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 2, 0, 0) + s * 1000);

  it('allows the limit, refuses more, and does not let a burst straddling a window boundary double it', async () => {
    const hits = [];
    for (const s of [50, 52, 55, 58]) hits.push((await hitRateLimit(db().db, 'k', rule, at(s))).allowed);
    expect(hits).toEqual([true, true, true, false]);
    // Just after the boundary most of the last minute still counts.
    expect((await hitRateLimit(db().db, 'k', rule, at(61))).allowed).toBe(false);
    const refused = await hitRateLimit(db().db, 'k', rule, at(62));
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(0);
    // Two minutes on, the window has slid past them.
    expect((await hitRateLimit(db().db, 'k', rule, at(180))).allowed).toBe(true);
    // Keys do not share counts.
    expect((await hitRateLimit(db().db, 'other', rule, at(62))).allowed).toBe(true);
  });
});
