import { TRAINED_PAIR_MODEL } from './pair-model-trained';

/**
 * What the clustering knows of a pair of reports (cluster.ts fills them in this order). Hand-set
 * rules weighed these with constants picked on the development sets and found about half the
 * shared problems of sets nobody had tuned on; a logistic model learned from labelled pairs of all
 * the development sets weighs them instead (scripts/train-topics.mts).
 */
export const PAIR_FEATURES = [
  'evidence', // the summed worth of the rare terms both reports use
  'subjectEvidence', // the part of it from subject words (a road, a system, an organisation)
  'areaBurst', // a kind of problem concentrated in an area both are from (积水@北山)
  'cosine', // of the whole texts' TF-IDF vectors
  'bestTerm', // the worth of the single rarest shared term (农商, 城投, 泽兴线)
  'sharedTerms', // log(1 + rare terms shared)
  'sharedKinds', // log(1 + kinds and symptoms of problem both describe)
  'sameSubject', // they name one subject
  'subjectClash', // each names a subject of one class the other does not
  'areaClash', // known areas, none shared
  'sameArea',
  'samePlace', // one town, street or park section
  'placeBound', // either is about a place (a road, an outage) rather than a system or a policy
  'bothOnline', // both report an online system
  'otherCategory',
  'daysApart', // in link windows (TopicOptions.linkWithinDays)
  'sharesTwo', // two indexed terms in common, or an area burst
  'commonRun', // the longest run of Han characters both texts contain, beyond two
  'sharedSymptoms', // log(1 + the finer symptoms both describe: 限高, 上传失败, 欠薪…)
  'secondTerm', // the worth of the second rarest shared term: two telling words are more than one
] as const;

/** Products of two features, so "a rare shared name from one area" can weigh more than the two apart. */
export const PAIR_INTERACTIONS: ReadonlyArray<readonly [number, number]> = [
  [4, 10], [4, 11], [4, 6], [4, 9], [4, 13], [4, 12], [0, 9], [0, 8], [6, 10], [6, 11], [2, 6], [3, 16], [6, 9], [0, 6], [17, 6], [17, 9], [18, 4], [18, 10], [19, 4], [19, 9],
];

export interface PairModel {
  /** The feature names it was trained on, to refuse a model trained for another feature list. */
  features: readonly string[];
  /** And the products of features it was trained on (PAIR_INTERACTIONS), for the same reason. */
  interactions: ReadonlyArray<readonly [number, number]>;
  /** One weight per feature, then one per interaction. */
  weights: readonly number[];
  bias: number;
  /**
   * The second look: a pair's probability with the support of the reports both are near (see
   * neighbourSupport). One problem's reports are many weak pairs among each other; a coincidence
   * of words is a weak pair alone. Weights: the first look's log-odds, the summed support, log(1 +
   * the neighbours both have); pairs below `floor` at the first look are not neighbours.
   */
  support: { floor: number; weights: readonly [number, number, number]; bias: number };
  /** A pair is linked when its probability at the second look is at least this. */
  threshold: number;
  /** Where it came from (sets, date, command), for whoever reads a topic's provenance. */
  trainedOn: string;
}

/** The feature vector with its interactions, as the model weighs it. */
export function expandPairFeatures(f: Float64Array, out: Float64Array = new Float64Array(PAIR_FEATURES.length + PAIR_INTERACTIONS.length)): Float64Array {
  for (let k = 0; k < PAIR_FEATURES.length; k++) out[k] = f[k]!;
  for (let k = 0; k < PAIR_INTERACTIONS.length; k++) {
    const [a, b] = PAIR_INTERACTIONS[k]!;
    out[PAIR_FEATURES.length + k] = f[a]! * f[b]!;
  }
  return out;
}

const scratch = new Float64Array(PAIR_FEATURES.length + PAIR_INTERACTIONS.length);

export function pairProbability(model: PairModel, f: Float64Array): number {
  const x = expandPairFeatures(f, scratch);
  let z = model.bias;
  for (let k = 0; k < x.length; k++) z += model.weights[k]! * x[k]!;
  return 1 / (1 + Math.exp(-z));
}

/** A first-look probability as log-odds, kept finite. */
export const logOdds = (p: number) => Math.log(Math.max(p, 1e-9) / Math.max(1 - p, 1e-9));

/**
 * For each candidate pair (a[k], b[k]) with first-look probability p[k]: the sum over the reports
 * both are near of the weaker of the two links, and how many such reports there are. Pairs under
 * `floor` neither count as neighbours nor get support.
 */
export function neighbourSupport(a: ArrayLike<number>, b: ArrayLike<number>, p: ArrayLike<number>, floor: number): { support: Float64Array; common: Uint16Array } {
  const near = new Map<number, Map<number, number>>();
  const add = (x: number, y: number, q: number) => {
    let m = near.get(x);
    if (!m) near.set(x, (m = new Map()));
    m.set(y, Math.max(q, m.get(y) ?? 0));
  };
  for (let k = 0; k < p.length; k++) if (p[k]! >= floor) add(a[k]!, b[k]!, p[k]!), add(b[k]!, a[k]!, p[k]!);
  const support = new Float64Array(p.length);
  const common = new Uint16Array(p.length);
  for (let k = 0; k < p.length; k++) {
    const x = near.get(a[k]!);
    const y = near.get(b[k]!);
    if (!x || !y) continue;
    const [small, large] = x.size <= y.size ? [x, y] : [y, x];
    let s = 0;
    let c = 0;
    for (const [z, q] of small) {
      const r = large.get(z);
      if (r !== undefined) (s += Math.min(q, r)), c++;
    }
    support[k] = s;
    common[k] = Math.min(c, 65535);
  }
  return { support, common };
}

export function secondLook(model: PairModel, first: number, support: number, common: number): number {
  const [w0, w1, w2] = model.support.weights;
  return 1 / (1 + Math.exp(-(model.support.bias + w0 * logOdds(first) + w1 * support + w2 * Math.log1p(common))));
}

// `npm run train:topics` alone only reports: the file is rewritten with --write.
const RETRAIN = 'src/domain/topics/pair-model-trained.ts is stale; retrain it with `npm run train:topics -- --write`';

export function checkPairModel(model: PairModel): PairModel {
  if (model.features.length !== PAIR_FEATURES.length || model.features.some((name, k) => name !== PAIR_FEATURES[k]))
    throw new Error(`topic pair model trained on features [${model.features.join(', ')}], the clustering computes [${PAIR_FEATURES.join(', ')}]: ${RETRAIN}`);
  if (JSON.stringify(model.interactions) !== JSON.stringify(PAIR_INTERACTIONS))
    throw new Error(`topic pair model trained on feature products ${JSON.stringify(model.interactions)}, the clustering computes ${JSON.stringify(PAIR_INTERACTIONS)}: ${RETRAIN}`);
  if (model.weights.length !== PAIR_FEATURES.length + PAIR_INTERACTIONS.length)
    throw new Error(`topic pair model has ${model.weights.length} weights, the clustering weighs ${PAIR_FEATURES.length} features and ${PAIR_INTERACTIONS.length} interactions: ${RETRAIN}`);
  return model;
}

/** The model trained on the development sets (topics.method: learned in the configuration). */
export const LEARNED_PAIR_MODEL: PairModel | null = TRAINED_PAIR_MODEL === null ? null : checkPairModel(TRAINED_PAIR_MODEL);
