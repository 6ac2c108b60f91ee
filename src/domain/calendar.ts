import { addDays, chinaDate, chinaMidnight } from './china-time';

export interface CalendarData {
  /** Statutory days off (YYYY-MM-DD), including those that fall on weekdays. */
  holidays: Iterable<string>;
  /** 调休: weekend days that are working days. */
  workdays: Iterable<string>;
}

export interface WorkCalendar {
  isWorkday(date: string): boolean;
  /** The instant `n` working days after `from`; a start on a day off counts from the next working day's 00:00. */
  addWorkdays(from: Date, n: number): Date;
  /** Working days elapsed between two instants (fractional), for overdue reports. */
  workdaysBetween(from: Date, to: Date): number;
  /** First and last year the holiday data covers. */
  coverage(): { from: number; to: number } | null;
}

const DAY_MS = 86_400_000;
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** Merges deployment overrides (local holidays, extra days off or on) over the national calendar. */
export function createWorkCalendar(base: CalendarData, overrides: Partial<CalendarData> = {}): WorkCalendar {
  const holidays = new Set(base.holidays);
  const workdays = new Set(base.workdays);
  for (const d of overrides.holidays ?? []) {
    holidays.add(d);
    workdays.delete(d);
  }
  for (const d of overrides.workdays ?? []) {
    workdays.add(d);
    holidays.delete(d);
  }
  const years = [...holidays].map((d) => Number(d.slice(0, 4)));
  const isWorkday = (date: string) => {
    if (workdays.has(date)) return true;
    if (holidays.has(date)) return false;
    const w = weekday(date);
    return w !== 0 && w !== 6;
  };

  // Overdue lists ask about the same few hundred days for every ticket: each China midnight's
  // answer is kept (a few thousand entries over a calendar's life).
  const workdayAt = new Map<number, boolean>();
  const isWorkdayAt = (midnight: number) => {
    let w = workdayAt.get(midnight);
    if (w === undefined) workdayAt.set(midnight, (w = isWorkday(chinaDate(new Date(midnight)))));
    return w;
  };

  // Offset within the day, in ms since China midnight.
  const timeOfDay = (at: Date) => at.getTime() - chinaMidnight(chinaDate(at)).getTime();

  return {
    isWorkday,
    addWorkdays(from, n) {
      let date = chinaDate(from);
      let offset = timeOfDay(from);
      if (!isWorkday(date)) {
        while (!isWorkday(date)) date = addDays(date, 1);
        offset = 0;
      }
      let remaining = n;
      while (remaining > 0) {
        date = addDays(date, 1);
        if (isWorkday(date)) remaining--;
      }
      // Due at 00:00 of a working day means "by the end of the previous working day".
      return new Date(chinaMidnight(date).getTime() + offset);
    },
    workdaysBetween(from, to) {
      if (to <= from) return 0;
      let total = 0;
      const last = chinaMidnight(chinaDate(to)).getTime();
      // China keeps one offset all year, so consecutive midnights are a day apart.
      for (let m = chinaMidnight(chinaDate(from)).getTime(); m <= last; m += DAY_MS) {
        if (!isWorkdayAt(m)) continue;
        const start = Math.max(m, from.getTime());
        const end = Math.min(m + DAY_MS, to.getTime());
        if (end > start) total += (end - start) / DAY_MS;
      }
      return total;
    },
    coverage: () => (years.length ? { from: Math.min(...years), to: Math.max(...years) } : null),
  };
}
