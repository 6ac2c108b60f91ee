// Mainland China has had no daylight saving since 1991, so Asia/Shanghai is a fixed +08:00.
const OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date in China as YYYY-MM-DD. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The calendar date in China as YYYYMMDD, as used in ticket numbers. */
export function chinaDateCompact(at: Date): string {
  return chinaDate(at).replaceAll('-', '');
}

/** A calendar date (YYYY-MM-DD) `n` days later (earlier when negative). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Midnight at the start of a China calendar date (YYYY-MM-DD), as an instant. */
export function chinaMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`));
}

/** "11月23日 14:05" for people reading a group post. */
export function formatChinaDateTime(at: Date): string {
  const s = new Date(at.getTime() + OFFSET_MS).toISOString();
  return `${Number(s.slice(5, 7))}月${Number(s.slice(8, 10))}日 ${s.slice(11, 16)}`;
}
