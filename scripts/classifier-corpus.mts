// Shared by train-classifier.mts and eval-classifier.mts: the corpus, its augmentation and the split.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { CATEGORIES, ISSUE_TYPES } from '../src/domain/taxonomy';

const VALID_CATEGORIES: ReadonlySet<string> = new Set(CATEGORIES);
const VALID_TYPES: ReadonlySet<string> = new Set(ISSUE_TYPES);

export interface Example {
  seed: number;
  text: string;
  isIssue: boolean;
  category: string | null;
  type: string | null;
  urgency: string | null;
  kind: string | null;
}

const DIR = new URL('../corpus/classifier/', import.meta.url);
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

/** Deterministic PRNG (mulberry32), so augmentation and splits are reproducible. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Corpus kinds → the bot's NonIssueKind. */
export function nonIssueKind(kind: string): string {
  if (kind === 'staff_reply') return 'reply';
  if (kind === 'forward') return 'notice';
  return ['reply', 'notice', 'praise', 'thanks', 'ack', 'greeting', 'advert', 'chatter'].includes(kind) ? kind : 'chatter';
}

/** The frozen blind set(s): label (category or none) and text. Only ever reported on. */
export function loadFresh(): Array<{ name: string; rows: Array<{ label: string; text: string }> }> {
  const sets: Array<{ name: string; rows: Array<{ label: string; text: string }> }> = [];
  for (const f of readdirSync(DIR).filter((f) => f.startsWith('fresh') || f === 'eval-fresh.txt').sort()) {
    const rows = readFileSync(new URL(f, DIR), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('\t'))
      .filter((c) => c.length >= 2)
      .map(([label, ...text]) => ({ label: label!.trim(), text: text.join(' ') }));
    sets.push({ name: f, rows });
  }
  return sets;
}

export function loadSeeds(): Example[] {
  const out: Example[] = [];
  // fresh-*.tsv is the frozen blind evaluation set: never a training seed.
  const files = readdirSync(DIR).filter((f) => f.endsWith('.tsv') && !f.startsWith('fresh')).sort();
  for (const f of files) {
    for (const line of readFileSync(new URL(f, DIR), 'utf8').split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const cols = line.split('\t');
      if (cols.length < 2 || !cols[cols.length - 1]!.trim()) continue;
      if (cols[0] === 'none' && cols.length >= 4) {
        // english.tsv style: none, kind, -, text
        out.push({ seed: 0, text: cols.slice(3).join(' '), isIssue: false, category: null, type: null, urgency: null, kind: nonIssueKind(cols[1]!) });
      } else if (f.startsWith('chatter') || f.startsWith('real-none')) {
        out.push({ seed: 0, text: cols[1]!, isIssue: false, category: null, type: null, urgency: null, kind: nonIssueKind(cols[0]!) });
      } else if (f.startsWith('feedback')) {
        // Dispatchers' corrections, exported by `npm run -s cli -- classifier feedback`.
        const [isIssue, category, type, text] = cols;
        out.push({ seed: 0, text: text!, isIssue: isIssue === '1', category: isIssue === '1' ? category! : null, type: isIssue === '1' ? type! : null, urgency: 'normal', kind: null });
      } else {
        // A half-written line from a writer still at work is skipped, not guessed at.
        if (cols.length < 4 || !VALID_CATEGORIES.has(cols[0]!) || !VALID_TYPES.has(cols[1]!)) continue;
        out.push({ seed: 0, text: cols.slice(3).join(' '), isIssue: true, category: cols[0]!, type: cols[1]!, urgency: cols[2] === 'urgent' ? 'urgent' : 'normal', kind: null });
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.text) && seen.add(e.text)).map((e) => ({ ...e, seed: hash(e.text) }));
}

const ISSUE_PREFIX = ['@共治助手 ', '您好，', '领导好，', '请问一下，', '麻烦问下，', '各位领导，', '我们是开发区的一家机械厂，', '我是做食品加工的，', '东区的企业反映，', '打扰一下，', '营商办的领导，'];
const ISSUE_SUFFIX = ['，谢谢', '，麻烦尽快处理', '，急！', '。', '，能帮忙协调一下吗', '？', '，希望尽快解决', '！！'];
const FILLERS = ['那个', '就是', '嗯', '然后'];

function voice(text: string, r: () => number): string {
  const bare = text.replace(/[，。！？、,.!?]/g, ' ').replace(/\s+/g, ' ').trim();
  const parts = bare.split(' ');
  return parts.map((p, i) => (i > 0 && r() < 0.5 ? `${FILLERS[Math.floor(r() * FILLERS.length)]}${p}` : p)).join(' ');
}

const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
/** Numbers as they ride along in real messages, on both sides, so no number can decide. */
const NUMBERS: Array<(r: () => number) => string> = [
  (r) => `，联系电话1${3 + Math.floor(r() * 7)}${digits(r, 9)}`,
  (r) => `，联系人王女士1${3 + Math.floor(r() * 7)}${digits(r, 9)}`,
  (r) => `，我电话 1${3 + Math.floor(r() * 7)}${digits(r, 1)} ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `，身份证号${digits(r, 6)}19${digits(r, 2)}0${1 + Math.floor(r() * 9)}1${digits(r, 1)}${digits(r, 3)}${r() < 0.2 ? 'X' : digits(r, 1)}`,
  (r) => `，账号6222 ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 3)}`,
  (r) => `，涉及金额${digits(r, 2)}.${digits(r, 1)}万元`,
  (r) => `（编号${digits(r, 12)}）`,
];
const NON_ISSUE_NUMBERS: Array<(r: () => number) => string> = [
  ...NUMBERS.slice(0, 2),
  (r) => `，咨询电话0${digits(r, 3)}-${digits(r, 8)}`,
  (r) => `（${2020 + Math.floor(r() * 7)}年${1 + Math.floor(r() * 12)}月${1 + Math.floor(r() * 28)}日）`,
];

/** Realistic rewrites of a seed: how the same problem arrives in a group chat. */
export function augment(e: Example, n: number): Example[] {
  const r = rng(e.seed);
  const variants = new Set<string>([e.text]);
  const ops: Array<(t: string) => string> = e.isIssue
    ? [
        (t) => ISSUE_PREFIX[Math.floor(r() * ISSUE_PREFIX.length)] + t,
        (t) => t.replace(/[。！]$/, '') + ISSUE_SUFFIX[Math.floor(r() * ISSUE_SUFFIX.length)],
        (t) => voice(t, r),
        (t) => toTraditional(t),
        (t) => `@共治助手 ${ISSUE_PREFIX[Math.floor(r() * ISSUE_PREFIX.length)]}${t}`,
        (t) => t.replace(/[。！？]$/, '') + NUMBERS[Math.floor(r() * NUMBERS.length)]!(r),
      ]
    : [(t) => `${t}${r() < 0.5 ? '！' : '~'}`, (t) => toTraditional(t), (t) => t.replace(/[。！]$/, '') + NON_ISSUE_NUMBERS[Math.floor(r() * NON_ISSUE_NUMBERS.length)]!(r), (t) => (e.kind === 'ack' || e.kind === 'thanks' ? `@共治助手 ${t}` : `${t} ${r() < 0.5 ? '[表情]' : '😊'}`)];
  for (let tries = 0; variants.size < n && tries < n * 6; tries++) {
    const a = ops[Math.floor(r() * ops.length)]!;
    const b = r() < 0.4 ? ops[Math.floor(r() * ops.length)]! : (t: string) => t;
    variants.add(b(a(e.text)));
  }
  return [...variants].map((text) => ({ ...e, text }));
}

/** 20% of seeds are held out; every variant of a seed stays on the seed's side. */
export function split(seeds: Example[]) {
  const test = seeds.filter((s) => s.seed % 5 === 0);
  const train = seeds.filter((s) => s.seed % 5 !== 0);
  return { train, test };
}

export function expand(seeds: Example[]): Example[] {
  return seeds.flatMap((s) => augment(s, s.isIssue ? (s.category === 'other' ? 5 : 4) : 3));
}

export const hasFeedback = () => existsSync(new URL('feedback.tsv', DIR));
