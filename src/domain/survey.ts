import { z } from 'zod';

export interface SurveyQuestion {
  id: string;
  text: string;
}

/** Below this many answers a figure is not shown: one enterprise's scores must not be readable. */
export const MIN_ANSWERS_SHOWN = 3;

export const SCALE_NAMES: Record<number, string> = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };

/** The answers of one form: every question, each 1–5. */
export function answersSchema(questions: SurveyQuestion[]) {
  return z.object(Object.fromEntries(questions.map((q) => [q.id, z.coerce.number().int().min(1, `请为「${q.text}」打分`).max(5)])) as Record<string, z.ZodType<number>>);
}

/** The survey period before the China date `today`: last month, or last quarter (only in a quarter's first month). */
export function previousSurveyPeriod(today: string, frequency: 'monthly' | 'quarterly'): { key: string; title: string; from: string; to: string } | null {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const ym = (yy: number, mm: number) => `${yy}-${String(mm).padStart(2, '0')}`;
  if (frequency === 'monthly') {
    const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
    return { key: `monthly:${ym(py, pm)}`, title: `${py} 年 ${pm} 月`, from: `${ym(py, pm)}-01`, to: `${ym(y, m)}-01` };
  }
  if ((m - 1) % 3 !== 0) return null;
  const [py, pq] = m === 1 ? [y - 1, 4] : [y, (m - 1) / 3];
  const start = (pq - 1) * 3 + 1;
  return { key: `quarterly:${py}-Q${pq}`, title: `${py} 年第 ${pq} 季度`, from: `${ym(py, start)}-01`, to: `${ym(y, m)}-01` };
}

export interface SurveyFigure {
  key: string;
  name: string;
  invited: number;
  answered: number;
  /** answered / invited. */
  responseRate: number;
  /** Per question and overall; null while fewer than MIN_ANSWERS_SHOWN answered. */
  averages: Record<string, number> | null;
  overall: number | null;
}

/**
 * Figures per department or region: an enterprise counts for every department that handled its
 * tickets in the period and every region they came from. Responses carry no enterprise, so a
 * figure is an average over answers, never an answer.
 */
export function surveyFigures(
  questions: SurveyQuestion[],
  invitations: Array<{ keys: string[]; answered: boolean }>,
  responses: Array<{ keys: string[]; scores: Record<string, number> }>,
  name: (key: string) => string,
): SurveyFigure[] {
  const invited = new Map<string, { invited: number; answered: number }>();
  for (const i of invitations) {
    for (const k of new Set(i.keys)) {
      const f = invited.get(k) ?? { invited: 0, answered: 0 };
      f.invited++;
      if (i.answered) f.answered++;
      invited.set(k, f);
    }
  }
  const sums = new Map<string, { n: number; by: Record<string, number> }>();
  for (const r of responses) {
    for (const k of new Set(r.keys)) {
      const s = sums.get(k) ?? { n: 0, by: {} };
      s.n++;
      for (const q of questions) s.by[q.id] = (s.by[q.id] ?? 0) + (r.scores[q.id] ?? 0);
      sums.set(k, s);
    }
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return [...invited.entries()]
    .map(([key, f]) => {
      const s = sums.get(key);
      const show = s && s.n >= MIN_ANSWERS_SHOWN;
      const averages = show ? Object.fromEntries(questions.map((q) => [q.id, round(s.by[q.id]! / s.n)])) : null;
      const overall = averages ? round(questions.reduce((a, q) => a + averages[q.id]!, 0) / questions.length) : null;
      return { key, name: name(key), invited: f.invited, answered: f.answered, responseRate: f.invited ? f.answered / f.invited : 0, averages, overall };
    })
    .sort((a, b) => (b.overall ?? -1) - (a.overall ?? -1) || b.responseRate - a.responseRate || a.name.localeCompare(b.name, 'zh'));
}
