import { describe, expect, it } from 'vitest';
import { CHINA_CALENDAR } from '../../src/calendar/china-calendar';
import { createWorkCalendar } from '../../src/domain/calendar';
import { workdaysUntil } from '../../src/reports/queries';
import { rng } from '../helpers/rng';

// The digest's overdue list of a large group (1,200 tickets) takes each ticket's working days
// late from one table of days; the figure must be the calendar's own, to the last bit.
describe('working days overdue, for a whole list at once', () => {
  const calendar = createWorkCalendar(CHINA_CALENDAR, { holidays: ['2026-11-20'], workdays: ['2026-11-22'] });

  it('gives exactly calendar.workdaysBetween across weekends, holidays, 调休 and local days off', () => {
    const random = rng(7);
    for (const atIso of ['2026-11-23T00:30:00Z', '2026-10-08T01:00:00Z', '2026-02-24T09:15:00Z', '2026-11-22T03:00:00Z']) {
      const at = new Date(atIso);
      const over = workdaysUntil(calendar, at);
      for (let i = 0; i < 2_000; i++) {
        // Deadlines from 120 days before `at` to a day after it, at any minute (and on exact midnights).
        const minutes = Math.floor(random() * 121 * 1440) - 1440;
        const from = new Date(at.getTime() - minutes * 60_000 - (i % 7 === 0 ? at.getTime() % 86_400_000 : 0));
        expect(over(from)).toBe(calendar.workdaysBetween(from, at));
      }
    }
  });

  it('counts none for a deadline still ahead, and the local day off as none', () => {
    const at = new Date('2026-11-21T02:00:00Z');
    const over = workdaysUntil(calendar, at);
    expect(over(new Date('2026-11-22T00:00:00Z'))).toBe(0);
    // Thursday 19 Nov 10:00 → Friday 20 Nov is the deployment's day off, Saturday 21 Nov a weekend day.
    expect(over(new Date('2026-11-19T02:00:00Z'))).toBe(calendar.workdaysBetween(new Date('2026-11-19T02:00:00Z'), at));
    expect(over(new Date('2026-11-19T02:00:00Z'))).toBeCloseTo(14 / 24, 10);
  });
});
