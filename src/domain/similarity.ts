import { normaliseText } from './classifier/normalise';

function bigrams(s: string): Set<string> {
  const t = normaliseText(s).replace(/[\s\p{P}]/gu, '');
  const out = new Set<string>();
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  if (t.length === 1) out.add(t);
  return out;
}

/**
 * Dice coefficient over character bigrams: robust to the word order and filler of chat
 * messages, and cheap enough to compare a new report with a week of a group's tickets.
 */
export function textSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const g of x) if (y.has(g)) common++;
  return (2 * common) / (x.size + y.size);
}

export const DUPLICATE_THRESHOLD = 0.6;
export const DUPLICATE_WINDOW_DAYS = 7;
