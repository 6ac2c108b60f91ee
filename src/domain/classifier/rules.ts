import { CATEGORIES, ISSUE_TYPES, type Category, type IssueType } from '../taxonomy';
import {
  ACK_ONLY,
  ADVERT,
  CATEGORY_CUES,
  GREETING,
  ISSUE_CUES,
  NOTICE_PREFIX,
  RESOLVED_PRAISE,
  STILL_PROBLEM,
  THANKS,
  TYPE_CUES,
  URGENT_CUES,
} from './keywords';
import { cueScore, notIssue } from './cues';
import { normaliseText } from './normalise';
import type { Classification, Classifier } from './types';


function scoreCategories(text: string): Array<[Category, number]> {
  return CATEGORIES.filter((c): c is Exclude<Category, 'other'> => c !== 'other')
    .map((c): [Category, number] => [c, cueScore(text, CATEGORY_CUES[c])])
    .sort((a, b) => b[1] - a[1]);
}

function pickType(text: string, issueCues: number): IssueType {
  let best: IssueType = 'help';
  let bestScore = 0;
  for (const t of ISSUE_TYPES) {
    const s = cueScore(text, TYPE_CUES[t]);
    if (s > bestScore) [best, bestScore] = [t, s];
  }
  // Without a clear cue, a concrete problem is a request for help.
  return bestScore >= 2 || (bestScore > 0 && issueCues < 3) ? best : 'help';
}

/** A keyword classifier over the taxonomy: transparent, fast, and the fall-back of any model. */
export function createRulesClassifier(): Classifier {
  return {
    classify(raw: string): Classification {
      const text = normaliseText(raw);
      if (text.length === 0) return notIssue('empty', 0.99);
      if (NOTICE_PREFIX.test(text)) return notIssue('notice', 0.9);
      if (ACK_ONLY.test(text)) return notIssue('ack', 0.95);
      if (GREETING.test(text)) return notIssue('greeting', 0.9);

      const issueCues = cueScore(text, ISSUE_CUES);
      const categories = scoreCategories(text);
      const [bestCat, best] = categories[0]!;
      const second = categories[1]![1];

      if (ADVERT.test(text) && !/举报|投诉/.test(text)) return notIssue('advert', 0.8);
      if (THANKS.test(text) && (RESOLVED_PRAISE.test(text) || issueCues < 2) && !STILL_PROBLEM.test(text.replace(RESOLVED_PRAISE, ''))) {
        return notIssue('thanks', 0.85);
      }

      const issueScore = issueCues + Math.min(best, 6) * 0.5 + (text.length >= 12 ? 1 : 0);
      if (issueScore < 2.5) return notIssue('chatter', Math.min(0.9, 0.55 + (2.5 - issueScore) * 0.1));

      const category: Category = best > 0 ? bestCat : 'other';
      const categoryConfidence = best === 0 ? 0.35 : Math.min(0.97, 0.45 + 0.5 * ((best - second) / best) * Math.min(1, best / 3) + 0.05 * Math.min(best, 4) / 4);
      const issueConfidence = Math.min(0.98, 0.6 + (issueScore - 2.5) * 0.08);
      const urgency = cueScore(text, URGENT_CUES) >= 3 ? 'urgent' : 'normal';
      return {
        isIssue: true,
        type: pickType(text, issueCues),
        category,
        urgency,
        confidence: Math.round(Math.min(categoryConfidence, issueConfidence) * 1000) / 1000,
      };
    },
  };
}
