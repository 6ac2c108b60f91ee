import { describe, expect, it } from 'vitest';
import { CHINA_CALENDAR } from '../../src/calendar/china-calendar';
import { createWorkCalendar } from '../../src/domain/calendar';
import { createSlaClock, DEFAULT_SLA_POLICY } from '../../src/domain/sla';

const cal = createWorkCalendar(CHINA_CALENDAR);
const at = (s: string) => new Date(s);

describe('Chinese working-day calendar', () => {
  it('covers 2024 through the current year', () => {
    const c = cal.coverage()!;
    expect(c.from).toBeLessThanOrEqual(2024);
    expect(c.to).toBeGreaterThanOrEqual(2026);
  });

  it('knows the 2026 Spring Festival break and its make-up Saturdays', () => {
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23']) expect(cal.isWorkday(d)).toBe(false);
    expect(cal.isWorkday('2026-02-14')).toBe(true); // Saturday, 调休
    expect(cal.isWorkday('2026-02-28')).toBe(true); // Saturday, 调休
    expect(cal.isWorkday('2026-02-24')).toBe(true);
  });

  it('moves a due date across the Spring Festival and its make-up days', () => {
    // Friday 13 Feb 2026, 10:00 Beijing. Working days after: Sat 14 (调休), then Tue 24, Wed 25, Thu 26, Fri 27.
    const from = at('2026-02-13T02:00:00Z');
    expect(cal.addWorkdays(from, 1)).toEqual(at('2026-02-14T02:00:00Z'));
    expect(cal.addWorkdays(from, 5)).toEqual(at('2026-02-27T02:00:00Z'));
    expect(cal.addWorkdays(from, 6)).toEqual(at('2026-02-28T02:00:00Z'));
  });

  it('skips the 2026 National Day week and counts the make-up Saturday', () => {
    // Wed 30 Sep 2026, 15:00 Beijing. 1–7 Oct off; Sat 10 Oct is a working day.
    const from = at('2026-09-30T07:00:00Z');
    expect(cal.addWorkdays(from, 1)).toEqual(at('2026-10-08T07:00:00Z'));
    expect(cal.addWorkdays(from, 3)).toEqual(at('2026-10-10T07:00:00Z'));
  });

  it('a report on a day off starts counting at the next working day', () => {
    // Sunday 22 Nov 2026, 20:00 Beijing → counts from Monday 00:00 → 1 working day = Tuesday 00:00.
    expect(cal.addWorkdays(at('2026-11-22T12:00:00Z'), 1)).toEqual(at('2026-11-23T16:00:00Z'));
  });

  it('applies deployment overrides: a local day off and an extra working day', () => {
    const local = createWorkCalendar(CHINA_CALENDAR, { holidays: ['2026-11-24'], workdays: ['2026-11-28'] });
    expect(local.isWorkday('2026-11-24')).toBe(false);
    expect(local.isWorkday('2026-11-28')).toBe(true);
    expect(local.addWorkdays(at('2026-11-23T02:00:00Z'), 1)).toEqual(at('2026-11-25T02:00:00Z'));
  });

  it('counts elapsed working days for overdue figures', () => {
    expect(cal.workdaysBetween(at('2026-11-20T16:00:00Z'), at('2026-11-23T16:00:00Z'))).toBeCloseTo(1, 5); // Sat, Sun, Mon
  });
});

describe('SLA clock', () => {
  const sla = createSlaClock(cal, {
    ...DEFAULT_SLA_POLICY,
    overrides: [{ category: 'utilities', urgency: 'urgent', sign: { minutes: 30 }, resolve: { minutes: 120 } }],
  });

  it('defaults to sign in 1 working day and resolve in 5', () => {
    const d = sla.dueDates({ type: 'help', category: 'approval', urgency: 'normal' }, at('2026-11-20T02:00:00Z')); // Friday
    expect(d.signDueAt).toEqual(at('2026-11-23T02:00:00Z'));
    expect(d.resolveDueAt).toEqual(at('2026-11-27T02:00:00Z'));
  });

  it('uses clock hours for urgent cases, and the override for urgent outages', () => {
    const from = at('2026-11-21T02:00:00Z'); // Saturday: clock hours ignore the calendar
    expect(sla.dueDates({ type: 'help', category: 'approval', urgency: 'urgent' }, from).signDueAt).toEqual(at('2026-11-21T04:00:00Z'));
    const outage = sla.dueDates({ type: 'help', category: 'utilities', urgency: 'urgent' }, from);
    expect(outage).toEqual({ signDueAt: at('2026-11-21T02:30:00Z'), resolveDueAt: at('2026-11-21T04:00:00Z') });
  });
});
