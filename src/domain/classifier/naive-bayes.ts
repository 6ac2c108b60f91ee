import { normaliseText } from './normalise';

/** Character 1–3-grams of normalised text: robust to word segmentation, typos and dialect spellings. */
export function charNgrams(text: string): string[] {
  const t = normaliseText(text).replace(/\s+/g, ' ');
  const chars = Array.from(t);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c !== ' ') out.push(c);
    if (i + 1 < chars.length) out.push(c + chars[i + 1]!);
    if (i + 2 < chars.length) out.push(c + chars[i + 1]! + chars[i + 2]!);
  }
  return out;
}

/** The trained, committed form: per-class document counts and sparse n-gram counts. */
export interface NaiveBayesData {
  classes: string[];
  docs: number[];
  /** n-gram → [[class index, count], …] */
  counts: Record<string, Array<[number, number]>>;
  alpha: number;
}

export interface NaiveBayes {
  classes: readonly string[];
  /** Log-probabilities per class (unnormalised), and how many known n-grams contributed. */
  score(ngrams: readonly string[]): { logp: Float64Array; known: number };
}

/** Multinomial Naive Bayes with Laplace smoothing; one map lookup per n-gram at run time. */
export function createNaiveBayes(data: NaiveBayesData): NaiveBayes {
  const k = data.classes.length;
  const vocab = Object.keys(data.counts).length;
  const totals = new Float64Array(k);
  for (const rows of Object.values(data.counts)) for (const [c, n] of rows) totals[c]! += n;
  const unseen = new Float64Array(k);
  for (let c = 0; c < k; c++) unseen[c] = Math.log(data.alpha / (totals[c]! + data.alpha * vocab));
  const table = new Map<string, Float64Array>();
  for (const [gram, rows] of Object.entries(data.counts)) {
    const v = Float64Array.from(unseen);
    for (const [c, n] of rows) v[c] = Math.log((n + data.alpha) / (totals[c]! + data.alpha * vocab));
    table.set(gram, v);
  }
  const docTotal = data.docs.reduce((a, b) => a + b, 0);
  const prior = Float64Array.from(data.docs, (d) => Math.log((d + 1) / (docTotal + k)));
  return {
    classes: data.classes,
    score(ngrams) {
      const logp = Float64Array.from(prior);
      let known = 0;
      for (const g of ngrams) {
        const v = table.get(g);
        if (!v) continue;
        known++;
        for (let c = 0; c < k; c++) logp[c]! += v[c]!;
      }
      return { logp, known };
    },
  };
}

/** Softmax with a temperature: NB's raw log-odds are overconfident on long texts. */
export function softmax(logp: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const v of logp) if (v > max) max = v;
  const out = Float64Array.from(logp, (v) => Math.exp((v - max) / temperature));
  const sum = out.reduce((a, b) => a + b, 0);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Trains from (text, label) pairs; used by scripts/train-classifier.mts and by tests. */
export function trainNaiveBayes(examples: ReadonlyArray<{ text: string; label: string }>, classes: readonly string[], alpha = 0.5, minCount = 1): NaiveBayesData {
  const index = new Map(classes.map((c, i) => [c, i]));
  const docs = classes.map(() => 0);
  const counts = new Map<string, number[]>();
  for (const ex of examples) {
    const c = index.get(ex.label);
    if (c === undefined) throw new Error(`unknown label ${ex.label}`);
    docs[c]!++;
    for (const g of charNgrams(ex.text)) {
      let row = counts.get(g);
      if (!row) counts.set(g, (row = classes.map(() => 0)));
      row[c]!++;
    }
  }
  const sparse: NaiveBayesData['counts'] = {};
  for (const [g, row] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (row.reduce((a, b) => a + b, 0) < minCount) continue;
    sparse[g] = row.flatMap((n, c) => (n > 0 ? [[c, n] as [number, number]] : []));
  }
  return { classes: [...classes], docs, counts: sparse, alpha };
}
