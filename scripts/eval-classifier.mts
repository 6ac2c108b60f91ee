// npm run eval:classifier — scores the committed model on the held-out seeds (and their variants).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CATEGORIES } from '../src/domain/taxonomy';
import { createDefaultClassifier } from '../src/domain/classifier/default';
import { createRulesClassifier } from '../src/domain/classifier/rules';
import { expand, loadSeeds, split } from './classifier-corpus.mts';

const classifier = process.argv.includes('--rules') ? createRulesClassifier() : createDefaultClassifier();
const test = expand(split(loadSeeds()).test);
let tp = 0, fp = 0, fn = 0, tn = 0;
const confusion = new Map<string, Map<string, number>>();
const perCat = new Map<string, { tp: number; fp: number; fn: number }>();
for (const c of CATEGORIES) perCat.set(c, { tp: 0, fp: 0, fn: 0 });
let catOk = 0, catN = 0, typeOk = 0, urgOk = 0;
const timings: Array<{ ms: number; text: string }> = [];
const errors: string[] = [];
let confident = 0, confidentOk = 0, unsure = 0, unsureOk = 0;

for (const e of test) {
  const t0 = performance.now();
  const r = classifier.classify(e.text);
  timings.push({ ms: performance.now() - t0, text: e.text });
  if (r.isIssue && e.isIssue) tp++;
  else if (r.isIssue) { fp++; errors.push(`FP  ${e.text}  → ${r.category}`); }
  else if (e.isIssue) { fn++; errors.push(`FN  ${e.text}  (${e.category})`); }
  else tn++;
  if (!e.isIssue) continue;
  catN++;
  const predicted = r.category ?? '(none)';
  const row = confusion.get(e.category!) ?? new Map<string, number>();
  row.set(predicted, (row.get(predicted) ?? 0) + 1);
  confusion.set(e.category!, row);
  if (predicted === e.category) {
    catOk++;
    perCat.get(e.category!)!.tp++;
  } else {
    perCat.get(e.category!)!.fn++;
    if (r.category) perCat.get(r.category)!.fp++;
    if (r.isIssue) errors.push(`CAT ${e.text}  → ${predicted} (want ${e.category})`);
  }
  if (r.type === e.type) typeOk++;
  if ((r.urgency ?? 'normal') === e.urgency) urgOk++;
  if (r.isIssue && r.confidence >= 0.6) { confident++; if (predicted === e.category) confidentOk++; }
  else if (r.isIssue) { unsure++; if (predicted === e.category) unsureOk++; }
}

const precision = tp / (tp + fp || 1);
const recall = tp / (tp + fn || 1);
const f1 = (2 * precision * recall) / (precision + recall || 1);
const macro = [...perCat.values()].map(({ tp, fp, fn }) => (2 * tp) / (2 * tp + fp + fn || 1));
const macroF1 = macro.reduce((a, b) => a + b, 0) / macro.length;

console.log(`held-out examples: ${test.length} (${tp + fn} issues, ${tn + fp} non-issues)`);
console.log(`issue vs chatter: precision ${precision.toFixed(3)}  recall ${recall.toFixed(3)}  F1 ${f1.toFixed(3)}`);
console.log(`category: accuracy ${(catOk / catN).toFixed(3)}  macro-F1 ${macroF1.toFixed(3)}   type accuracy ${(typeOk / catN).toFixed(3)}   urgency accuracy ${(urgOk / catN).toFixed(3)}`);
console.log(`auto-dispatch (confidence ≥ 0.6): ${confident} tickets, category accuracy ${(confidentOk / (confident || 1)).toFixed(3)}; manual queue: ${unsure}, accuracy ${(unsureOk / (unsure || 1)).toFixed(3)}`);
console.log('\nconfusion matrix (rows: true category, columns: predicted; only non-zero cells):');
for (const [truth, row] of [...confusion.entries()].sort()) {
  console.log(`  ${truth.padEnd(12)} ${[...row.entries()].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p}:${n}`).join('  ')}`);
}
console.log('\nslowest inputs:');
for (const t of [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${(t.ms * 1000).toFixed(0)} µs  ${t.text.slice(0, 40)}`);

// Throughput on one core: the whole held-out set, repeatedly.
const texts = test.map((e) => e.text);
const rounds = Math.ceil(20_000 / texts.length);
const t0 = performance.now();
for (let i = 0; i < rounds; i++) for (const t of texts) classifier.classify(t);
const seconds = (performance.now() - t0) / 1000;
console.log(`\nthroughput: ${Math.round((rounds * texts.length) / seconds)} messages/s (one core, in-process)`);
if (process.argv.includes('--errors')) console.log(`\nerrors:\n${errors.join('\n')}`);

// A second, fresh set written after the model and cues were fixed: the figure to trust.
const fresh = readFileSync(new URL('../corpus/classifier/eval-fresh.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [label, text] = l.split('\t');
    return { label: label!, text: text! };
  });
let ftp = 0, ffp = 0, ffn = 0, fcat = 0, fcatN = 0;
const freshErrors: string[] = [];
for (const f of fresh) {
  const r = classifier.classify(f.text);
  const isIssue = f.label !== 'none';
  if (r.isIssue && isIssue) ftp++;
  else if (r.isIssue) ffp++;
  else if (isIssue) ffn++;
  if (r.isIssue !== isIssue) freshErrors.push(`${isIssue ? 'FN' : 'FP'}  ${f.text}`);
  if (isIssue) {
    fcatN++;
    if (r.category === f.label) fcat++;
    else if (r.isIssue) freshErrors.push(`CAT ${f.text}  → ${r.category} (want ${f.label})`);
  }
}
const fF1 = (2 * ftp) / (2 * ftp + ffp + ffn || 1);
console.log(`\nfresh set (${fresh.length} messages never used for training or tuning): issue F1 ${fF1.toFixed(3)}, category accuracy ${(fcat / fcatN).toFixed(3)}`);
if (process.argv.includes('--errors')) console.log(freshErrors.join('\n'));
