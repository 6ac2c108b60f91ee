import { cosine, countTerms, createVocabulary, weigh, type SparseVector, type TermCounts, type Vocabulary } from './vectors';

/** One ticket as the clustering sees it. */
export interface TopicDoc {
  id: number;
  text: string;
  category: string;
  /** Who reported it: distinct enterprises, not tickets, make a shared problem. */
  enterprise: string;
  /** Received at, epoch milliseconds. */
  at: number;
}

export interface TopicOptions {
  /** A topic needs reports from at least this many distinct enterprises. */
  minEnterprises: number;
  /** Cosine of TF-IDF vectors at or above which two reports are linked. */
  threshold: number;
  /** A member whose cosine with its topic's centroid is below this leaves the topic (against chaining). */
  centroidThreshold: number;
  /** Two reports further apart than this are never linked directly. */
  linkWithinDays: number;
  /** Terms in more than this share of a category's reports carry no signal and are not indexed. */
  maxDocFraction: number;
  /** Both reports name subjects (places, systems, organisations) and none is shared: the link is weakened by this factor. */
  placeClash: number;
  /** Subject words weigh this many times an ordinary term. */
  placeBoost: number;
  /** Both reports name the same subject: the link closes this share of its distance to 1. */
  placeAgree: number;
}

export const DEFAULT_TOPIC_OPTIONS: TopicOptions = {
  minEnterprises: 3,
  threshold: 0.38,
  centroidThreshold: 0.38,
  linkWithinDays: 30,
  maxDocFraction: 0.01,
  placeClash: 0.55,
  placeBoost: 3,
  placeAgree: 0.1,
};

export interface TopicCluster {
  ticketIds: number[];
  category: string;
  enterprises: number;
  /** The member closest to the centroid: its text stands for the topic. */
  representativeId: number;
  /** The heaviest terms of the centroid, places first. */
  terms: string[];
  firstAt: number;
  lastAt: number;
}

interface Block {
  docs: TopicDoc[];
  counts: TermCounts[];
}

/**
 * Keeps each ticket's term counts between refreshes, so a refresh tokenises only the tickets
 * it has not seen; weights (which depend on the whole window) are recomputed every time.
 */
export interface TopicIndex {
  cluster(docs: TopicDoc[], opts?: Partial<TopicOptions>): TopicCluster[];
  /** Tickets whose counts are cached. */
  size(): number;
}

export function createTopicIndex(): TopicIndex {
  const vocab: Vocabulary = createVocabulary();
  const cache = new Map<number, { text: string; counts: TermCounts }>();
  return {
    size: () => cache.size,
    cluster(docs, partial = {}) {
      const opts = { ...DEFAULT_TOPIC_OPTIONS, ...partial };
      const live = new Set<number>();
      const blocks = new Map<string, Block>();
      for (const d of docs) {
        live.add(d.id);
        let c = cache.get(d.id);
        if (!c || c.text !== d.text) {
          c = { text: d.text, counts: countTerms(vocab, d.text) };
          cache.set(d.id, c);
        }
        const b = blocks.get(d.category) ?? { docs: [], counts: [] };
        b.docs.push(d);
        b.counts.push(c.counts);
        blocks.set(d.category, b);
      }
      // Tickets that left the window need not be remembered.
      if (cache.size > live.size * 1.5) for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
      const out: TopicCluster[] = [];
      for (const [category, block] of blocks) out.push(...clusterBlock(category, block, vocab, opts));
      return out.sort((a, b) => b.enterprises - a.enterprises || b.ticketIds.length - a.ticketIds.length || b.lastAt - a.lastAt);
    },
  };
}

/** Clusters once, without keeping anything (tests, one-off runs). */
export function clusterTopics(docs: TopicDoc[], opts: Partial<TopicOptions> = {}): TopicCluster[] {
  return createTopicIndex().cluster(docs, opts);
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]!]!;
    i = parent[i]!;
  }
  return i;
}

function clusterBlock(category: string, block: Block, vocab: Vocabulary, opts: TopicOptions): TopicCluster[] {
  const n = block.docs.length;
  if (n < opts.minEnterprises) return [];
  // Document frequency within the category: "积水" is rare among all tickets but common in utilities.
  const df = new Map<number, number>();
  for (const c of block.counts) for (const id of c.ids) df.set(id, (df.get(id) ?? 0) + 1);
  // A small window (a new deployment, a test) must not make its shared words look common: the
  // block counts as at least 500 reports.
  const nEff = Math.max(n, 500);
  const idf = (id: number) => Math.log((nEff + 1) / ((df.get(id) ?? 0) + 1)) + 1;
  const boost = (id: number) => (vocab.isPlace(id) ? opts.placeBoost : 1);
  const vectors: SparseVector[] = block.counts.map((c) => weigh(c, idf, boost));

  // Each report is indexed by its heaviest informative terms only (seen twice or more, not in
  // every other report): two reports of one problem share at least one of those — the subject
  // is boosted to be among them — and the exact cosine is computed only for such pairs.
  const cap = Math.max(40, Math.floor(n * opts.maxDocFraction));
  const TOP = 8;
  const MAX_SCAN = 120;
  // Only a specific subject speaks for or against a link: "政务服务中心" is in hundreds of reports.
  const places: Array<Uint32Array> = block.counts.map((c) => c.ids.filter((id) => vocab.isPlace(id) && df.get(id)! <= cap));
  const tops: Uint32Array[] = vectors.map((v) => {
    const idx: number[] = [];
    for (let k = 0; k < v.ids.length; k++) {
      const f = df.get(v.ids[k]!)!;
      if (f >= 2 && f <= cap) idx.push(k);
    }
    idx.sort((x, y) => v.weights[y]! - v.weights[x]!);
    return Uint32Array.from(idx.slice(0, TOP), (k) => v.ids[k]!);
  });
  const postings = new Map<number, number[]>();

  const order = block.docs.map((_, i) => i).sort((a, b) => block.docs[a]!.at - block.docs[b]!.at);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const seen = new Int32Array(n).fill(-1);
  const linkMs = opts.linkWithinDays * 86_400_000;
  const sharesPlace = (a: Uint32Array, b: Uint32Array) => {
    for (const x of a) for (const y of b) if (x === y) return true;
    return false;
  };
  // Each report meets only the earlier ones (in time order): every pair is scored once.
  for (const i of order) {
    const at = block.docs[i]!.at;
    for (const id of tops[i]!) {
      const list = postings.get(id);
      if (!list) continue;
      // Postings are in time order: walk back from the newest and stop at the link window, or
      // after MAX_SCAN reports (a term in that many recent reports is not what decides a link).
      for (let p = list.length - 1, scanned = 0; p >= 0 && scanned < MAX_SCAN; p--, scanned++) {
        const j = list[p]!;
        if (at - block.docs[j]!.at > linkMs) break;
        if (seen[j] === i) continue;
        seen[j] = i;
        if (find(parent, i) === find(parent, j)) continue;
        let s = cosine(vectors[i]!, vectors[j]!);
        // A subject on one side only is weaker evidence against the link than two different subjects.
        const pi = places[i]!.length > 0;
        const pj = places[j]!.length > 0;
        if (pi && pj) {
          // The same subject in the same category within the window is strong evidence on its own.
          if (sharesPlace(places[i]!, places[j]!)) s += (1 - s) * opts.placeAgree;
          else s *= opts.placeClash;
        } else if (pi || pj) s *= Math.sqrt(opts.placeClash);
        if (s >= opts.threshold) parent[find(parent, i)] = find(parent, j);
      }
    }
    for (const id of tops[i]!) {
      const list = postings.get(id);
      if (list) list.push(i);
      else postings.set(id, [i]);
    }
  }

  const components = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    const list = components.get(r);
    if (list) list.push(i);
    else components.set(r, [i]);
  }

  const out: TopicCluster[] = [];
  for (const members of components.values()) {
    if (members.length < opts.minEnterprises) continue;
    const kept = trimToCentroid(members, vectors, opts.centroidThreshold);
    const enterprises = new Set(kept.map((i) => block.docs[i]!.enterprise)).size;
    if (enterprises < opts.minEnterprises) continue;
    const centroid = centroidOf(kept, vectors);
    let rep = kept[0]!;
    let best = -1;
    for (const i of kept) {
      const s = dotDense(vectors[i]!, centroid);
      if (s > best) (best = s), (rep = i);
    }
    const top = [...centroid.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([id]) => vocab.term(id));
    const terms = [...top.filter((t) => t.startsWith('@')).map((t) => t.slice(1)), ...top.filter((t) => !t.startsWith('@'))].slice(0, 6);
    const times = kept.map((i) => block.docs[i]!.at);
    out.push({
      ticketIds: kept.map((i) => block.docs[i]!.id).sort((a, b) => a - b),
      category,
      enterprises,
      representativeId: block.docs[rep]!.id,
      terms,
      firstAt: Math.min(...times),
      lastAt: Math.max(...times),
    });
  }
  return out;
}

function centroidOf(members: number[], vectors: SparseVector[]): Map<number, number> {
  const c = new Map<number, number>();
  for (const i of members) {
    const v = vectors[i]!;
    for (let k = 0; k < v.ids.length; k++) c.set(v.ids[k]!, (c.get(v.ids[k]!) ?? 0) + v.weights[k]!);
  }
  let norm = 0;
  for (const w of c.values()) norm += w * w;
  const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const [id, w] of c) c.set(id, w * s);
  return c;
}

function dotDense(v: SparseVector, c: Map<number, number>): number {
  let dot = 0;
  for (let k = 0; k < v.ids.length; k++) dot += v.weights[k]! * (c.get(v.ids[k]!) ?? 0);
  return dot;
}

/**
 * Single links chain: A–B and B–C join A and C even when they share nothing. Members far from
 * the component's centroid are let go, twice, so a chain through one ambiguous report does
 * not merge two problems.
 */
function trimToCentroid(members: number[], vectors: SparseVector[], min: number): number[] {
  let kept = members;
  for (let round = 0; round < 2; round++) {
    const c = centroidOf(kept, vectors);
    const next = kept.filter((i) => dotDense(vectors[i]!, c) >= min);
    if (next.length === kept.length || next.length === 0) break;
    kept = next;
  }
  return kept;
}

export { cosine };
