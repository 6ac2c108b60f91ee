import type { Classification, NonIssueKind } from './types';

/** Sum of the weights of the cue words present in the text. */
export function cueScore(text: string, cues: ReadonlyArray<readonly [string, number]>): number {
  let score = 0;
  for (const [word, weight] of cues) if (text.includes(word)) score += weight;
  return score;
}

export const notIssue = (kind: NonIssueKind, confidence: number): Classification => ({
  isIssue: false,
  type: null,
  category: null,
  urgency: null,
  confidence: Math.round(confidence * 1000) / 1000,
  nonIssueKind: kind,
});
