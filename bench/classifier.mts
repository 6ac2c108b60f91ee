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
  const c0 = process.cpuUsage();
  let n = 0;
  while (n < target) for (const t of texts) (classify(t), n++);
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  // CPU time as well as wall time: on a shared machine the wall clock also counts other jobs' turns.
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${name.padEnd(30)} ${Math.round(n / cpu).toString().padStart(7)} messages per CPU-second (${((cpu / n) * 1e6).toFixed(1)} µs each); wall clock ${Math.round(n / s)} messages/s`);
}

const meanLen = texts.reduce((a, t) => a + t.length, 0) / texts.length;
console.log(`${texts.length} corpus texts, mean ${meanLen.toFixed(0)} characters; one core, in-process`);
measure('shipped model', (t) => base.classify(t));
measure('with 200 learned corrections', (t) => learner.classify(t));
