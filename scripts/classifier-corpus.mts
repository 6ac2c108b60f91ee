// Shared by train-classifier.mts and eval-classifier.mts: the corpus, its augmentation and the split.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as OpenCC from 'opencc-js';

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

export function loadSeeds(): Example[] {
  const out: Example[] = [];
  const files = readdirSync(DIR).filter((f) => f.endsWith('.tsv')).sort();
  for (const f of files) {
    for (const line of readFileSync(new URL(f, DIR), 'utf8').split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const cols = line.split('\t');
      if (f.startsWith('chatter')) {
        out.push({ seed: 0, text: cols[1]!, isIssue: false, category: null, type: null, urgency: null, kind: cols[0]! });
      } else if (f.startsWith('feedback')) {
        // Dispatchers' corrections, exported by `npm run -s cli -- classifier feedback`.
        const [isIssue, category, type, text] = cols;
        out.push({ seed: 0, text: text!, isIssue: isIssue === '1', category: isIssue === '1' ? category! : null, type: isIssue === '1' ? type! : null, urgency: 'normal', kind: null });
      } else {
        out.push({ seed: 0, text: cols[3]!, isIssue: true, category: cols[0]!, type: cols[1]!, urgency: cols[2]!, kind: null });
      }
    }
  }
  return out.map((e) => ({ ...e, seed: hash(e.text) }));
}

const ISSUE_PREFIX = ['@共治助手 ', '您好，', '领导好，', '请问一下，', '麻烦问下，', '各位领导，', '我们是开发区的一家机械厂，', '我是做食品加工的，', '东区的企业反映，', '打扰一下，', '营商办的领导，'];
const ISSUE_SUFFIX = ['，谢谢', '，麻烦尽快处理', '，急！', '。', '，能帮忙协调一下吗', '？', '，希望尽快解决', '！！'];
const FILLERS = ['那个', '就是', '嗯', '然后'];

function voice(text: string, r: () => number): string {
  const bare = text.replace(/[，。！？、,.!?]/g, ' ').replace(/\s+/g, ' ').trim();
  const parts = bare.split(' ');
  return parts.map((p, i) => (i > 0 && r() < 0.5 ? `${FILLERS[Math.floor(r() * FILLERS.length)]}${p}` : p)).join(' ');
}

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
      ]
    : [(t) => `${t}${r() < 0.5 ? '！' : '~'}`, (t) => toTraditional(t), (t) => (e.kind === 'ack' || e.kind === 'thanks' ? `@共治助手 ${t}` : `${t} ${r() < 0.5 ? '[表情]' : '😊'}`)];
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
