// Scores a classifier on labelled texts: shared by training (validation fold), eval and replay.
import { CATEGORIES } from '../src/domain/taxonomy';
import type { Classification } from '../src/domain/classifier/types';

export interface Labelled {
  text: string;
  /** A category code, or null for a non-issue. */
  category: string | null;
}

export const GATES = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

export interface Metrics {
  n: number;
  issues: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  macroF1: number;
  perCategory: Record<string, { f1: number; support: number }>;
  confusion: Map<string, Map<string, number>>;
  /** Per gate: share of true issues auto-dispatched, and the share of those routed right. */
  curve: Array<{ gate: number; coverage: number; precision: number; dispatched: number }>;
  /** Reliability bins of `confidence` for predicted issues (is the whole answer right?). */
  bins: Array<{ lo: number; hi: number; n: number; meanConfidence: number; accuracy: number }>;
  ece: number;
}

export function score(items: Labelled[], results: Classification[]): Metrics {
  let tp = 0, fp = 0, fn = 0, catOk = 0;
  const per = new Map<string, { tp: number; fp: number; fn: number }>(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const confusion = new Map<string, Map<string, number>>();
  const answered: Array<{ conf: number; ok: boolean; issue: boolean }> = [];
  items.forEach((it, i) => {
    const r = results[i]!;
    const truthIssue = it.category !== null;
    if (r.isIssue && truthIssue) tp++;
    else if (r.isIssue) fp++;
    else if (truthIssue) fn++;
    if (r.isIssue) answered.push({ conf: r.confidence, ok: truthIssue && r.category === it.category, issue: truthIssue });
    if (!truthIssue) return;
    const predicted = r.isIssue ? r.category! : '(none)';
    const row = confusion.get(it.category!) ?? new Map<string, number>();
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    confusion.set(it.category!, row);
    const p = per.get(it.category!);
    if (!p) return;
    if (predicted === it.category) catOk++, p.tp++;
    else {
      p.fn++;
      if (r.isIssue) per.get(r.category!)!.fp++;
    }
  });
  const issues = tp + fn;
  const precision = tp / (tp + fp || 1), recall = tp / (issues || 1);
  const perCategory: Metrics['perCategory'] = {};
  const present: number[] = [];
  for (const [c, p] of per) {
    const support = p.tp + p.fn;
    const f1 = (2 * p.tp) / (2 * p.tp + p.fp + p.fn || 1);
    perCategory[c] = { f1, support };
    if (support > 0) present.push(f1);
  }
  const curve = GATES.map((gate) => {
    const d = answered.filter((a) => a.conf >= gate);
    return { gate, dispatched: d.length, coverage: d.filter((a) => a.issue).length / (issues || 1), precision: d.filter((a) => a.ok).length / (d.length || 1) };
  });
  const bins: Metrics['bins'] = [];
  let ece = 0;
  for (let b = 0; b < 10; b++) {
    const lo = b / 10, hi = (b + 1) / 10;
    const inBin = answered.filter((a) => a.conf >= lo && (a.conf < hi || (b === 9 && a.conf <= 1)));
    if (!inBin.length) continue;
    const meanConfidence = inBin.reduce((s, a) => s + a.conf, 0) / inBin.length;
    const accuracy = inBin.filter((a) => a.ok).length / inBin.length;
    bins.push({ lo, hi, n: inBin.length, meanConfidence, accuracy });
    ece += (inBin.length / (answered.length || 1)) * Math.abs(meanConfidence - accuracy);
  }
  return {
    n: items.length,
    issues,
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall || 1),
    accuracy: catOk / (issues || 1),
    macroF1: present.reduce((a, b) => a + b, 0) / (present.length || 1),
    perCategory,
    confusion,
    curve,
    bins,
    ece,
  };
}

/** The lowest gate whose auto-dispatch precision reaches the target (the highest gate if none does). */
export function chooseGate(m: Metrics, target = 0.95): number {
  for (const p of m.curve) if (p.precision >= target && p.dispatched > 0) return p.gate;
  return GATES[GATES.length - 1]!;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

/** Markdown tables, as BENCHMARKS.md shows them. */
export function report(title: string, m: Metrics, gate: number): string {
  const lines: string[] = [`#### ${title}`, '', `${m.n} messages (${m.issues} issues, ${m.n - m.issues} non-issues)`, ''];
  lines.push('| issue precision | issue recall | issue F1 | category accuracy | category macro-F1 | ECE |', '|---|---|---|---|---|---|');
  lines.push(`| ${f3(m.precision)} | ${f3(m.recall)} | ${f3(m.f1)} | ${f3(m.accuracy)} | ${f3(m.macroF1)} | ${f3(m.ece)} |`, '');
  const g = m.curve.find((p) => Math.abs(p.gate - gate) < 1e-9);
  if (g) lines.push(`At the gate ${gate}: ${pct(g.coverage)} of issues auto-dispatched, ${pct(g.precision)} of those routed to the right department (${g.dispatched} tickets).`, '');
  lines.push('Auto-dispatch coverage–precision curve:', '', '| gate | issues auto-dispatched | routed right |', '|---|---|---|');
  for (const p of m.curve) lines.push(`| ${p.gate.toFixed(2)}${Math.abs(p.gate - gate) < 1e-9 ? ' ◀' : ''} | ${pct(p.coverage)} | ${pct(p.precision)} (${p.dispatched}) |`);
  lines.push('', 'Calibration (predicted issues; "right" = an issue in the right category):', '', '| confidence | n | mean confidence | right |', '|---|---|---|---|');
  for (const b of m.bins) lines.push(`| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.n} | ${f3(b.meanConfidence)} | ${f3(b.accuracy)} |`);
  lines.push('', 'Per category F1 (support):', '', '| ' + Object.keys(m.perCategory).join(' | ') + ' |', '|' + Object.keys(m.perCategory).map(() => '---').join('|') + '|');
  lines.push('| ' + Object.values(m.perCategory).map((p) => (p.support ? `${p.f1.toFixed(2)} (${p.support})` : '–')).join(' | ') + ' |', '');
  lines.push('Confusion (rows: true category; predicted:count, non-zero cells):', '', '```');
  for (const [truth, row] of [...m.confusion.entries()].sort()) lines.push(`${truth.padEnd(12)} ${[...row.entries()].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p}:${n}`).join('  ')}`);
  lines.push('```', '');
  return lines.join('\n');
}
