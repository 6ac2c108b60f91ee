// npm run bench:classifier — in-process classification throughput on one core: the shipped
// model, and the same model with a learned delta of 200 corrections on top.
import { performance } from 'node:perf_hooks';
import { createDefaultClassifier } from '../src/domain/classifier/default';
import { createLearner } from '../src/domain/classifier/learner';
import { loadSeeds } from '../scripts/classifier-corpus.mts';

const seeds = loadSeeds();
const texts = seeds.map((s) => s.text);
const base = createDefaultClassifier();
const learner = createLearner(base);
for (const s of seeds.slice(0, 200)) learner.learn({ text: s.text, isIssue: s.isIssue, category: s.category, type: s.type });

function measure(name: string, classify: (t: string) => unknown): void {
  for (const t of texts.slice(0, 500)) classify(t);
  const target = 40_000;
  const t0 = performance.now();
  let n = 0;
  while (n < target) for (const t of texts) (classify(t), n++);
  const s = (performance.now() - t0) / 1000;
  console.log(`${name.padEnd(34)} ${Math.round(n / s).toString().padStart(7)} messages/s  (${((s / n) * 1e6).toFixed(1)} µs each)`);
}

const meanLen = texts.reduce((a, t) => a + t.length, 0) / texts.length;
console.log(`${texts.length} corpus texts, mean ${meanLen.toFixed(0)} characters; one core, in-process`);
measure('shipped model', (t) => base.classify(t));
measure('with 200 learned corrections', (t) => learner.classify(t));
