import { areaStem, createAreaMatcher, ONLINE_KIND, PLACE_BOUND_KINDS, SYMPTOM_NAMES, type AreaMatcher, type AreaName } from './kinds';
import { LEARNED_PAIR_MODEL, neighbourSupport, PAIR_FEATURES, pairProbability, secondLook, type PairModel } from './pair-model';
import { bigramIds, cosine, countTerms, createVocabulary, subjectClass, subjectKind, weigh, type SparseVector, type TermCounts, type Vocabulary } from './vectors';

/** One ticket as the clustering sees it. */
export interface TopicDoc {
  id: number;
  text: string;
  category: string;
  /** Who reported it: distinct enterprises, not tickets, make a shared problem. */
  enterprise: string;
  /** Received at, epoch milliseconds. */
  at: number;
  /** Where it comes from: the area (region) of the group it was reported in, if known. */
  area?: string | null | undefined;
  /** The group's own region when it lies below its area (a town, a street, a park section). */
  place?: string | null | undefined;
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
  /** Two reports filed under different categories: the link is weakened by this factor. */
  otherCategory: number;
  /** IDF is raised to this power. */
  idfPower: number;
  /** A subject in more than max(subjectMinDocs, subjectDocFraction × window) reports is an area, not a subject. */
  subjectMinDocs: number;
  subjectDocFraction: number;
  /**
   * Terms in at most max(rareMinDocs, rareDocFraction × window) reports are evidence of a link.
   * rareMinDocs is at least a topic's usual size (3–8 reports): the name all eight reports of one
   * problem use must not stop counting because eight reports use it.
   */
  rareMinDocs: number;
  rareDocFraction: number;
  /** Shared rare-term evidence at or above which two reports are linked (one term only the two share weighs 1). */
  evidence: number;
  /** Within a topic, a report needs links to this many others (see the core trimming). */
  minLinks: number;
  /** Problem-kind terms (积水, 停电…) weigh this many times an ordinary term in the cosine. */
  kindBoost: number;
  /**
   * Evidence a shared kind-in-an-area (积水@北山) is worth when that kind is concentrated in that
   * area: at least `contextLift` times the reports of the kind the area would have by its share of
   * the window.
   */
  contextEvidence: number;
  contextLift: number;
  /** Both reports come from known areas and share none: the link is weakened by this factor. */
  areaClash: number;
  /** Evidence two reports with some shared evidence gain from coming from one area. */
  areaAgree: number;
  /** A name bigram in more than max(nameGramMinSubjects, nameGramFraction × window) subjects' names does not make two subjects one. */
  nameGramMinSubjects: number;
  nameGramFraction: number;
  /** Evidence a character bigram of an area's name is worth (the area is counted as an area, see areaClash). */
  areaNameWorth: number;
  /** Reports from different areas, neither bound to a place (a policy, a bank, a debtor): the link is weakened by this factor instead of areaClash. */
  areaClashElsewhere: number;
  /**
   * A window of at most this many reports indexes each report by its smallWindowTop heaviest terms
   * (10 otherwise): in a small window a chat fragment seen twice outweighs a name five reports
   * share, and would push it out of the index; there the extra terms cost nothing.
   */
  smallWindow: number;
  smallWindowTop: number;
  /** Evidence two reports sharing some rare term gain from describing one symptom (上传失败, 欠薪); off: it joined unrelated reports on the dev sets. */
  kindAgree: number;
  /**
   * A pair model learned from labelled sets (pair-model.ts, `npm run train:topics`): when set, in a
   * window of at most smallWindow reports, every pair that shares an indexed term is also scored by
   * it, and linked beside the rules' links when its probability reaches the model's threshold; the
   * trimming stays the rules'.
   */
  pairModel: PairModel | null;
  /** Called with each candidate pair's features (training, see scripts/train-topics.mts). */
  onPair: ((i: number, j: number, features: Float64Array) => void) | null;
}

export const DEFAULT_TOPIC_OPTIONS: TopicOptions = {
  minEnterprises: 3,
  threshold: 0.38,
  centroidThreshold: 0.38,
  linkWithinDays: 30,
  maxDocFraction: 0.01,
  placeClash: 0.1,
  placeBoost: 2,
  placeAgree: 0.1,
  otherCategory: 0.9,
  idfPower: 1.5,
  subjectMinDocs: 10,
  subjectDocFraction: 0.01,
  rareMinDocs: 8,
  rareDocFraction: 0.002,
  evidence: 2.6,
  minLinks: 2,
  kindBoost: 0,
  contextEvidence: 2,
  contextLift: 3,
  areaClash: 0.4,
  areaAgree: 0,
  nameGramMinSubjects: 4,
  nameGramFraction: 0.0002,
  areaNameWorth: 0,
  areaClashElsewhere: 0.5,
  smallWindow: 5000,
  smallWindowTop: 16,
  kindAgree: 0,
  // The model beat the rules on the blind sets by rules fixed before each was scored (README 面上问题,
  // BENCHMARKS.md); `pairModel: null` is the rules alone.
  pairModel: LEARNED_PAIR_MODEL,
  onPair: null,
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

/**
 * Keeps each ticket's term counts between refreshes, so a refresh tokenises only the tickets
 * it has not seen; weights (which depend on the whole window) are recomputed every time.
 */
export interface TopicIndex {
  cluster(docs: TopicDoc[], opts?: Partial<TopicOptions>): TopicCluster[];
  /** Tickets whose counts are cached. */
  size(): number;
}

/**
 * `areas`: the deployment's areas (regions) by name, so a report that names one (我们在河西也有车间)
 * counts in that area as well as its group's. `places`: the regions below them (towns, streets,
 * park sections), each by its own id, so a report that names one (沙口那边又断网了) counts there too.
 */
export function createTopicIndex(setup: { areas?: readonly AreaName[]; places?: readonly AreaName[] } = {}): TopicIndex {
  const vocab: Vocabulary = createVocabulary();
  const named = createAreaMatcher(setup.areas ?? []);
  const namedPlaces = createAreaMatcher(setup.places ?? []);
  const cache = new Map<number, { text: string; area: string | null; place: string | null; areas: string[]; keys: string[]; counts: TermCounts }>();
  // An area's name in a text (河西, 北园) is where the report is from, which the areas count:
  // as a rare bigram it would also count as what two reports share.
  const areaGrams = new Set([...(setup.areas ?? []), ...(setup.places ?? [])].flatMap((a) => [...bigramIds(vocab, a.name), ...bigramIds(vocab, areaStem(a.name))]));
  return {
    size: () => cache.size,
    cluster(docs, partial = {}) {
      const opts = { ...DEFAULT_TOPIC_OPTIONS, ...partial };
      const live = new Set<number>();
      const counts: TermCounts[] = [];
      const areas: string[][] = [];
      const contexts: string[][] = [];
      for (const d of docs) {
        live.add(d.id);
        const area = d.area ?? null;
        const place = d.place ?? null;
        let c = cache.get(d.id);
        if (!c || c.text !== d.text || c.area !== area || c.place !== place) {
          const where = [...new Set([...(area === null ? [] : [area]), ...named.find(d.text)])];
          // A kind of problem is counted in each area and each place of the report: 断网 in one town
          // is a burst even when its county's other towns make the county's share look ordinary.
          const within = [...new Set([...(place === null ? [] : [place]), ...namedPlaces.find(d.text)])].map((p) => `${PLACE_KEY}${p}`);
          const keys = [...where, ...within];
          c = { text: d.text, area, place, areas: where, keys, counts: countTerms(vocab, d.text, keys) };
          cache.set(d.id, c);
        }
        counts.push(c.counts);
        areas.push(c.areas);
        contexts.push(c.keys);
      }
      // Tickets that left the window need not be remembered.
      if (cache.size > live.size * 1.5) for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
      return clusterWindow(docs, counts, areas, contexts, named, areaGrams, vocab, opts).sort((a, b) => b.enterprises - a.enterprises || b.ticketIds.length - a.ticketIds.length || b.lastAt - a.lastAt);
    },
  };
}

/** Clusters once, without keeping anything (tests, one-off runs). */
export function clusterTopics(docs: TopicDoc[], opts: Partial<TopicOptions> = {}): TopicCluster[] {
  return createTopicIndex().cluster(docs, opts);
}

const EMPTY = new Uint32Array(0);
/** Places and areas share the kind-in-an-area terms (积水@id): a place's id is marked apart. */
const PLACE_KEY = '.';

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]!]!;
    i = parent[i]!;
  }
  return i;
}

/** A subject named in a report: its class (road, park, online system…) and its telling name bigrams. */
interface Subject {
  id: number;
  /** The class, as a small number. */
  kind: number;
  online: boolean;
  /** A place (a road, a park, a town, a building), not a system, an organisation or a project. */
  place: boolean;
  /** The area its name starts with (青山县工业园), as a number; −1 none. */
  area: number;
  /** Nothing but the area and the kind word: 青山工业园 is the area's park. */
  bare: boolean;
  /** Name bigrams (as numbers) that tell subjects apart: 咨询 in 湖阳咨询公司 and 柏云咨询公司 does not. */
  grams: number[];
  /** One bit per gram (mod 31): subjects whose masks do not meet share no gram. */
  mask: number;
}

/** A name's bigrams (a one-character name is its own). */
function nameGrams(name: string): string[] {
  if (name.length === 1) return [name];
  const grams = new Set<string>();
  for (let k = 0; k + 1 < name.length; k++) grams.add(name.slice(k, k + 2));
  return [...grams];
}

/** 1: one subject; −1: two subjects; 0: cannot tell (青山工业园, the area's park, and 青山创业园 in it). */
function compareSubjects(x: Subject, y: Subject): number {
  if (x.id === y.id) return 1;
  if (x.area !== -1 && y.area !== -1 && x.area !== y.area) return -1;
  if (x.bare || y.bare) return x.bare && y.bare && x.area !== -1 && x.area === y.area ? 1 : 0;
  if ((x.mask & y.mask) !== 0) for (const g of x.grams) if (y.grams.includes(g)) return 1;
  return -1;
}

/** A report's rarest subjects are the ones that speak for it (a long letter may name a dozen places). */
const MAX_SUBJECTS = 8;
/** Per subject of either report, its best comparison with the other's of its class (−2: none). */
const bestA = new Int8Array(MAX_SUBJECTS);
const bestB = new Int8Array(MAX_SUBJECTS);

/**
 * −1: in some class of subject, each report names one the other does not (工业二路 / 北环路: two
 * roads, even when both also name 青山工业园: two roads in one park are two problems); +1:
 * otherwise, they name one subject (the same subject word, names sharing a telling bigram:
 * 出口退税申报系统 / 出口退税系统, one area's park: 青山工业园 / 青山县工业园), whatever else one of
 * them names; 0: nothing to say (a road and a system are not a clash). Reports from different
 * areas (`apart`) name one place only by chance (every county has a 水务公司 and maybe a 纬三路):
 * only an online system is one subject everywhere.
 */
function subjectRelation(a: Subject[], b: Subject[], apart: boolean): number {
  if (a.length === 0 || b.length === 0) return 0;
  bestA.fill(-2, 0, a.length);
  bestB.fill(-2, 0, b.length);
  for (let x = 0; x < a.length; x++) {
    const sx = a[x]!;
    for (let y = 0; y < b.length; y++) {
      const sy = b[y]!;
      if (sx.kind !== sy.kind) continue;
      const c = compareSubjects(sx, sy);
      if (c > bestA[x]!) bestA[x] = c;
      if (c > bestB[y]!) bestB[y] = c;
    }
  }
  let unmatchedA = 0;
  let unmatchedB = 0;
  let shared = false;
  for (let x = 0; x < a.length; x++) {
    if (bestA[x] === -1) unmatchedA |= 1 << a[x]!.kind;
    else if (bestA[x] === 1 && (!apart || a[x]!.online)) shared = true;
  }
  for (let y = 0; y < b.length; y++) if (bestB[y] === -1) unmatchedB |= 1 << b[y]!.kind;
  return (unmatchedA & unmatchedB) !== 0 ? -1 : shared ? 1 : 0;
}

/** Small dense ids for strings (enterprises, categories, areas), so the pair loop compares numbers. */
function interner(): (key: string) => number {
  const ids = new Map<string, number>();
  return (key) => {
    let i = ids.get(key);
    if (i === undefined) ids.set(key, (i = ids.size));
    return i;
  };
}

/**
 * All reports of the window are compared with each other, whatever their category: a clerk files
 * one problem under different categories. Document frequency is over the whole window, so a
 * region's name (in hundreds of reports) says little and a road's or a system's name says much.
 */
function clusterWindow(docs: TopicDoc[], counts: TermCounts[], areas: string[][], where: string[][], areaNames: AreaMatcher, areaGrams: ReadonlySet<number>, vocab: Vocabulary, opts: TopicOptions): TopicCluster[] {
  const n = docs.length;
  if (n < opts.minEnterprises) return [];
  // Term ids are dense: per-term figures live in typed arrays, not maps.
  const V = vocab.size();
  const df = new Int32Array(V);
  for (const c of counts) for (const id of c.ids) df[id]!++;
  // A small window (a new deployment, a test) must not make its shared words look common: the
  // window counts as at least 500 reports.
  const nEff = Math.max(n, 500);
  // Sharpened IDF: in short chat reports a rare word (限高, 审图, 诚信) is what two paraphrases share.
  const idf = (id: number) => Math.pow(Math.log((nEff + 1) / (df[id]! + 1)) + 1, opts.idfPower);
  const cap = Math.max(40, Math.floor(n * opts.maxDocFraction));
  // A subject named in many reports of the window is an area (a county, a park everyone is in),
  // not the subject of one problem: it is neither boosted nor evidence for or against a link.
  const subjectCap = Math.max(opts.subjectMinDocs, Math.floor(n * opts.subjectDocFraction));
  const specific = (id: number) => vocab.isPlace(id) && df[id]! <= subjectCap;
  const boost = (id: number) => (specific(id) ? opts.placeBoost : vocab.isPlace(id) ? 0.3 : vocab.isKind(id) ? opts.kindBoost : 1);
  const vectors: SparseVector[] = counts.map((c) => weigh(c, idf, boost));

  const TOP = n <= opts.smallWindow ? opts.smallWindowTop : 10;
  const MAX_SCAN = 30;
  const areaId = interner();
  // A name bigram in many subjects' names is a description (咨询, 工业), not a name.
  const gramSubjects = new Map<string, number>();
  const gramId = interner();
  const subjectIds: number[] = [];
  for (let id = 0; id < V; id++) if (df[id]! > 0 && specific(id)) subjectIds.push(id);
  // Names without the area they start with: 青山 in 青山工业园, 青山县创业园, 青山纬三路 is the area.
  const named = new Map<number, { area: string | null; rest: string; word: string }>();
  for (const id of subjectIds) {
    const w = vocab.term(id).slice(1);
    const word = subjectKind(w);
    named.set(id, { ...areaNames.lead(w.slice(0, w.length - word.length)), word });
  }
  for (const id of subjectIds) for (const g of nameGrams(named.get(id)!.rest)) gramSubjects.set(g, (gramSubjects.get(g) ?? 0) + 1);
  const gramCap = Math.max(opts.nameGramMinSubjects, Math.floor(n * opts.nameGramFraction));
  const subjects = new Map<number, Subject>();
  const kindId = interner();
  for (const id of subjectIds) {
    const { area, rest, word } = named.get(id)!;
    const klass = subjectClass(word);
    const grams = nameGrams(rest).flatMap((g) => (gramSubjects.get(g)! <= gramCap ? [gramId(g)] : []));
    const mask = grams.reduce((m, g) => m | (1 << g % 31), 0);
    subjects.set(id, { id, kind: kindId(klass), online: klass === 'online', place: klass === 'road' || klass === 'park' || klass === 'settlement' || klass === 'building', area: area === null ? -1 : areaId(area), bare: rest.length === 0, grams, mask });
  }
  const rareCap = Math.max(opts.rareMinDocs, Math.floor(n * opts.rareDocFraction));
  const logTop = Math.log(nEff / 2);
  // Only a specific subject speaks for or against a link: "政务服务中心" is in hundreds of reports.
  const places: Subject[][] = counts.map((c) => {
    const out: Subject[] = [];
    for (const id of c.ids) {
      const su = subjects.get(id);
      if (su) out.push(su);
    }
    return out.length <= MAX_SUBJECTS ? out : out.sort((x, y) => df[x.id]! - df[y.id]! || x.id - y.id).slice(0, MAX_SUBJECTS);
  });
  // The classes each report names, one bit each: two reports naming no class in common say nothing.
  const classes = Int32Array.from(places, (list) => list.reduce((m, su) => m | (1 << (su.kind & 31)), 0));
  // And their subjects and name bigrams, one bit each (mod 31; bit 31: a bare area subject): a report that
  // shares one term with another links to it only through one subject, which needs a bit in common.
  const nameBits = Int32Array.from(places, (list) => list.reduce((m, su) => m | su.mask | (1 << su.id % 31) | (su.bare ? 1 << 31 : 0), 0));
  // Each report is indexed by its heaviest informative terms (seen twice or more, not common);
  // the exact cosine is computed only for pairs that share two of them.
  const tops: Uint32Array[] = vectors.map((v) => {
    const idx: number[] = [];
    for (let k = 0; k < v.ids.length; k++) {
      const f = df[v.ids[k]!]!;
      if (f >= 2 && f <= cap) idx.push(k);
    }
    idx.sort((x, y) => v.weights[y]! - v.weights[x]!);
    return Uint32Array.from(idx.slice(0, TOP), (k) => v.ids[k]!);
  });
  const postings = new Map<number, number[]>();
  // A kind in an area (积水@北山) is evidence when the area has several times the reports of that
  // kind its share of the window would give it: a burst of one problem, not the usual background.
  const areaDocs = new Map<string, number>();
  for (const list of where) for (const a of list) areaDocs.set(a, (areaDocs.get(a) ?? 0) + 1);
  const contextWorth = (id: number) => {
    if (opts.contextEvidence === 0) return 0;
    const t = vocab.term(id);
    const at = t.indexOf('@');
    if (at < 0) return 0;
    const kindDocs = df[vocab.id(vocab.kind(t.slice(1, at)))] ?? 0;
    const expected = (kindDocs * (areaDocs.get(t.slice(at + 1)) ?? 0)) / n;
    const c = df[id]!;
    return c >= opts.minEnterprises && expected > 0 && c / expected >= opts.contextLift ? opts.contextEvidence : 0;
  };
  // Each term's worth as evidence: 1 for a term only two reports use, less the more use it, 0 past
  // rareCap; an area's name is worth nothing. A kind's worth is stored negative: a pair counts its
  // best one once (see the walk).
  const worth = new Float32Array(V);
  const areaGram = new Uint8Array(V);
  for (const id of areaGrams) if (id < V) areaGram[id] = 1;
  const isSubject = new Uint8Array(V);
  for (const id of subjectIds) isSubject[id] = 1;
  // A kind or symptom anywhere (欠款, not 欠款@河西): what the two reports say is wrong.
  const isPlainKind = new Uint8Array(V);
  for (const k of SYMPTOM_NAMES) {
    const id = vocab.id(vocab.kind(k));
    if (id < V) isPlainKind[id] = 1;
  }
  for (let id = 0; id < V; id++) {
    const f = df[id]!;
    if (f === 0) continue;
    worth[id] = vocab.isKind(id) ? -contextWorth(id) : f > rareCap ? 0 : (Math.log(nEff / f) / logTop) * (vocab.isPlace(id) ? (specific(id) ? opts.placeBoost : 0) : areaGram[id] === 1 ? opts.areaNameWorth : 1);
  }
  // A report's bursty kinds-in-an-area: two reports sharing one are compared whatever words they use.
  const contexts: Uint32Array[] = counts.map((c) => (opts.contextEvidence === 0 ? EMPTY : c.ids.filter((id) => worth[id]! < 0)));
  const onlineKind = vocab.id(vocab.kind(ONLINE_KIND));
  const online: boolean[] = counts.map((c) => c.ids.includes(onlineKind));
  // Reports of a problem bound to a place: they name a place (a road, a park, a town…) or describe a
  // kind of problem that happens at one (flooding, an outage).
  const placeKinds = new Uint8Array(vocab.size() + PLACE_BOUND_KINDS.length);
  for (const k of PLACE_BOUND_KINDS) placeKinds[vocab.id(vocab.kind(k))] = 1;
  const placeBound: boolean[] = counts.map((c, i) => places[i]!.some((su) => su.place) || c.ids.some((id) => placeKinds[id] === 1));
  // Areas as numbers; −1 none, and a report that names several keeps its list.
  const area1 = Int32Array.from(areas, (list) => (list.length === 0 ? -1 : areaId(list[0]!)));
  const areaMany = areas.map((list) => (list.length > 1 ? list.map(areaId) : null));
  const areaClash = (i: number, j: number) => {
    if (area1[i] === -1 || area1[j] === -1) return false;
    const a = areaMany[i];
    const b = areaMany[j];
    if (!a && !b) return area1[i] !== area1[j];
    for (const x of a ?? [area1[i]!]) if ((b ?? [area1[j]!]).includes(x)) return false;
    return true;
  };
  const entId = interner();
  const ent = Int32Array.from(docs, (d) => entId(d.enterprise));
  const catId = interner();
  const cat = Int32Array.from(docs, (d) => catId(d.category));
  const times = Float64Array.from(docs, (d) => d.at);

  // The model was trained and measured on windows of a few hundred reports (a city's 60 days of
  // group reports); a larger window keeps the rules, which meet the generated stream's targets and
  // refresh 100,000 tickets in seconds (the model scores every candidate pair, not only the near ones).
  const model = n <= opts.smallWindow ? opts.pairModel : null;
  const learned = model !== null || opts.onPair !== null;
  const candA: number[] = [];
  const candB: number[] = [];
  const candP: number[] = [];
  const features = new Float64Array(PAIR_FEATURES.length);
  const runs: Array<RunIndex | undefined> = new Array<RunIndex | undefined>(n);
  const order = docs.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
  const linkMs = opts.linkWithinDays * 86_400_000;
  const hits = new Int32Array(n);
  const viaContext = new Uint8Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const edges: Array<[number, number, number]> = [];
  const touched: number[] = [];
  for (const i of order) {
    const at = times[i]!;
    touched.length = 0;
    for (const id of tops[i]!) {
      const list = postings.get(id);
      if (!list) continue;
      // Postings are in time order: walk back from the newest and stop at the link window, or
      // after MAX_SCAN reports (a term in that many recent reports is not what decides a link).
      for (let p = list.length - 1, scanned = 0; p >= 0 && scanned < MAX_SCAN; p--, scanned++) {
        const j = list[p]!;
        if (at - times[j]! > linkMs) break;
        if (stamp[j] !== i) (stamp[j] = i), (hits[j] = 0), (viaContext[j] = 0), touched.push(j);
        hits[j]!++;
      }
    }
    for (const id of contexts[i]!) {
      const list = postings.get(id);
      if (!list) continue;
      for (let p = list.length - 1, scanned = 0; p >= 0 && scanned < MAX_SCAN; p--, scanned++) {
        const j = list[p]!;
        if (at - times[j]! > linkMs) break;
        if (stamp[j] !== i) (stamp[j] = i), (hits[j] = 0), touched.push(j);
        viaContext[j] = 1;
      }
    }
    const pi = places[i]!;
    for (const j of touched) {
      const near = hits[j]! >= 2 || viaContext[j] === 1;
      // Pairs the rules pass over; the model looks at them all.
      let rulesSkip = !near && (nameBits[i]! & nameBits[j]!) === 0;
      if (!learned && rulesSkip) continue;
      if (ent[i] === ent[j]) continue;
      const apart = areaClash(i, j);
      const rel = (classes[i]! & classes[j]!) === 0 ? 0 : subjectRelation(pi, places[j]!, apart);
      rulesSkip ||= !near && rel <= 0;
      if (!learned && rulesSkip) continue;
      // Evidence: the rare terms both reports use, each worth 1 when only these two use it and
      // less the more reports use it. Chat paraphrases share few words, but the ones they share
      // are specific (限高, 审图, 诚信); cosine over whole texts drowns them in the rest.
      // One walk over both (id-sorted) vectors gives the evidence and the cosine.
      let s = 0;
      let sSubject = 0;
      let ctx = 0;
      let dot = 0;
      let sharedKinds = 0;
      let sharedSymptoms = 0;
      let secondWorth = 0;
      let sharedTerms = 0;
      let maxWorth = 0;
      const va = vectors[i]!;
      const vb = vectors[j]!;
      const a = va.ids;
      const b = vb.ids;
      for (let x = 0, y = 0; x < a.length && y < b.length; ) {
        const ax = a[x]!;
        const by = b[y]!;
        if (ax === by) {
          dot += va.weights[x]! * vb.weights[y]!;
          const w = worth[ax]!;
          if (w >= 0) {
            s += w;
            if (w > 0) sharedTerms++;
            if (w > maxWorth) (secondWorth = maxWorth), (maxWorth = w);
            else if (w > secondWorth) secondWorth = w;
            if (isSubject[ax] === 1) sSubject += w;
          } else if (-w > ctx) ctx = -w;
          if (isPlainKind[ax] === 1) sharedKinds++, sharedSymptoms++;
          else if (vocab.isKind(ax) && w === 0) sharedKinds++;
          x++, y++;
        } else if (ax < by) x++;
        else y++;
      }
      if (learned) {
        const f = features;
        f[0] = s;
        f[1] = sSubject;
        f[2] = ctx;
        f[3] = dot;
        f[4] = maxWorth;
        f[5] = Math.log1p(sharedTerms);
        f[6] = Math.log1p(sharedKinds);
        f[7] = rel > 0 ? 1 : 0;
        f[8] = rel < 0 ? 1 : 0;
        f[9] = apart ? 1 : 0;
        f[10] = !apart && area1[i] !== -1 && area1[j] !== -1 ? 1 : 0;
        f[11] = docs[i]!.place != null && docs[i]!.place === docs[j]!.place ? 1 : 0;
        f[12] = placeBound[i]! || placeBound[j]! ? 1 : 0;
        f[13] = online[i] && online[j] ? 1 : 0;
        f[14] = cat[i] !== cat[j] ? 1 : 0;
        // In link windows: 1 at the window's edge (30 days by default, as trained).
        f[15] = Math.abs(at - times[j]!) / linkMs;
        f[16] = near ? 1 : 0;
        f[17] = Math.max(0, commonRun((runs[i] ??= runIndex(docs[i]!.text)), (runs[j] ??= runIndex(docs[j]!.text))) - 2);
        f[18] = Math.log1p(sharedSymptoms);
        f[19] = secondWorth;
        opts.onPair?.(i, j, f);
        // Two subjects of one class (two roads, two parks) are two problems, and so is one kind of
        // trouble at places in two areas that name no common subject: the rules say so outright
        // and the model, from a few hundred labelled pairs, only leans that way.
        const away = apart && rel <= 0 && !(online[i] && online[j]);
        if (model && rel >= 0 && !(away && placeBound[i] && placeBound[j])) {
          const p = pairProbability(model, f);
          if (p >= model.support.floor) candA.push(i), candB.push(j), candP.push(p);
        }
        // The rules' links stand beside the model's: they are the declared behaviour (one road's
        // reports in a handful, the same words at two places apart) and hold in the smallest window,
        // where the model's second look has no neighbours to go by.
        if (rulesSkip) continue;
      }
      if (sharedSymptoms > 0 && s > 0) s += opts.kindAgree;
      // Several kinds in one area (a long letter names many) are still one coincidence of place.
      s += ctx;
      if (opts.areaAgree > 0 && s > 0 && area1[i] !== -1 && area1[j] !== -1 && !apart) s += opts.areaAgree;
      // (A shared specific subject is already in the evidence; when another pair of subjects
      // clashes, the park both roads are in says nothing for a link.)
      if (rel < 0) s = (s - sSubject) * opts.placeClash;
      // Places belong to an area, online systems to everyone: one subject named by both, or an
      // online system both report trouble with, is one problem wherever its reporters are.
      const away = apart && rel <= 0 && !(online[i] && online[j]);
      const clash = placeBound[i]! || placeBound[j]! ? opts.areaClash : opts.areaClashElsewhere;
      if (away) s *= clash;
      const otherCategory = cat[i] !== cat[j];
      if (otherCategory) s *= opts.otherCategory;
      // The whole-text cosine still links reports that share many ordinary words (a long
      // paraphrase of one complaint); weighed the same way by the subjects.
      let cos = near ? dot : 0;
      if (rel > 0) cos += (1 - cos) * opts.placeAgree;
      else if (rel < 0) cos *= opts.placeClash;
      if (away) cos *= clash;
      if (otherCategory) cos *= opts.otherCategory;
      const score = Math.max(s / opts.evidence, cos / opts.threshold);
      if (score >= 1) edges.push([i, j, score]);
    }
    for (const id of tops[i]!) {
      const list = postings.get(id);
      if (list) list.push(i);
      else postings.set(id, [i]);
    }
    for (const id of contexts[i]!) {
      const list = postings.get(id);
      if (list) list.push(i);
      else postings.set(id, [i]);
    }
  }

  if (model) {
    const { support, common } = neighbourSupport(candA, candB, candP, model.support.floor);
    for (let k = 0; k < candP.length; k++) {
      const p = secondLook(model, candP[k]!, support[k]!, common[k]!);
      if (p >= model.threshold) edges.push([candA[k]!, candB[k]!, p]);
    }
  }
  // Strongest links first (single link, Kruskal order), so the trimming below sees the cores.
  edges.sort((a, b) => b[2] - a[2]);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  for (const [i, j] of edges) {
    const a = find(parent, i);
    const b = find(parent, j);
    if (a !== b) parent[a] = b;
  }

  const components = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    const list = components.get(r);
    if (list) list.push(i);
    else components.set(r, [i]);
  }

  // Against chaining: within a component, a report linked to only one other is let go (repeatedly),
  // unless that would leave fewer than minEnterprises reports (a small topic is a triangle or a path).
  const adj = new Map<number, number[]>();
  for (const [i, j] of edges) {
    (adj.get(i) ?? adj.set(i, []).get(i)!).push(j);
    (adj.get(j) ?? adj.set(j, []).get(j)!).push(i);
  }
  const core = (members: number[]): number[] => {
    let kept = new Set(members);
    for (;;) {
      const next = [...kept].filter((i) => (adj.get(i) ?? []).filter((j) => kept.has(j)).length >= opts.minLinks);
      if (next.length === kept.size) break;
      if (next.length < opts.minEnterprises) return [...kept];
      kept = new Set(next);
    }
    return [...kept];
  };
  // What the trimming let go may have been the only bridge between two groups of reports: each
  // part still linked within itself is a topic of its own.
  const parts = (members: number[]): number[][] => {
    const inside = new Set(members);
    const seen = new Set<number>();
    const out: number[][] = [];
    for (const start of members) {
      if (seen.has(start)) continue;
      const part = [start];
      seen.add(start);
      for (let k = 0; k < part.length; k++)
        for (const j of adj.get(part[k]!) ?? [])
          if (inside.has(j) && !seen.has(j)) {
            seen.add(j);
            part.push(j);
          }
      out.push(part);
    }
    return out;
  };
  // And what the trimming let go of a component that held two problems (joined by a report naming
  // both) is the other problem: its linked parts are trimmed in turn.
  const candidates: number[][] = [];
  const gather = (members: number[], depth: number) => {
    if (members.length < opts.minEnterprises) return;
    const kept = trimToCentroid(core(members), vectors, opts.centroidThreshold);
    const split = parts(kept);
    if (split.length === 1) candidates.push(kept);
    else for (const part of split) if (part.length >= opts.minEnterprises) candidates.push(trimToCentroid(part, vectors, opts.centroidThreshold));
    if (depth >= 2 || kept.length === members.length) return;
    const held = new Set(kept);
    for (const part of parts(members.filter((i) => !held.has(i)))) gather(part, depth + 1);
  };
  for (const members of components.values()) gather(members, 0);
  const out: TopicCluster[] = [];
  for (const kept of candidates) {
    const enterprises = new Set(kept.map((i) => docs[i]!.enterprise)).size;
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
    const times = kept.map((i) => docs[i]!.at);
    // The topic's category: the one most of its reports were filed under.
    const cats = new Map<string, number>();
    for (const i of kept) cats.set(docs[i]!.category, (cats.get(docs[i]!.category) ?? 0) + 1);
    const category = [...cats.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    out.push({
      ticketIds: kept.map((i) => docs[i]!.id).sort((a, b) => a - b),
      category,
      enterprises,
      representativeId: docs[rep]!.id,
      terms,
      firstAt: Math.min(...times),
      lastAt: Math.max(...times),
    });
  }
  return out;
}

/**
 * A chat message may be 20,000 characters, and commonRun is worked out for each of up to a few
 * hundred thousand pairs in a 5,000-report window: comparing whole texts character by character
 * (the first version) took hours for a window of long ones. Reports are a sentence to a short
 * letter (the training sets f-h and the generated stream stay under 600 characters, and the model
 * retrained with this bound is byte-for-byte the same), so only their openings are compared, and
 * through their shared bigrams rather than every pair of characters.
 */
export const COMMON_RUN_CHARS = 1000;

/** A text's Han bigrams: `codes[x]` the one starting at x (−1 where either character is not Han), and their positions sorted by code. */
interface RunIndex {
  codes: Int32Array;
  sorted: Int32Array;
  at: Int32Array;
}

const isHan = (c: number) => c >= 0x4e00 && c <= 0x9fff;

function runIndex(whole: string): RunIndex {
  const t = whole.length > COMMON_RUN_CHARS ? whole.slice(0, COMMON_RUN_CHARS) : whole;
  // One slot more than there are bigrams: a run's walk stops at the −1 past the end.
  const codes = new Int32Array(t.length).fill(-1);
  const valid: number[] = [];
  for (let x = 0; x + 1 < t.length; x++) {
    const c = t.charCodeAt(x);
    const d = t.charCodeAt(x + 1);
    if (isHan(c) && isHan(d)) (codes[x] = (c - 0x4e00) * 0x5200 + (d - 0x4e00)), valid.push(x);
  }
  valid.sort((p, q) => codes[p]! - codes[q]! || p - q);
  return { codes, sorted: Int32Array.from(valid, (x) => codes[x]!), at: Int32Array.from(valid) };
}

/**
 * The longest run of Han characters two texts share within their first COMMON_RUN_CHARS
 * characters, when it is two or more (0 otherwise): each run is walked once, from the shared
 * bigram it starts with.
 */
function commonRun(a: RunIndex, b: RunIndex): number {
  let best = 0;
  const ca = a.codes;
  const cb = b.codes;
  for (let p = 0, q = 0; p < a.sorted.length && q < b.sorted.length; ) {
    const g = a.sorted[p]!;
    const h = b.sorted[q]!;
    if (g < h) p++;
    else if (g > h) q++;
    else {
      let pe = p;
      while (pe < a.sorted.length && a.sorted[pe] === g) pe++;
      let qe = q;
      while (qe < b.sorted.length && b.sorted[qe] === g) qe++;
      for (let u = p; u < pe; u++) {
        const x = a.at[u]!;
        for (let v = q; v < qe; v++) {
          const y = b.at[v]!;
          // Inside a run that started earlier: counted from its start.
          if (x > 0 && y > 0 && ca[x - 1]! >= 0 && ca[x - 1] === cb[y - 1]) continue;
          let k = 1;
          while (x + k < ca.length && y + k < cb.length && ca[x + k]! >= 0 && ca[x + k] === cb[y + k]) k++;
          if (k + 1 > best) best = k + 1;
        }
      }
      p = pe;
      q = qe;
    }
  }
  return best;
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
