import { describe, expect, it } from 'vitest';
import { publishSurveyFigures, type SurveyDimension, type SurveyFigure } from '../../src/domain/survey';

// The attacker of issue #20's "anonymous in every report": someone who reads every published
// figure of a campaign — departments, regions and their parents (county, city), each with its
// count, across every report — and knows which department and region each answering enterprise
// had (营商办 knows whom it invited). They solve the published sums exactly: a sum is
// count × average (an average to 2 decimals times fewer than 100 answers rounds back to the
// integer sum). If any single answer, or any sum of fewer than `min` answers, lies in the span of
// the published sums, they have it.

const Q = [{ id: 'q1', text: '办事效率' }, { id: 'q2', text: '服务态度' }];
type Scores = Record<string, number>;

/** Exact rationals, so elimination never confuses 1e-16 with 0. */
interface Frac { n: bigint; d: bigint }
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const frac = (n: bigint, d: bigint = 1n): Frac => {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const sub = (a: Frac, b: Frac) => frac(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Frac, b: Frac) => frac(a.n * b.n, a.d * b.d);
const div = (a: Frac, b: Frac) => frac(a.n * b.d, a.d * b.n);
const isZero = (a: Frac) => a.n === 0n;

/**
 * Rows: one per published figure, 0/1 over the answers, with the published sum per question
 * appended. Reduced row echelon form; returns the rows and their pivot columns.
 */
function rref(rows: Frac[][], columns: number): { rows: Frac[][]; pivots: number[] } {
  const m = rows.map((r) => [...r]);
  const pivots: number[] = [];
  let r = 0;
  for (let col = 0; col < columns && r < m.length; col++) {
    const p = m.findIndex((row, i) => i >= r && !isZero(row[col]!));
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    const lead = m[r]![col]!;
    m[r] = m[r]!.map((x) => div(x, lead));
    for (let i = 0; i < m.length; i++) {
      if (i === r || isZero(m[i]![col]!)) continue;
      const f = m[i]![col]!;
      m[i] = m[i]!.map((x, j) => sub(x, mul(f, m[r]![j]!)));
    }
    pivots.push(col);
    r++;
  }
  return { rows: m.slice(0, r), pivots };
}

interface Recovered {
  /** The answers, each with its sign: [3, 1] is answer 3 plus answer 1, [3, -1] answer 3 minus answer 1. */
  answers: Array<[number, 1 | -1]>;
  sums: Scores;
}

/**
 * Every sum or difference of fewer than `below` answers that the published figures determine,
 * with its value. In reduced row echelon form a vector of the row space carries its coefficient of
 * row r at row r's pivot, so a vector of fewer than `below` nonzero entries combines fewer than
 * `below` rows: trying every such set of rows with every sign finds each ±1 combination.
 */
function attack(figures: SurveyFigure[][], dims: SurveyDimension[], n: number, below: number): Recovered[] {
  const rows: Frac[][] = [];
  figures.forEach((fs, di) => {
    for (const f of fs) {
      if (!f.averages) continue;
      const members = dims[di]!.responseKeys.map((keys) => keys.includes(f.key));
      expect(members.filter(Boolean).length).toBe(f.answered); // the published count is the set's size
      rows.push([...members.map((x) => frac(x ? 1n : 0n)), ...Q.map((q) => frac(BigInt(Math.round(f.averages![q.id]! * f.answered))))]);
    }
  });
  if (!rows.length) return [];
  const { rows: red } = rref(rows, n);
  const add = (a: Frac, b: Frac) => frac(a.n * b.d + b.n * a.d, a.d * b.d);
  const found: Recovered[] = [];
  const trySigns = (picked: number[], signs: Array<1 | -1>) => {
    const v = red[0]!.map(() => frac(0n));
    picked.forEach((r, k) => red[r]!.forEach((x, j) => (v[j] = add(v[j]!, signs[k] === 1 ? x : frac(-x.n, x.d)))));
    const answers: Array<[number, 1 | -1]> = [];
    for (let j = 0; j < n; j++) {
      const x = v[j]!;
      if (x.n === 0n) continue;
      if (x.d !== 1n || (x.n !== 1n && x.n !== -1n)) return;
      answers.push([j, x.n === 1n ? 1 : -1]);
    }
    if (answers.length && answers.length < below) found.push({ answers, sums: Object.fromEntries(Q.map((q, k) => [q.id, Number(v[n + k]!.n) / Number(v[n + k]!.d)])) });
  };
  const choose = (from: number, picked: number[]) => {
    if (picked.length) {
      // The first sign +1: a combination and its negative are the same finding.
      const m = picked.length - 1;
      for (let bits = 0; bits < 2 ** m; bits++) trySigns(picked, [1, ...Array.from({ length: m }, (_, k) => ((bits >> k) & 1 ? -1 : 1) as 1 | -1)]);
    }
    if (picked.length + 1 >= below) return;
    for (let r = from; r < red.length; r++) choose(r + 1, [...picked, r]);
  };
  choose(0, []);
  return found;
}

function publish(scores: Scores[], deptKeys: string[][], regionKeys: string[][], min: number) {
  const dims: SurveyDimension[] = [
    { invitations: deptKeys.map((keys) => ({ keys, answered: true })), responseKeys: deptKeys, name: (k) => k },
    { invitations: regionKeys.map((keys) => ({ keys, answered: true })), responseKeys: regionKeys, name: (k) => k },
  ];
  return { dims, figures: publishSurveyFigures(Q, scores, dims, min) };
}

/** A small seeded generator: the same "random" deployments on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('survey figures against differencing by any combination of published figures', () => {
  it('a county of 11 answers, 5 the power company’s and 5 the water company’s: the eleventh answer is not recoverable', () => {
    // Any two of 青山县 (11), 供电 (5), 供水 (5) differ by 5 or more — the pairwise check let all three
    // through, and 11·avg(青山县) − 5·avg(供电) − 5·avg(供水) was the tax office's one enterprise.
    const scores: Scores[] = [...Array(5).fill({ q1: 5, q2: 5 }), ...Array(5).fill({ q1: 4, q2: 4 }), { q1: 1, q2: 2 }];
    const dept = scores.map((_, i) => [i < 5 ? 'power' : i < 10 ? 'water' : 'tax']);
    const region = scores.map(() => ['qingshan', 'beishan']);
    const { dims, figures } = publish(scores, dept, region, 5);
    expect(attack(figures, dims, scores.length, 5)).toEqual([]);
    // The broadest figure stays; the two that would isolate the tax office's enterprise give way.
    const [byDept, byRegion] = figures;
    expect(byRegion!.find((f) => f.key === 'qingshan')!.overall).not.toBeNull();
    expect(byDept!.filter((f) => f.overall !== null).length).toBeLessThanOrEqual(1);
    expect(byDept!.find((f) => f.key === 'tax')!.withheld).toBe('few');
    // Counts and response rates are still shown for every row.
    expect(byDept!.map((f) => [f.key, f.answered]).sort()).toEqual([['power', 5], ['tax', 1], ['water', 5]]);
  });

  it('an answer two departments share does not hide both; adding their union would, so the union waits', () => {
    // 供电 10 answers alone, 供水 10 alone, one enterprise served by both (answer 20).
    const scores: Scores[] = Array.from({ length: 21 }, (_, i) => ({ q1: (i % 5) + 1, q2: ((i + 2) % 5) + 1 }));
    const dept = scores.map((_, i) => (i < 10 ? ['power'] : i < 20 ? ['water'] : ['power', 'water']));
    // Nothing determined by 供电 and 供水 alone isolates the shared answer: both are published.
    const two = publish(scores, dept, scores.map(() => []), 5);
    expect(attack(two.figures, two.dims, scores.length, 5)).toEqual([]);
    expect(two.figures[0]!.map((f) => [f.key, f.overall !== null])).toEqual(expect.arrayContaining([['power', true], ['water', true]]));
    // A county holding all 21 would make 供电 + 供水 − 县 the shared answer: the county (largest)
    // is published first, and then only one of the two departments.
    const three = publish(scores, dept, scores.map(() => ['qingshan']), 5);
    expect(attack(three.figures, three.dims, scores.length, 5)).toEqual([]);
    expect(three.figures[1]![0]!.overall).not.toBeNull();
    expect(three.figures[0]!.filter((f) => f.overall !== null)).toHaveLength(1);
    expect(three.figures[0]!.find((f) => f.overall === null)!.withheld).toBe('overlap');
  });

  it('the attacker also finds differences: two figures one answer apart on each side', () => {
    const scores: Scores[] = Array.from({ length: 12 }, (_, i) => ({ q1: (i % 5) + 1, q2: 3 }));
    const dims: SurveyDimension[] = [{ invitations: [], responseKeys: scores.map((_, i) => (i < 10 ? ['a', 'b'] : i === 10 ? ['a'] : ['b'])), name: (k) => k }];
    const avg = (key: string) => {
      const ids = dims[0]!.responseKeys.flatMap((k, i) => (k.includes(key) ? [i] : []));
      return { key, name: key, invited: ids.length, answered: ids.length, responseRate: 1, withheld: null, overall: 0, averages: Object.fromEntries(Q.map((q) => [q.id, Math.round((ids.reduce((a, i) => a + scores[i]![q.id]!, 0) / ids.length) * 100) / 100])) };
    };
    expect(attack([[avg('a'), avg('b')]], dims, scores.length, 5)).toEqual([{ answers: [[10, 1], [11, -1]], sums: { q1: scores[10]!.q1! - scores[11]!.q1!, q2: 0 } }]);
    // The rule publishes one of them.
    const f = publishSurveyFigures(Q, scores, [{ ...dims[0]!, invitations: dims[0]!.responseKeys.map((keys) => ({ keys, answered: true })) }], 5)[0]!;
    expect(f.filter((x) => x.overall !== null)).toHaveLength(1);
  });

  it('three departments overlapping in a ring: no answer follows from adding and subtracting them', () => {
    // A: 0–7, B: 4–11, C: 0–3 ∪ 8–11, and the county all 13 (the 13th answer: only the county's).
    // Pairwise differences are all 4 or more (min 4), yet A + B + C is twice answers 0–11, and the
    // county minus half of that is answer 12.
    const scores: Scores[] = Array.from({ length: 13 }, (_, i) => ({ q1: (i % 5) + 1, q2: ((i * 3) % 5) + 1 }));
    const dept = scores.map((_, i) => [...(i < 8 ? ['a'] : []), ...(i >= 4 && i < 12 ? ['b'] : []), ...(i < 4 || (i >= 8 && i < 12) ? ['c'] : [])]);
    const region = scores.map(() => ['county']);
    const { dims, figures } = publish(scores, dept, region, 4);
    expect(attack(figures, dims, scores.length, 4)).toEqual([]);
    expect(figures.flat().some((f) => f.overall !== null)).toBe(true);
  });

  it('random deployments (departments, counties, towns, the city): never an answer or a sum of fewer than the minimum', () => {
    const next = rng(20261203);
    let published = 0;
    let total = 0;
    for (let run = 0; run < 60; run++) {
      const min = run % 3 === 0 ? 3 : run % 3 === 1 ? 4 : 5;
      const n = 12 + Math.floor(next() * 24);
      const departments = 3 + Math.floor(next() * 5);
      const scores: Scores[] = Array.from({ length: n }, () => ({ q1: 1 + Math.floor(next() * 5), q2: 1 + Math.floor(next() * 5) }));
      // Most enterprises had one department, some two or three; a town rolls up into its county and the city.
      const dept = scores.map(() => {
        const k = next() < 0.6 ? 1 : next() < 0.7 ? 2 : 3;
        return [...new Set(Array.from({ length: k }, () => `d${Math.floor(next() * departments)}`))];
      });
      const region = scores.map(() => {
        const county = next() < 0.5 ? 'qingshan' : next() < 0.6 ? 'hexi' : 'kaifa';
        return county === 'qingshan' && next() < 0.4 ? ['qingshan-town', 'qingshan', 'beishan'] : [county, 'beishan'];
      });
      const { dims, figures } = publish(scores, dept, region, min);
      const found = attack(figures, dims, n, min);
      expect(found, `run ${run}: ${JSON.stringify(found)}`).toEqual([]);
      published += figures.flat().filter((f) => f.overall !== null).length;
      total += figures.flat().length;
    }
    // The rule is not "publish nothing": the city and several broad figures appear.
    expect(published).toBeGreaterThan(60);
    expect(published / total).toBeGreaterThan(0.15);
  });

  it('the attack itself works: with every figure of at least the minimum published, it recovers the answer', () => {
    // The county example again, all three averages shown as the pairwise rule did.
    const scores: Scores[] = [...Array(5).fill({ q1: 5, q2: 5 }), ...Array(5).fill({ q1: 4, q2: 4 }), { q1: 1, q2: 2 }];
    const dept = scores.map((_, i) => [i < 5 ? 'power' : i < 10 ? 'water' : 'tax']);
    const region = scores.map(() => ['qingshan']);
    const dims: SurveyDimension[] = [
      { invitations: [], responseKeys: dept, name: (k) => k },
      { invitations: [], responseKeys: region, name: (k) => k },
    ];
    const avg = (keys: string[][], key: string) => {
      const ids = keys.flatMap((k, i) => (k.includes(key) ? [i] : []));
      return { key, name: key, invited: ids.length, answered: ids.length, responseRate: 1, withheld: null, overall: 0, averages: Object.fromEntries(Q.map((q) => [q.id, Math.round((ids.reduce((a, i) => a + scores[i]![q.id]!, 0) / ids.length) * 100) / 100])) };
    };
    const all: SurveyFigure[][] = [[avg(dept, 'power'), avg(dept, 'water')], [avg(region, 'qingshan')]];
    expect(attack(all, dims, scores.length, 2)).toEqual([{ answers: [[10, 1]], sums: { q1: 1, q2: 2 } }]);
  });
});
