import { stem } from '../classifier/features';
import { T2S_PAIRS } from '../classifier/t2s-chars';
import { problemKinds } from './kinds';

/**
 * Subject words: what a report is about — a place (纬三路, 东区工业园, 青山镇), a system
 * (电子税务局, 一网通办平台), an organisation or a project (某某评估公司, 安置房项目). Two
 * reports of flooding on different roads are two problems, so subjects are features of their
 * own and a clash of subjects weighs against a link (see TopicOptions.placeClash).
 */
/**
 * The kind words a subject ends with, each with its class: two roads clash whether 路 or 大道, two
 * parks whether 工业园 or 产业园, two online systems whether 系统, 平台 or 电子税务局. In this order
 * in the alternations below: at one position the first that matches wins, so 工业园 comes before a
 * 园区 that follows it (东区工业园区 names 东区工业园) and 大道 before 路.
 */
const SUBJECT_KINDS: ReadonlyArray<readonly [word: string, cls: string]> = [
  ['大道', 'road'], ['路', 'road'], ['街', 'road'], ['巷', 'road'],
  ['园区', 'park'], ['工业园', 'park'], ['产业园', 'park'], ['物流园', 'park'], ['科技园', 'park'], ['开发区', 'park'], ['高新区', 'park'], ['片区', 'park'],
  ['镇', 'settlement'], ['乡', 'settlement'], ['村', 'settlement'], ['社区', 'settlement'], ['小区', 'settlement'],
  ['大厦', 'building'], ['广场', 'building'], ['码头', 'building'], ['车站', 'building'],
  ['大桥', 'road'], ['隧道', 'road'],
  ['系统', 'online'], ['平台', 'online'], ['网厅', 'online'], ['税务局', 'online'],
  ['公司', 'organisation'], ['中心', 'organisation'], ['事务所', 'organisation'],
  ['项目', 'project'],
];
const KIND_WORDS = SUBJECT_KINDS.map(([w]) => w).join('|');
const PLACE = new RegExp(`[\\u4e00-\\u9fff]{1,8}?(?:${KIND_WORDS})(?![面况线子费])`, 'gu');
const SUFFIX = new RegExp(`(?:${KIND_WORDS})$`, 'u');
/** Words that end like a subject but never name one. */
const NOT_PLACE = /^(?:我公司|本公司|贵公司|该公司|你公司|我单位|本单位|修路|道路|马路|公路|网路|线路|思路|出路|门路|进路|这条路|那条路|一路|电路|管路|水路|回路|环路|城乡|下乡|农村|新村|系统|平台|公司|中心|项目|我们公司|这个系统|这个平台|这个项目)$/u;

const LEAD =
  /^(?:我们|我司|我们的|我厂|公司|厂里|附近|一带|这段|那段|周边|这边|那边|就在|位于|请问|问一下|查一下|请|麻烦|希望|要求|让|使用|用的|用|通过|登录|登陆|上了|上|进|说是|说|叫|找|承建的|承建|负责的|做的|给|被|跟|和|与|对|向|在|的|到|从|往|去|了|是|都|也|又|还|就)+/u;

/** The last of these in a would-be name ends what comes before it (提示, 显示 a message; 出现 a fault). */
const NAME_VERB = /(?:显示|提示|出现|发生|报错|导致|造成|说是)(?!.*(?:显示|提示|出现|发生|报错|导致|造成|说是))/u;
/** Characters a name does not run across. */
const NAME_BREAK = new Set([...'与跟及往在到从向对让把被给因凭为将至由']);
/** 绕路, 过路, 让路…: a verb and 路 is no road; nor is a 线路 (a power line, a bus route) or 电路. */
const VERB_ROAD = /^[绕过走修上让带迷堵挡拦封开退改抄问找]路$|(?:线路|电路|管路|回路|网路|思路|出路|门路)$/u;

/** The kind word a subject ends with (路, 系统, 公司…), or ''. */
export function subjectKind(w: string): string {
  return SUFFIX.exec(w)?.[0] ?? '';
}

const KIND_CLASS: Record<string, string> = Object.fromEntries(SUBJECT_KINDS);
export const subjectClass = (kind: string) => KIND_CLASS[kind] ?? kind;

/** An organisation asked to act (请供电公司查一下, 麻烦政务服务中心协调) handles the problem; it is not its subject. */
const ADDRESSEE = /(?:请(?!问)|麻烦|希望|盼)$/u;
const HANDLER_KIND = /(?:公司|中心|税务局|事务所)$/u;

export function placeWords(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACE)) {
    // Trim leading filler so "我们园区" and "园区" do not differ by the pronoun.
    // Leading verbs and fillers are not part of a name: "使用出口退税申报系统", "请问出口退税那个系统",
    // "承建的安置房项目", "说是某某公司".
    let w = m[0].replace(LEAD, '');
    const lead = text.slice(Math.max(0, m.index - 2), m.index) + m[0].slice(0, m[0].length - w.length);
    if (HANDLER_KIND.test(w) && ADDRESSEE.test(lead.replace(/(?:尽快|赶紧|马上)$/u, ''))) continue;
    // "那个系统" / "这家公司": a demonstrative between the name and its kind word goes.
    w = w.replace(/(?:那个|这个|那家|这家|那条|这条|的)(?=(?:系统|平台|公司|中心|项目|路|街)$)/u, '');
    // A year, a count or an ordinal before the name ("年老旧小区", "第二家…") is not the name.
    w = w.replace(/^[年月日号家个条次第]+/u, '');
    // "推荐的诚信安全评价公司": a name does not run across 的.
    const de = w.lastIndexOf('的');
    if (de >= 0 && w.length - de - 1 >= 3) w = w.slice(de + 1);
    // Nor across a conjunction or a preposition: "区政府与我公司", "从柳林往青山园区", "谁让在工业园"
    // (和 is left alone: 平和路, 永和工业园).
    let cut = -1;
    for (let k = w.length - 2; k > 0 && cut < 0; k--) if (NAME_BREAK.has(w[k]!)) cut = k;
    if (cut > 0) w = w.slice(cut + 1);
    // Nor across a verb of what happened: "材料预审显示系统异常" names no 显示系统.
    const verb = w.search(NAME_VERB);
    if (verb >= 0) w = w.slice(verb + 2);
    // A kind word alone ("园区", "工业园") or a verb's object ("绕路", "过路费") names nothing.
    if (w.length < 2 || NOT_PLACE.test(w) || subjectKind(w) === w || VERB_ROAD.test(w)) continue;
    out.add(w);
    // "开发区纬三路" and "纬三路" are one road: after an area word the rest names the subject too,
    // as long as two characters of name are left (a bare "产业园" names nothing in particular).
    const suffix = SUFFIX.exec(w)?.[0].length ?? 1;
    for (let k = 1; w.length - k - suffix >= 2; k++) if (/[区县镇市乡]$/u.test(w.slice(0, k))) out.add(w.slice(k));
  }
  return [...out];
}

/** Chat filler that every report shares: it must not make two unrelated reports look alike. */
const FILLER = ['你好', '您好', '请问', '谢谢', '麻烦', '帮忙', '一下', '我们', '公司', '企业', '这个', '那个', '现在', '已经', '还是', '没有', '问题', '反映', '情况', '希望', '尽快', '处理', '解决'];

const WORD_BASE = 2 ** 21; // above every code point
const PAIR = 2 ** 22;
const PLACE_BASE = 2 ** 44; // above every pair key
const KIND_BASE = 2 ** 50; // above every place key

const HAN_DIGITS = '〇一二三四五六七八九';
/** 0–9 for an ASCII or full-width digit at i, else −1. */
const digitAt = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0xff10 && c <= 0xff19 ? c - 0xff10 : -1;
};
const isHan = (c: number) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x3ffff);

/**
 * Term ids for Han character bigrams, English word-stem bigrams and place words. Keys are
 * numbers (pairs of code points), not strings: a refresh of 100,000 tickets makes millions.
 */
export interface Vocabulary {
  id(key: number): number;
  word(w: string): number;
  place(p: string): number;
  /** A problem kind (积水), or a kind in an area (积水@青山县): see kinds.ts. */
  kind(k: string): number;
  term(id: number): string;
  isPlace(id: number): boolean;
  isKind(id: number): boolean;
  size(): number;
}

export function createVocabulary(): Vocabulary {
  const ids = new Map<number, number>();
  const keys: number[] = [];
  const words = new Map<string, number>();
  const wordList: string[] = [];
  const places = new Map<string, number>();
  const placeList: string[] = [];
  const kinds = new Map<string, number>();
  const kindList: string[] = [];
  const unitText = (u: number) => (u < WORD_BASE ? String.fromCodePoint(u) : `${wordList[u - WORD_BASE]} `);
  return {
    id(key) {
      let i = ids.get(key);
      if (i === undefined) {
        i = keys.length;
        ids.set(key, i);
        keys.push(key);
      }
      return i;
    },
    word(w) {
      let i = words.get(w);
      if (i === undefined) (i = wordList.length), words.set(w, i), wordList.push(w);
      return WORD_BASE + i;
    },
    place(p) {
      let i = places.get(p);
      if (i === undefined) (i = placeList.length), places.set(p, i), placeList.push(p);
      return PLACE_BASE + i;
    },
    kind(k) {
      let i = kinds.get(k);
      if (i === undefined) (i = kindList.length), kinds.set(k, i), kindList.push(k);
      return KIND_BASE + i;
    },
    term(id) {
      const k = keys[id]!;
      if (k >= KIND_BASE) return `#${kindList[k - KIND_BASE]}`;
      if (k >= PLACE_BASE) return `@${placeList[k - PLACE_BASE]}`;
      return unitText(Math.floor(k / PAIR)) + unitText(k % PAIR);
    },
    isPlace: (id) => keys[id]! >= PLACE_BASE && keys[id]! < KIND_BASE,
    isKind: (id) => keys[id]! >= KIND_BASE,
    size: () => keys.length,
  };
}

const fillerKeys = new Set(FILLER.map((w) => w.codePointAt(0)! * PAIR + w.codePointAt(1)!));
/**
 * Particles and question words: a bigram with one (的事, 了吗, 什么) is how people write, not what
 * they write about. A window of thousands of reports shows it everywhere; a small one (a new
 * deployment, a quiet month) would take it for a rare word two reports share.
 */
const FUNCTION_CHARS = new Set([...'的了吗呢吧啊呀嘛哦哈么幺呗喂嗯'].map((c) => c.codePointAt(0)!));
/** Question words and chat phrases, for the same reason. */
const CHAT_GRAMS = ['什么', '怎么', '时候', '到底', '能不', '不能', '可以', '有没', '有人', '人管', '一直', '就是', '知道', '这样', '那边', '这边', '他们', '你们', '一个', '是不', '不是', '还有', '现在', '说是', '是说', '问问', '问了', '看看', '帮忙', '协调', '领导', '能否', '是否', '怎样', '如何', '为什', '这种', '那种', '这么', '那么', '大家', '别的', '其他'];
for (const w of CHAT_GRAMS) fillerKeys.add(w.codePointAt(0)! * PAIR + w.codePointAt(1)!);

const T2S = new Map<number, number>();
{
  const cps = Array.from(T2S_PAIRS);
  for (let i = 0; i + 1 < cps.length; i += 2) T2S.set(cps[i]!.codePointAt(0)!, cps[i + 1]!.codePointAt(0)!);
}

/**
 * One pass over the raw text: Traditional → Simplified, full-width → half-width, lower case;
 * Han characters and English word stems become units, digits and everything else separate
 * them (a number never makes two reports alike). The classifier's normaliseText does the same
 * with regular expressions, at several times the cost; a refresh reads every open ticket.
 */
function scan(vocab: Vocabulary, text: string): { units: number[]; han: string } {
  const units: number[] = [];
  const han: number[] = [];
  let word = '';
  let mention = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.codePointAt(i)!;
    if (c > 0xffff) i++;
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    if (c === 0x40) mention = true; // @共治助手: a name, not the report
    else if (mention && (c === 0x20 || c === 0x3000 || c === 0x2005 || c === 0x2c || c === 0xff0c)) mention = false;
    if (mention) continue;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c >= 0x61 && c <= 0x7a) {
      word += String.fromCharCode(c);
      continue;
    }
    if (word) units.push(vocab.word(stem(word))), (word = '');
    // 纬3路 and 纬三路 are one road: a run of at most 3 digits after a Han character reads as numerals
    // (a phone number or an amount does not).
    if (c >= 0x30 && c <= 0x39) {
      let end = i;
      while (end < text.length && digitAt(text, end) >= 0) end++;
      const after = end < text.length ? text.codePointAt(end)! : 0;
      if (end - i <= 3 && ((han.length > 0 && han[han.length - 1] !== 0x20) || isHan(after))) {
        for (let k = i; k < end; k++) {
          const d = HAN_DIGITS.codePointAt(digitAt(text, k))!;
          units.push(d);
          han.push(d);
        }
        i = end - 1;
        continue;
      }
      i = end - 1;
    }
    if (isHan(c)) {
      c = T2S.get(c) ?? c;
      units.push(c);
      han.push(c);
    } else if (han.length && han[han.length - 1] !== 0x20) {
      units.push(0x20);
      han.push(0x20);
    }
  }
  if (word) units.push(vocab.word(stem(word)));
  let s = '';
  for (let i = 0; i < han.length; i += 4096) s += String.fromCodePoint(...han.slice(i, i + 4096));
  return { units, han: s };
}

/** The ids of a text's character bigrams (as countTerms makes them), e.g. an area's name's. */
export function bigramIds(vocab: Vocabulary, text: string): number[] {
  const { units: u } = scan(vocab, text);
  const out: number[] = [];
  for (let i = 0; i + 1 < u.length; i++) if (u[i] !== 0x20 && u[i + 1] !== 0x20) out.push(vocab.id(u[i]! * PAIR + u[i + 1]!));
  return out;
}

/** Term ids with counts, before weighting (cheap to keep between refreshes). */
export interface TermCounts {
  ids: Uint32Array;
  counts: Uint16Array;
}

/**
 * `areas`: where the report comes from (its group's area and the areas it names); each problem
 * kind is also counted once per area, so two reports of one kind in one area share a term.
 */
export function countTerms(vocab: Vocabulary, text: string, areas: readonly string[] = []): TermCounts {
  const { units: u, han } = scan(vocab, text);
  const raw: number[] = [];
  for (let i = 0; i + 1 < u.length; i++) {
    if (u[i] === 0x20 || u[i + 1] === 0x20) continue;
    const key = u[i]! * PAIR + u[i + 1]!;
    if (!fillerKeys.has(key) && !FUNCTION_CHARS.has(u[i]!) && !FUNCTION_CHARS.has(u[i + 1]!)) raw.push(vocab.id(key));
  }
  for (const p of placeWords(han)) raw.push(vocab.id(vocab.place(p)));
  for (const k of problemKinds(han)) {
    raw.push(vocab.id(vocab.kind(k)));
    for (const a of areas) raw.push(vocab.id(vocab.kind(`${k}@${a}`)));
  }
  const sorted = Uint32Array.from(raw).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const ids = new Uint32Array(distinct);
  const counts = new Uint16Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) ids[++k] = sorted[i]!;
    if (counts[k]! < 65535) counts[k]!++;
  }
  return { ids, counts };
}

/** A term id → weight vector, sorted by id, unit length. */
export interface SparseVector {
  ids: Uint32Array;
  weights: Float32Array;
}

/** Sublinear TF × smoothed IDF, place features boosted, scaled to unit length. */
export function weigh(tc: TermCounts, idf: (id: number) => number, boost: (id: number) => number): SparseVector {
  const w = new Float32Array(tc.ids.length);
  let norm = 0;
  for (let i = 0; i < tc.ids.length; i++) {
    const id = tc.ids[i]!;
    const v = (1 + Math.log(tc.counts[i]!)) * idf(id) * boost(id);
    w[i] = v;
    norm += v * v;
  }
  const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < w.length; i++) w[i]! *= s;
  return { ids: tc.ids, weights: w };
}

export function cosine(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let dot = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i]!;
    const y = b.ids[j]!;
    if (x === y) dot += a.weights[i++]! * b.weights[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return dot;
}
