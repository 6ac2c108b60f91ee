// npm run train:topics [-- --cv] [-- --write] — learns the topic clustering's pair model
// (src/domain/topics/pair-model.ts) from the development sets of corpus/topics/sets.json (use:
// "train") and the generated stream (bench/topics-stream.mts, seed 1).
//   --cv     leave one hand-written set out at a time: train on the others (threshold and trimming
//            chosen on them too), score the one left out, and print the rules' score beside it.
//            Each set was written by a different blind author, so this is how the model does on a
//            set it has not seen; the figure to quote is still a held-out set's (eval:topics --file).
//   --write  train on all of them and write src/domain/topics/pair-model-trained.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { createTopicIndex, type TopicDoc } from '../src/domain/topics/cluster';
import type { AreaName } from '../src/domain/topics/kinds';
import { expandPairFeatures, logOdds, neighbourSupport, PAIR_FEATURES, PAIR_INTERACTIONS, type PairModel } from '../src/domain/topics/pair-model';
import { evaluateTopics, loadTopicSet, type LabelledTicket } from '../bench/topics-eval.mts';
import { generateStream, streamAreas } from '../bench/topics-stream.mts';

interface LabelledSet {
  name: string;
  docs: TopicDoc[];
  labels: LabelledTicket[];
  areas: AreaName[];
  places: AreaName[];
  /** Not a hand-written set: trained on, never left out. */
  generated?: boolean;
}

const root = new URL('..', import.meta.url).pathname;
const config = JSON.parse(readFileSync(`${root}corpus/topics/sets.json`, 'utf8')) as { sets: Array<{ name: string; file: string; use: string; groups: string }> };
const hand: LabelledSet[] = config.sets.filter((s) => s.use === 'train').map((s) => ({ name: s.name, ...loadTopicSet(`${root}${s.file}`, s.groups) }));
const streamOpts = { seed: 1, tickets: 20_000, topics: 80, maxSize: 40, days: 60, groups: 12 };
const stream = generateStream(streamOpts);
const generated: LabelledSet = { name: 'stream-seed-1', docs: stream, labels: stream, areas: streamAreas(streamOpts), places: [], generated: true };


interface Pairs {
  x: Float64Array[];
  y: Uint8Array;
  /** The two reports of each pair (indexes into the set's docs). */
  a: Int32Array;
  b: Int32Array;
}

/** Every pair the clustering considers, with its features and whether it is one planted topic. */
function collectPairs(set: LabelledSet, keep = 1): Pairs {
  const topic = set.labels.map((l) => l.topic);
  const x: Float64Array[] = [];
  const y: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  // A fixed sample (every 1/keep-th pair) of a large set: its pairs are alike and Newton's steps
  // cost the number of pairs.
  let seen = 0;
  createTopicIndex({ areas: set.areas, places: set.places }).cluster(set.docs, {
    pairModel: null,
    onPair: (i, j, f) => {
      if (seen++ % keep !== 0) return;
      x.push(expandPairFeatures(f).slice());
      y.push(topic[i] !== null && topic[i] === topic[j] ? 1 : 0);
      a.push(i);
      b.push(j);
    },
  });
  return { x, y: Uint8Array.from(y), a: Int32Array.from(a), b: Int32Array.from(b) };
}

/**
 * L2-regularised logistic regression by Newton's method on standardised features. Each set
 * weighs the same in all (a 20,000-ticket stream must not outvote four hand-written sets), and
 * within a set the linked and unlinked pairs weigh the same.
 */
function train(parts: Array<Pick<Pairs, 'x' | 'y'>>, lambda = 30): { weights: number[]; bias: number } {
  const D = parts.find((p) => p.x.length > 0)?.x[0]?.length ?? 0;
  const mean = new Float64Array(D);
  const sq = new Float64Array(D);
  let total = 0;
  for (const p of parts) for (const x of p.x) for (let k = 0; k < D; k++) (mean[k]! += x[k]!), (sq[k]! += x[k]! * x[k]!);
  for (const p of parts) total += p.x.length;
  const sd = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    mean[k]! /= total;
    sd[k] = Math.sqrt(Math.max(sq[k]! / total - mean[k]! * mean[k]!, 1e-12));
  }
  const rows: Array<{ x: Float64Array; y: number; w: number }> = [];
  for (const p of parts) {
    const pos = p.y.reduce((a, b) => a + b, 0);
    const neg = p.y.length - pos;
    if (pos === 0 || neg === 0) continue;
    for (let r = 0; r < p.x.length; r++) {
      const z = new Float64Array(D + 1);
      z[0] = 1;
      for (let k = 0; k < D; k++) z[k + 1] = (p.x[r]![k]! - mean[k]!) / sd[k]!;
      rows.push({ x: z, y: p.y[r]!, w: p.y[r] ? 0.5 / pos : 0.5 / neg });
    }
  }
  const n = D + 1;
  const beta = new Float64Array(n);
  for (let iter = 0; iter < 25; iter++) {
    const g = new Float64Array(n);
    const H = Array.from({ length: n }, () => new Float64Array(n));
    for (const { x, y, w } of rows) {
      let z = 0;
      for (let k = 0; k < n; k++) z += beta[k]! * x[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = w * (p - y);
      const s = w * p * (1 - p);
      for (let a = 0; a < n; a++) {
        g[a]! += r * x[a]!;
        const sa = s * x[a]!;
        if (sa !== 0) for (let b = a; b < n; b++) H[a]![b]! += sa * x[b]!;
      }
    }
    // The penalty is per set (the weights of a set sum to 1), the intercept is not penalised.
    const scale = lambda / (100 * parts.length);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < a; b++) H[a]![b] = H[b]![a]!;
      if (a > 0) (g[a]! += scale * beta[a]!), (H[a]![a]! += scale);
    }
    const step = solve(H, g);
    let change = 0;
    for (let k = 0; k < n; k++) (beta[k]! -= step[k]!), (change = Math.max(change, Math.abs(step[k]!)));
    if (change < 1e-7) break;
  }
  // Back to raw features: the clustering computes them unscaled.
  const weights = Array.from({ length: D }, (_, k) => beta[k + 1]! / sd[k]!);
  const bias = beta[0]! - weights.reduce((s, w, k) => s + w * mean[k]!, 0);
  return { weights, bias };
}

/** Gaussian elimination with partial pivoting (a 32 × 32 system). */
function solve(A: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const M = A.map((row, i) => Float64Array.from([...row, b[i]!]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const d = M[c]![c]! || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / d;
      if (f !== 0) for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / (M[r]![r]! || 1e-12);
  }
  return x;
}

function score(set: LabelledSet, model: PairModel | null) {
  const clusters = createTopicIndex({ areas: set.areas, places: set.places }).cluster(set.docs, { pairModel: model });
  return evaluateTopics(set.labels, clusters).perTopic;
}

const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];
// The trimming is the rules' own (TopicOptions.centroidThreshold, minLinks): a looser one lets
// reports naming two problems join them (test/domain/topics.test.ts).
/** Recall, less twice what precision falls short of the 0.90 target. */
const objective = (p: number, r: number) => r - 2 * Math.max(0, 0.9 - p);

/** The second look's inputs for a set's pairs, from the first look's weights. */
function secondInputs(p: Pairs, fit: { weights: number[]; bias: number }, floor: number): Pick<Pairs, 'x' | 'y'> {
  const first = p.x.map((x) => 1 / (1 + Math.exp(-(fit.bias + fit.weights.reduce((s, w, k) => s + w * x[k]!, 0)))));
  const { support, common } = neighbourSupport(p.a, p.b, first, floor);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let k = 0; k < first.length; k++) if (first[k]! >= floor) x.push(Float64Array.of(logOdds(first[k]!), support[k]!, Math.log1p(common[k]!))), y.push(p.y[k]!);
  return { x, y: Uint8Array.from(y) };
}

const FLOORS = [0.5, 0.8];

/** The threshold and trimming that do best on the sets it was trained on, each set weighing the same. */
function choose(fit: { weights: number[]; bias: number }, parts: Pairs[], sets: LabelledSet[], trainedOn: string): PairModel {
  let best: PairModel | null = null;
  let bestScore = -Infinity;
  for (const floor of FLOORS) {
    const support = supportOf(floor, train(parts.map((p) => secondInputs(p, fit, floor))));
    for (const threshold of THRESHOLDS) {
      const model: PairModel = { features: [...PAIR_FEATURES], interactions: PAIR_INTERACTIONS, ...fit, support, threshold, trainedOn };
      let sum = 0;
      for (const s of sets) {
        const e = score(s, model);
        sum += objective(e.precision, e.recall);
      }
      if (sum > bestScore) (bestScore = sum), (best = model);
    }
  }
  return best!;
}

/** The second look's part of a model, from its fitted weights (log-odds, support, common neighbours). */
const supportOf = (floor: number, second: { weights: number[]; bias: number }): PairModel['support'] => ({ floor, weights: second.weights as unknown as readonly [number, number, number], bias: second.bias });

const fmt = (x: number) => x.toFixed(3);
const pairsOf = new Map<string, Pairs>();
for (const s of [...hand, generated]) pairsOf.set(s.name, collectPairs(s, s.generated ? 10 : 1));
for (const s of [...hand, generated]) {
  const p = pairsOf.get(s.name)!;
  console.log(`${s.name}: ${s.docs.length} tickets, ${p.x.length} candidate pairs, ${p.y.reduce((a, b) => a + b, 0)} within a planted topic`);
}

if (process.argv.includes('--cv')) {
  let rules = [0, 0];
  let learned = [0, 0];
  for (const out of hand) {
    const rest = [...hand.filter((s) => s !== out), generated];
    const parts = rest.map((s) => pairsOf.get(s.name)!);
    const fit = train(parts);
    const model = choose(fit, parts, rest.filter((s) => !s.generated), `all but ${out.name}`);
    const a = score(out, null);
    const b = score(out, model);
    rules = [rules[0]! + a.precision, rules[1]! + a.recall];
    learned = [learned[0]! + b.precision, learned[1]! + b.recall];
    console.log(`left out ${out.name}: rules P ${fmt(a.precision)} R ${fmt(a.recall)} · learned P ${fmt(b.precision)} R ${fmt(b.recall)} (floor ${model.support.floor}, support ${model.support.weights.map((w) => w.toFixed(2)).join('/')}, threshold ${model.threshold})`);
  }
  const k = hand.length;
  console.log(`mean: rules P ${fmt(rules[0]! / k)} R ${fmt(rules[1]! / k)} · learned P ${fmt(learned[0]! / k)} R ${fmt(learned[1]! / k)}`);
  const sg = score(generated, null);
  console.log(`(stream seed 1, trained on: rules P ${fmt(sg.precision)} R ${fmt(sg.recall)})`);
}

if (process.argv.includes('--write')) {
  const names = [...hand.map((s) => s.name), generated.name];
  const parts = [...hand, generated].map((s) => pairsOf.get(s.name)!);
  // The second look's floor and the threshold are chosen on the sets left out, one at a time (an
  // in-sample choice swung between 0.6 and 0.7 with one group's parent corrected, and 0.6 cost
  // precision on every set not trained on).
  const held = new Map<string, number>();
  for (const out of hand) {
    const restParts = [...hand.filter((x) => x !== out), generated].map((x) => pairsOf.get(x.name)!);
    const restFit = train(restParts);
    for (const floor of FLOORS) {
      const second = train(restParts.map((p) => secondInputs(p, restFit, floor)));
      for (const threshold of THRESHOLDS) {
        const e = score(out, { features: [...PAIR_FEATURES], interactions: PAIR_INTERACTIONS, ...restFit, support: supportOf(floor, second), threshold, trainedOn: '' });
        held.set(`${floor} ${threshold}`, (held.get(`${floor} ${threshold}`) ?? 0) + objective(e.precision, e.recall));
      }
    }
  }
  const [floor, threshold] = [...held.entries()].sort((a, b) => b[1] - a[1])[0]![0].split(' ').map(Number) as [number, number];
  const fit = train(parts);
  const second = train(parts.map((p) => secondInputs(p, fit, floor)));
  const model: PairModel = {
    features: [...PAIR_FEATURES], interactions: PAIR_INTERACTIONS,
    ...fit,
    support: supportOf(floor, second),
    threshold,
    trainedOn: `${names.join(', ')} (npm run train:topics -- --write; floor and threshold chosen on the sets left out)`,
  };
  for (const s of hand) {
    const e = score(s, model);
    console.log(`${s.name} (trained on): P ${fmt(e.precision)} R ${fmt(e.recall)}`);
  }
  const body = `// Generated by \`npm run train:topics -- --write\` (scripts/train-topics.mts); do not edit by hand.
// Trained on: ${model.trainedOn}.
import type { PairModel } from './pair-model';

export const TRAINED_PAIR_MODEL: PairModel | null = ${JSON.stringify({ ...model, weights: model.weights.map((w) => Number(w.toPrecision(6))), bias: Number(model.bias.toPrecision(6)) }, null, 2)};
`;
  writeFileSync(`${root}src/domain/topics/pair-model-trained.ts`, body);
  console.log(`wrote src/domain/topics/pair-model-trained.ts: floor ${model.support.floor}, threshold ${model.threshold}`);
}
