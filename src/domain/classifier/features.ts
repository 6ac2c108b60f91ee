// Features shared by training, the shipped model, the learner and every runtime: pure TS, so
// Node and Workers see identical features for the same text.
import { CATEGORY_CUES, ISSUE_CUES } from './keywords';
import { normaliseText } from './normalise';

// Placeholders from the Private Use Area: one "character" each, never produced by normalising.
export const MASK = { url: '\uE001', email: '\uE002', phone: '\uE003', id: '\uE004', card: '\uE005', amount: '\uE006', number: '\uE007', date: '\uE008' } as const;

const RULES: Array<[RegExp, string]> = [
  [/https?:\/\/\S+|www\.\S+/giu, MASK.url],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu, MASK.email],
  // Bank cards and IDs before phones: a card number contains phone-shaped runs.
  [/(?<!\d)\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dx](?!\d)/giu, MASK.id],
  [/(?<!\d)(?:\d{4}[ -]){3,4}\d{1,4}(?!\d)|(?<!\d)\d{16,19}(?!\d)/gu, MASK.card],
  [/(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/gu, MASK.phone],
  [/(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)/gu, MASK.phone],
  [/(?<!\d)\d+(?:[.,]\d+)*\s*(?:多|余)?(?:万元|万|亿元|亿|千元|元|块钱|块|rmb|usd|美元)/giu, MASK.amount],
  [/[¥￥$]\s*\d+(?:[.,]\d+)*/gu, MASK.amount],
  [/(?<!\d)\d{4}\s*[年./-]\s*\d{1,2}(?:\s*[月./-]\s*\d{1,2}\s*[日号]?)?|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]/gu, MASK.date],
  [/\d+(?:[.,]\d+)*/gu, MASK.number],
];

/** Normalised text with numbers replaced by placeholders: numbers must never decide. */
export function maskText(raw: string, normalised = false): string {
  let t = normalised ? raw : normaliseText(raw);
  if (/[\d@w]/.test(t)) for (const [re, ph] of RULES) t = t.replace(re, ph);
  return t;
}

/** A crude English stemmer: enough that "invoices"/"invoiced" meet "invoice". */
export function stem(w: string): string {
  if (w.length <= 3) return w;
  for (const suf of ['ingly', 'edly', 'ing', 'ies', 'ied', 'ed', 'es', 's', 'ly']) {
    if (w.endsWith(suf) && w.length - suf.length >= 3) return suf === 'ies' || suf === 'ied' ? w.slice(0, -3) + 'y' : w.slice(0, -suf.length);
  }
  return w;
}

const isHan = (c: number) =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff) || c === 0x3007;
const isLatin = (c: number) => c >= 0x61 && c <= 0x7a;
const PUNCT: ReadonlyMap<number, string> = new Map([...'?？!！【】《》“”"\''].map((ch) => [ch.codePointAt(0)!, ch === '？' ? '?' : ch === '！' ? '!' : ch]));

/**
 * The text as units: Han characters, English word stems (with a trailing space, so "ab" the
 * word never meets "ab" two characters) and a few punctuation marks. Placeholders and
 * everything else are not units: a number, whatever its kind, adds no feature and cannot decide.
 */
export function units(masked: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of masked) {
    const c = ch.codePointAt(0)!;
    if (isLatin(c) || (c === 0x27 && word)) {
      word += ch;
      continue;
    }
    if (word) out.push(`${stem(word.replace(/'+$/, ''))} `), (word = '');
    if (isHan(c)) out.push(ch);
    else {
      const p = PUNCT.get(c);
      if (p) out.push(p);
    }
  }
  if (word) out.push(`${stem(word.replace(/'+$/, ''))} `);
  return out;
}

export interface FeatureOptions {
  /** Add keyword-cue scores as learned features (the model decides how much they count). */
  cues: boolean;
}

const CUE_CATS = Object.keys(CATEGORY_CUES) as Array<keyof typeof CATEGORY_CUES>;

/** Cue words by first character, each with its weight per cue list (0 = issue, 1.. = categories): one pass over the text. */
let CUE_COUNT = 0;
const CUE_INDEX = new Map<string, Array<{ word: string; id: number; weights: Array<[number, number]> }>>();
{
  const lists = [ISSUE_CUES, ...CUE_CATS.map((c) => CATEGORY_CUES[c])];
  const byWord = new Map<string, Array<[number, number]>>();
  lists.forEach((list, l) => {
    for (const [word, w] of list) {
      const rows = byWord.get(word) ?? [];
      rows.push([l, w]);
      byWord.set(word, rows);
    }
  });
  let id = 0;
  CUE_COUNT = byWord.size;
  for (const [word, weights] of byWord) {
    const first = word[0]!;
    const bucket = CUE_INDEX.get(first) ?? [];
    bucket.push({ word, id: id++, weights });
    CUE_INDEX.set(first, bucket);
  }
}

/** The same sums as cueScore over each list (a word counts once, wherever it occurs). */
function cueScores(text: string): Float64Array {
  const out = new Float64Array(CUE_CATS.length + 1);
  const seen = new Uint8Array(CUE_COUNT);
  for (let i = 0; i < text.length; i++) {
    const bucket = CUE_INDEX.get(text[i]!);
    if (!bucket) continue;
    for (const cue of bucket) {
      if (seen[cue.id] || !text.startsWith(cue.word, i)) continue;
      seen[cue.id] = 1;
      for (const [l, w] of cue.weights) out[l]! += w;
    }
  }
  return out;
}

/**
 * Sparse features of a message: unit 1–3-grams (word stems for English), start and end
 * n-grams, a length bucket and, optionally, keyword-cue scores. Values are 1 + log(count),
 * the vector scaled to unit length so long narratives and fragments weigh alike.
 */
export function extractFeatures(raw: string, opts: FeatureOptions, normalised = false): Map<string, number> {
  const masked = maskText(raw, normalised);
  const u = units(masked);
  const counts = new Map<string, number>();
  const add = (f: string, v = 1) => counts.set(f, (counts.get(f) ?? 0) + v);
  let latin = 0;
  for (let i = 0; i < u.length; i++) {
    const a = u[i]!;
    if (a.endsWith(' ')) latin++;
    add(a);
    if (i + 1 < u.length) add(a + u[i + 1]!);
    if (i + 2 < u.length) add(a + u[i + 1]! + u[i + 2]!);
  }
  if (u.length) {
    add(`^${u[0]}`);
    if (u.length > 1) add(`^${u[0]}${u[1]}`);
    add(`$${u[u.length - 1]}`);
  }
  const n = u.length;
  add(`#len${n <= 2 ? n : n <= 4 ? 4 : n <= 8 ? 8 : n <= 16 ? 16 : n <= 40 ? 40 : n <= 100 ? 100 : 200}`);
  if (latin > 0) add(latin * 2 >= n ? '#english' : '#mixed');
  const out = counts;
  let norm = 0;
  for (const [f, c] of counts) {
    const v = c === 1 ? 1 : 1 + Math.log(c);
    if (c !== 1) out.set(f, v);
    norm += v * v;
  }
  if (opts.cues) {
    const scores = cueScores(masked);
    const issue = Math.min(scores[0]!, 8) / 4;
    if (issue) out.set('#cue:issue', issue), (norm += issue * issue);
    CUE_CATS.forEach((c, i) => {
      const s = Math.min(scores[i + 1]!, 6) / 3;
      if (s) out.set(`#cue:${c}`, s), (norm += s * s);
    });
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (const [f, v] of out) out.set(f, v * scale);
  return out;
}
