import data from 'chinese-days/dist/chinese-days.json';
import type { CalendarData } from '../domain/calendar';

// The State Council publishes next year's schedule each November; `chinese-days` ships it
// within days. Yearly update: `npm update chinese-days`, then `npm test` (the calendar tests
// assert the coverage reaches the current year). Local extras go in the config's `calendar`.
export const CHINA_CALENDAR: CalendarData = {
  holidays: Object.keys((data as { holidays: Record<string, string> }).holidays),
  workdays: Object.keys((data as { workdays: Record<string, string> }).workdays),
};
