import { describe, expect, it } from 'vitest';
import { CHINA_CALENDAR } from '../../src/calendar/china-calendar';
import { createWorkCalendar, type WorkCalendar } from '../../src/domain/calendar';
import { chinaDate, chinaMidnight } from '../../src/domain/china-time';
import { rng } from '../helpers/rng';

const DAY_MS = 86_400_000;

/** The day-by-day count as first written (date strings, no memo): what the fast count must equal to the bit. */
function reference(calendar: WorkCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  let total = 0;
  let date = chinaDate(from);
  const last = chinaDate(to);
  while (date <= last) {
    if (calendar.isWorkday(date)) {
      const start = Math.max(chinaMidnight(date).getTime(), from.getTime());
      const end = Math.min(chinaMidnight(date).getTime() + DAY_MS, to.getTime());
      if (end > start) total += (end - start) / DAY_MS;
    }
    date = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  }
  return total;
}

// The digest's overdue list of a large group (1,200 tickets) asks for each ticket's working days
// late; the calendar keeps each day's answer, and the figure must stay the same to the last bit.
describe('working days overdue (calendar.workdaysBetween)', () => {
  const calendar = createWorkCalendar(CHINA_CALENDAR, { holidays: ['2026-11-20'], workdays: ['2026-11-22'] });

  it('gives exactly the day-by-day count across weekends, holidays, 调休 and local days off', () => {
    const random = rng(7);
    for (const atIso of ['2026-11-23T00:30:00Z', '2026-10-08T01:00:00Z', '2026-02-24T09:15:00Z', '2026-11-22T03:00:00Z']) {
      const at = new Date(atIso);
      for (let i = 0; i < 2_000; i++) {
        // Deadlines from 120 days before `at` to a day after it, at any minute (and on exact midnights).
        const minutes = Math.floor(random() * 121 * 1440) - 1440;
        const from = new Date(at.getTime() - minutes * 60_000 - (i % 7 === 0 ? at.getTime() % 86_400_000 : 0));
        expect(calendar.workdaysBetween(from, at)).toBe(reference(calendar, from, at));
      }
    }
  });

  it('counts none for a deadline still ahead, and the local day off as none', () => {
    const at = new Date('2026-11-21T02:00:00Z');
    expect(calendar.workdaysBetween(new Date('2026-11-22T00:00:00Z'), at)).toBe(0);
    // Thursday 19 Nov 10:00 → Friday 20 Nov is the deployment's day off, Saturday 21 Nov a weekend day.
    expect(calendar.workdaysBetween(new Date('2026-11-19T02:00:00Z'), at)).toBe(reference(calendar, new Date('2026-11-19T02:00:00Z'), at));
    expect(calendar.workdaysBetween(new Date('2026-11-19T02:00:00Z'), at)).toBeCloseTo(14 / 24, 10);
  });
});
