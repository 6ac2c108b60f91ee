// npm run eval:classifier — scores the committed model: the held-out corpus seeds, then the
// frozen fresh set(s), which are blind: never trained, tuned or used to pick the gate. The
// gate reported is the one chosen on the validation fold (model-data.json `gate`).
// --errors lists the held-out mistakes (never the fresh set's lines).
import { readFileSync } from 'node:fs';
import { createDefaultClassifier } from '../src/domain/classifier/default';
import model from '../src/domain/classifier/model-data.json' with { type: 'json' };
import { loadFresh, loadSeeds, split } from './classifier-corpus.mts';
import { report, score } from './classifier-metrics.mts';

const classifier = createDefaultClassifier();
const gate = (model as { gate: number }).gate;
const out: string[] = [];

const held = split(loadSeeds()).test;
const heldItems = held.map((e) => ({ text: e.text, category: e.isIssue ? e.category : null }));
const heldResults = held.map((e) => classifier.classify(e.text));
out.push(report(`Held-out corpus seeds (20% of the training corpus by seed, never trained on)`, score(heldItems, heldResults), gate));
let typeOk = 0, urgOk = 0, n = 0;
held.forEach((e, i) => {
  if (!e.isIssue || !heldResults[i]!.isIssue) return;
  n++;
  if (heldResults[i]!.type === e.type) typeOk++;
  if (heldResults[i]!.urgency === e.urgency) urgOk++;
});
out.push(`Type accuracy ${(typeOk / (n || 1)).toFixed(3)}, urgency accuracy ${(urgOk / (n || 1)).toFixed(3)} (held-out issues classed as issues).`, '');

for (const set of loadFresh()) {
  const items = set.rows.map((r) => ({ text: r.text, category: r.label === 'none' ? null : r.label }));
  out.push(report(`Frozen fresh set ${set.name} (blind)`, score(items, items.map((i) => classifier.classify(i.text))), gate));
}

// Throughput on one core, on every text we have (held-out seeds), repeatedly.
const texts = held.map((e) => e.text);
for (let i = 0; i < 3; i++) for (const t of texts) classifier.classify(t);
const rounds = Math.max(1, Math.ceil(30_000 / texts.length));
const c0 = process.cpuUsage();
for (let i = 0; i < rounds; i++) for (const t of texts) classifier.classify(t);
const used = process.cpuUsage(c0);
// CPU time, not wall time: on a shared machine the wall clock also counts other jobs' turns.
const seconds = (used.user + used.system) / 1e6;
const meanLen = texts.reduce((s, t) => s + t.length, 0) / (texts.length || 1);
out.push(`Speed: ${Math.round((rounds * texts.length) / seconds)} messages per CPU-second on one core (mean ${meanLen.toFixed(0)} characters), in-process.`);
out.push(`Model: ${(readFileSync(new URL('../src/domain/classifier/model-data.json', import.meta.url)).length / 1e6).toFixed(2)} MB; gate ${gate} (chosen on the validation fold for ≥ 95% precision).`);
console.log(out.join('\n'));
if (process.argv.includes('--errors')) {
  held.forEach((e, i) => {
    const r = heldResults[i]!;
    const want = e.isIssue ? e.category : null;
    const got = r.isIssue ? r.category : null;
    if (want !== got) console.log(`${want ?? 'none'} → ${got ?? `none/${r.nonIssueKind}`} (${r.confidence})  ${e.text.slice(0, 80)}`);
  });
}
