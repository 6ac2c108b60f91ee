import { z } from 'zod';

export interface SurveyQuestion {
  id: string;
  text: string;
}

/** Below this many answers a figure is not shown (config `survey.minAnswers`, at least MIN_ANSWERS_FLOOR). */
export const MIN_ANSWERS_SHOWN = 5;
export const MIN_ANSWERS_FLOOR = 3;

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
  /** Per question and overall; null when withheld. */
  averages: Record<string, number> | null;
  overall: number | null;
  /** Why no average is shown: too few answers, or publishing it would let one be computed from another figure. */
  withheld: 'few' | 'overlap' | null;
}

export interface SurveyDimension {
  /** Per invitation, the keys (departments or regions) it counts for. */
  invitations: Array<{ keys: string[]; answered: boolean }>;
  /** Per response, in the same order in every dimension (response i is one enterprise's answer). */
  responseKeys: string[][];
  name: (key: string) => string;
}

/** Answers grouped by which published figures hold them. */
interface Cells {
  /** Answer i's cell (-1: in no published figure). */
  of: number[];
  /** Per cell: how many answers it holds. */
  size: number[];
  /** Per cell: for each published figure in order, 1 if the figure holds the cell's answers. */
  pattern: number[][];
}

/** The cells once the figure over `members` is published too. */
function splitCells(cells: Cells, members: ReadonlySet<number>): Cells {
  const ids = new Map<string, number>();
  const size: number[] = [];
  const pattern: number[][] = [];
  const width = cells.pattern[0]?.length ?? 0;
  const of = cells.of.map((c, i) => {
    const inside = members.has(i);
    if (c < 0 && !inside) return -1;
    const key = `${c}:${inside ? 1 : 0}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = size.length;
      ids.set(key, id);
      size.push(0);
      pattern.push([...(c < 0 ? new Array<number>(width).fill(0) : cells.pattern[c]!), inside ? 1 : 0]);
    }
    size[id]!++;
    return id;
  });
  return { of, size, pattern };
}

// Two primes below 2^26, so a product of two residues is exact in a double.
const PRIMES = [67_108_859, 67_108_837];
const powMod = (b: number, e: number, p: number): number => {
  let r = 1;
  for (let x = b % p; e > 0; e = Math.floor(e / 2), x = (x * x) % p) if (e % 2) r = (r * x) % p;
  return r;
};

/** Whether every vector of `test` lies in the span of `basis` over GF(p). */
function spannedModP(basis: number[][], test: number[][], p: number): boolean {
  const rows: Array<{ pivot: number; v: Float64Array }> = [];
  // Each kept row is zero before its pivot, so reducing by it starts there.
  const reduce = (input: number[]) => {
    const v = Float64Array.from(input);
    for (const r of rows) {
      const f = v[r.pivot]!;
      if (f === 0) continue;
      for (let j = r.pivot; j < v.length; j++) if (r.v[j] !== 0) v[j] = (v[j]! + (p - f) * r.v[j]!) % p;
    }
    return v;
  };
  for (const b of basis) {
    const v = reduce(b);
    const pivot = v.findIndex((x) => x !== 0);
    if (pivot < 0) continue;
    const inv = powMod(v[pivot]!, p - 2, p);
    for (let j = pivot; j < v.length; j++) v[j] = (v[j]! * inv) % p;
    rows.push({ pivot, v });
  }
  return test.every((t) => reduce(t).every((x) => x === 0));
}

/**
 * Whether whatever the published sums determine weighs a cell of at least `min` answers: every
 * small cell's pattern (which figures hold it) is a combination of the large cells' patterns. A
 * combination of the published sums that gave no weight to any large cell then gives none to the
 * small ones either: it is zero.
 */
function safeCells(cells: Cells, min: number): boolean {
  const large = cells.pattern.filter((_, c) => cells.size[c]! >= min);
  const small = cells.pattern.filter((_, c) => cells.size[c]! < min);
  if (!small.length) return true;
  // A pattern outside the others' span over the rationals stays outside it modulo every prime
  // that divides none of a few minors; it is taken as spanned only if it is so modulo both.
  return PRIMES.every((p) => spannedModP(large, small, p));
}

/**
 * Figures for several dimensions at once (departments and regions), published so that no
 * enterprise's answer — nor a sum of fewer than `minAnswers` answers — can be computed from
 * everything published together, by any linear combination (differencing two figures, or adding
 * and subtracting any number of them, across departments, regions and levels).
 *
 * Cells. The published figures split the answers into cells: two answers share a cell when every
 * published figure holds both or neither. A published sum (count × average) is a sum of whole
 * cells, so any combination of the published sums weighs all the answers of a cell alike. A
 * figure is published only if, with it, every combination the sums determine still weighs at
 * least one cell of `minAnswers` answers or more (safeCells). A small cell — one answer that two
 * departments share, say — may remain, but only where its pattern of figures is a combination of
 * the large cells' patterns, so nothing the figures determine lies on small cells alone. Then no
 * single answer, and no sum or difference of fewer than `minAnswers` answers, can be computed.
 * Figures are taken largest first (the broad figures survive; a figure that would expose a small
 * cell is withheld, as complementary suppression does). Identical answer sets publish together.
 *
 * Pairwise checks are not enough: a county's 11 answers, 5 of them the power company's and 5 the
 * water company's, publish three figures any two of which differ by 5 or more, while
 * 11·avg(county) − 5·avg(power) − 5·avg(water) is the eleventh enterprise's answer.
 *
 * Counts (invited, answered, response rate) are published for every figure: they are about who
 * was asked and who answered, not what anyone answered. Each campaign's answers are separate, so
 * figures of different campaigns never combine into one answer. What averages cannot hide: a cell
 * whose answers are all alike (an average of 5.00 says every one gave 5).
 */
export function publishSurveyFigures(questions: SurveyQuestion[], scores: Array<Record<string, number>>, dims: SurveyDimension[], minAnswers: number = MIN_ANSWERS_SHOWN): SurveyFigure[][] {
  const min = Math.max(MIN_ANSWERS_FLOOR, minAnswers);
  const sets = dims.map((d) => {
    const by = new Map<string, Set<number>>();
    d.responseKeys.forEach((keys, i) => {
      for (const k of keys) by.set(k, (by.get(k) ?? new Set()).add(i));
    });
    return by;
  });
  const candidates = dims
    .flatMap((_, di) => [...sets[di]!.entries()].filter(([, s]) => s.size >= min).map(([key, s]) => ({ di, key, s })))
    .sort((a, b) => b.s.size - a.s.size || a.di - b.di || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown = new Set<string>();
  let cells: Cells = { of: scores.map(() => -1), size: [], pattern: [] };
  for (const c of candidates) {
    const next = splitCells(cells, c.s);
    if (!safeCells(next, min)) continue;
    cells = next;
    shown.add(`${c.di}\u0000${c.key}`);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return dims.map((d, di) => {
    const invited = new Map<string, { invited: number; answered: number }>();
    for (const i of d.invitations) {
      for (const k of new Set(i.keys)) {
        const f = invited.get(k) ?? { invited: 0, answered: 0 };
        f.invited++;
        if (i.answered) f.answered++;
        invited.set(k, f);
      }
    }
    return [...invited.entries()]
      .map(([key, f]): SurveyFigure => {
        const s = sets[di]!.get(key);
        const show = s !== undefined && shown.has(`${di}\u0000${key}`);
        const averages = show ? Object.fromEntries(questions.map((q) => [q.id, round([...s].reduce((a, i) => a + (scores[i]![q.id] ?? 0), 0) / s.size)])) : null;
        const overall = averages ? round(questions.reduce((a, q) => a + averages[q.id]!, 0) / questions.length) : null;
        const withheld = show ? null : (s?.size ?? 0) >= min ? 'overlap' : 'few';
        return { key, name: d.name(key), invited: f.invited, answered: f.answered, responseRate: f.invited ? f.answered / f.invited : 0, averages, overall, withheld };
      })
      .sort((a, b) => (b.overall ?? -1) - (a.overall ?? -1) || b.responseRate - a.responseRate || a.name.localeCompare(b.name, 'zh'));
  });
}

/**
 * Figures per department or region: an enterprise counts for every department that handled its
 * tickets in the period and every region they came from. Responses carry no enterprise, so a
 * figure is an average over answers, never an answer (see publishSurveyFigures).
 */
export function surveyFigures(
  questions: SurveyQuestion[],
  invitations: Array<{ keys: string[]; answered: boolean }>,
  responses: Array<{ keys: string[]; scores: Record<string, number> }>,
  name: (key: string) => string,
  opts: { minAnswers?: number } = {},
): SurveyFigure[] {
  return publishSurveyFigures(
    questions,
    responses.map((r) => r.scores),
    [{ invitations, responseKeys: responses.map((r) => [...new Set(r.keys)]), name }],
    opts.minAnswers,
  )[0]!;
}
