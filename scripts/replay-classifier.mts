// npm run replay:classifier — how the deployment's learning moves accuracy. Streams the
// held-out seeds of the new-style corpus files (never trained on; never the frozen fresh set)
// in a fixed order; on the first half the bot gets the corrections staff would make
// (/关闭 … 非诉求 for a ticket that is not an issue, /改类 for a wrong category, /派单 of a queued
// ticket); accuracy is measured on the second half after every quarter of those corrections.
import { createDefaultClassifier } from '../src/domain/classifier/default';
import { createLearner } from '../src/domain/classifier/learner';
import model from '../src/domain/classifier/model-data.json' with { type: 'json' };
import { loadSeeds, split } from './classifier-corpus.mts';
import { score } from './classifier-metrics.mts';

const gate = (model as { gate: number }).gate;
const all = split(loadSeeds()).test;
const stream = [...all].sort((x, y) => x.seed - y.seed);
const half = Math.floor(stream.length / 2);
const first = stream.slice(0, half), second = stream.slice(half);
const items = second.map((e) => ({ text: e.text, category: e.isIssue ? e.category : null }));
const learner = createLearner(createDefaultClassifier());

const rows: string[] = ['| corrections applied | issue F1 | category accuracy | macro-F1 | auto-dispatched | routed right |', '|---|---|---|---|---|---|'];
const measure = (label: string) => {
  const m = score(items, second.map((e) => learner.classify(e.text)));
  const g = m.curve.find((p) => Math.abs(p.gate - gate) < 1e-9)!;
  rows.push(`| ${label} | ${m.f1.toFixed(3)} | ${m.accuracy.toFixed(3)} | ${m.macroF1.toFixed(3)} | ${(g.coverage * 100).toFixed(1)}% | ${(g.precision * 100).toFixed(1)}% |`);
};

measure('0 (shipped model)');
let corrections = 0;
const sources = { not_issue: 0, recategorize: 0, dispatch: 0 };
const quarter = Math.ceil(first.length / 4);
first.forEach((e, i) => {
  const r = learner.classify(e.text);
  // Staff only see tickets: a missed issue never comes back as a correction.
  if (r.isIssue) {
    const source = !e.isIssue ? 'not_issue' : r.category !== e.category ? 'recategorize' : r.confidence < gate ? 'dispatch' : null;
    if (source) {
      learner.learn({ text: e.text, isIssue: e.isIssue, category: e.category, type: e.type });
      sources[source]++;
      corrections++;
    }
  }
  if ((i + 1) % quarter === 0 || i === first.length - 1) measure(`${corrections} (after ${i + 1} of ${first.length} messages)`);
});
console.log(`replay: ${stream.length} held-out seeds; corrections on the first half: ${JSON.stringify(sources)}; measured on the second half (${second.length}); gate ${gate}\n`);
console.log(rows.join('\n'));
