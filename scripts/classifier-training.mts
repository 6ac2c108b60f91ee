// Training of the linear model: shared by train-classifier.mts and replay-classifier.mts.
import { CATEGORIES, ISSUE_TYPES } from '../src/domain/taxonomy';
import { extractFeatures, type FeatureOptions } from '../src/domain/classifier/features';
import { quantiseHead, type LinearModelData } from '../src/domain/classifier/linear';
import { createLinearClassifier } from '../src/domain/classifier/linear-classifier';
import { rng, type Example } from './classifier-corpus.mts';

export const HEAD_CLASSES = {
  issue: ['none', 'issue'],
  category: [...CATEGORIES] as string[],
  type: [...ISSUE_TYPES] as string[],
  urgency: ['normal', 'urgent'],
  kind: ['chatter', 'ack', 'thanks', 'greeting', 'notice', 'advert', 'reply', 'praise', 'empty'],
};
export type HeadKey = keyof typeof HEAD_CLASSES;
const MAX_VOCAB = 80_000;

export interface Hyper {
  cues: boolean;
  l2: number;
  epochs: number;
  lr: number;
  minDf: number;
  noticeRule: boolean;
}

interface Row {
  idx: Int32Array;
  val: Float64Array;
}

/** Softmax regression by AdaGrad SGD with L2 (applied lazily to the features a step touches). */
function fitHead(rows: Row[], ys: number[], weights: number[], k: number, vocab: number, h: Hyper): { w: Float64Array; b: Float64Array } {
  const w = new Float64Array(vocab * k);
  const g2 = new Float64Array(vocab * k).fill(1e-8);
  const b = new Float64Array(k);
  const gb = new Float64Array(k).fill(1e-8);
  const order = rows.map((_, i) => i);
  const r = rng(42);
  const z = new Float64Array(k);
  for (let epoch = 0; epoch < h.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const row = rows[i]!;
      const y = ys[i]!;
      const sw = weights[i]!;
      z.set(b);
      for (let j = 0; j < row.idx.length; j++) {
        const base = row.idx[j]! * k, v = row.val[j]!;
        for (let c = 0; c < k; c++) z[c]! += w[base + c]! * v;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c]! - max);
      for (let c = 0; c < k; c++) {
        const grad = sw * (z[c]! / sum - (c === y ? 1 : 0));
        gb[c]! += grad * grad;
        b[c]! -= (h.lr * grad) / Math.sqrt(gb[c]!);
        for (let j = 0; j < row.idx.length; j++) {
          const p = row.idx[j]! * k + c;
          const gr = grad * row.val[j]! + h.l2 * w[p]!;
          g2[p]! += gr * gr;
          w[p]! -= (h.lr * gr) / Math.sqrt(g2[p]!);
        }
      }
    }
  }
  return { w, b };
}

export interface Prepared {
  vocab: string[];
  rows: Row[];
}

export function featurize(examples: Example[], opts: FeatureOptions, minDf: number, vocab?: string[]): Prepared {
  const feats = examples.map((e) => extractFeatures(e.text, opts));
  if (!vocab) {
    const df = new Map<string, number>();
    for (const f of feats) for (const k of f.keys()) df.set(k, (df.get(k) ?? 0) + 1);
    vocab = [...df.entries()].filter(([k, n]) => n >= minDf || k.startsWith('#')).map(([k]) => k).sort();
  }
  const index = new Map(vocab.map((f, i) => [f, i]));
  const rows = feats.map((f) => {
    const idx: number[] = [], val: number[] = [];
    for (const [k, v] of f) {
      const i = index.get(k);
      if (i !== undefined) idx.push(i), val.push(v);
    }
    return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
  });
  return { vocab, rows };
}

const labelOf: Record<HeadKey, (e: Example) => string | null> = {
  issue: (e) => (e.isIssue ? 'issue' : 'none'),
  category: (e) => (e.isIssue ? e.category : null),
  type: (e) => (e.isIssue ? e.type : null),
  urgency: (e) => (e.isIssue ? (e.urgency ?? 'normal') : null),
  kind: (e) => (e.isIssue ? null : (e.kind ?? 'chatter')),
};

/** Trains all heads (temperatures 1: calibrate() sets them on a validation fold). */
export function trainModel(examples: Example[], h: Hyper): LinearModelData {
  const opts = { cues: h.cues };
  const { vocab, rows } = featurize(examples, opts, h.minDf);
  const heads = {} as LinearModelData['heads'];
  for (const head of Object.keys(HEAD_CLASSES) as HeadKey[]) {
    const classes = HEAD_CLASSES[head];
    const sel: number[] = [];
    const ys: number[] = [];
    examples.forEach((e, i) => {
      const l = labelOf[head](e);
      const y = l === null ? -1 : classes.indexOf(l);
      if (y >= 0) sel.push(i), ys.push(y);
    });
    // Rare classes count more (square root of inverse frequency): macro-F1 matters for routing.
    const freq = classes.map((_, c) => ys.filter((y) => y === c).length);
    const weights = ys.map((y) => Math.min(4, Math.sqrt(ys.length / (classes.length * Math.max(freq[y]!, 1)))));
    const { w, b } = fitHead(sel.map((i) => rows[i]!), ys, weights, classes.length, vocab.length, h);
    heads[head] = { w, b, classes } as never;
  }
  // Features no head uses are dropped, then the weights are quantised.
  const strength = new Float64Array(vocab.length);
  for (let f = 0; f < vocab.length; f++) {
    let m = 0;
    for (const head of Object.keys(heads) as HeadKey[]) {
      const { w, classes } = heads[head] as unknown as { w: Float64Array; classes: string[] };
      for (let c = 0; c < classes.length; c++) m = Math.max(m, Math.abs(w[f * classes.length + c]!));
    }
    strength[f] = m;
  }
  // The strongest features only, so the committed JSON stays a few MB (Workers bundle it).
  const keep = [...strength.keys()].filter((f) => strength[f]! > 0.05).sort((x, y) => strength[y]! - strength[x]!).slice(0, MAX_VOCAB).sort((x, y) => x - y);
  const out = {} as LinearModelData['heads'];
  for (const head of Object.keys(heads) as HeadKey[]) {
    const { w, b, classes } = heads[head] as unknown as { w: Float64Array; b: Float64Array; classes: string[] };
    const k = classes.length;
    const pruned = new Float64Array(keep.length * k);
    keep.forEach((f, i) => pruned.set(w.subarray(f * k, f * k + k), i * k));
    out[head] = quantiseHead(classes, pruned, b, 1);
  }
  return {
    format: 'gongzhi-linear-1',
    version: '2026-12-01',
    features: opts,
    vocab: keep.map((f) => vocab[f]!),
    heads: out,
    gate: 0.6,
    stats: { noticeRule: h.noticeRule },
  };
}

/** Temperature scaling per head, by grid search on the validation fold's log-loss. */
export function calibrate(model: LinearModelData, val: Example[]): LinearModelData {
  const c = createLinearClassifier(model);
  const raw = val.map((e) => c.scores(e.text));
  // scores() applied temperature 1: recover logits as log-probabilities (shift-invariant).
  for (const head of Object.keys(HEAD_CLASSES) as HeadKey[]) {
    const classes = HEAD_CLASSES[head];
    const pts: Array<{ z: number[]; y: number }> = [];
    val.forEach((e, i) => {
      const l = labelOf[head](e);
      const y = l === null ? -1 : classes.indexOf(l);
      if (y >= 0) pts.push({ z: Array.from(raw[i]![head], (p) => Math.log(Math.max(p, 1e-12))), y });
    });
    if (pts.length < 20) continue;
    let best = { t: 1, nll: Infinity };
    for (let t = 0.2; t <= 4.001; t += 0.05) {
      let nll = 0;
      for (const { z, y } of pts) {
        const m = Math.max(...z);
        let s = 0;
        for (const v of z) s += Math.exp((v - m) / t);
        nll -= (z[y]! - m) / t - Math.log(s);
      }
      if (nll < best.nll) best = { t, nll };
    }
    model.heads[head].temperature = Math.round(best.t * 100) / 100;
  }
  return model;
}
