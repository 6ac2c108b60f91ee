import { textSimilarity } from './similarity';

export interface FaqEntry {
  id: string;
  questions: string[];
  answer: string;
  source?: string | undefined;
  department?: string | undefined;
}

/** Close enough that answering at once helps more than it annoys; the requester confirms or escalates. */
export const FAQ_THRESHOLD = 0.5;

export function matchFaq(entries: readonly FaqEntry[], text: string): { entry: FaqEntry; score: number } | null {
  let best: { entry: FaqEntry; score: number } | null = null;
  for (const entry of entries) {
    for (const q of entry.questions) {
      const score = textSimilarity(q, text);
      if (!best || score > best.score) best = { entry, score };
    }
  }
  return best && best.score >= FAQ_THRESHOLD ? best : null;
}
