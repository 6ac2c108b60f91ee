import { CATEGORIES, ISSUE_TYPES, type Category, type IssueType } from '../taxonomy';
import { ACK_ONLY, ADVERT, CATEGORY_CUES, GREETING, ISSUE_CUES, NOTICE_PREFIX, RESOLVED_PRAISE, STILL_PROBLEM, THANKS, TYPE_CUES, URGENT_CUES } from './keywords';
import { charNgrams, createNaiveBayes, softmax, type NaiveBayesData } from './naive-bayes';
import { cueScore, notIssue } from './cues';
import { normaliseText } from './normalise';
import type { Classification, Classifier } from './types';

export interface ClassifierModel {
  version: string;
  issue: NaiveBayesData;
  category: NaiveBayesData;
  type: NaiveBayesData;
  /**
   * Weights tuned by the training script on a validation fold. Category and type scores are
   * keyword-cue points plus `nbWeight` × the Naive Bayes mean log-likelihood per n-gram, so
   * the two kinds of evidence are on comparable scales whatever the message length.
   */
  tuning: { nbWeight: number; typeNbWeight: number; issueCueWeight: number; temperature: number };
}


/**
 * Character n-gram Naive Bayes for issue-ness, category and type, with the keyword cues as
 * extra evidence and hard rules for what is never an issue (acknowledgements, notices …).
 * Pure and in-process: runs the same on Node and Workers.
 */
export function createModelClassifier(model: ClassifierModel): Classifier {
  const issueNb = createNaiveBayes(model.issue);
  const catNb = createNaiveBayes(model.category);
  const typeNb = createNaiveBayes(model.type);
  const { nbWeight, typeNbWeight, issueCueWeight, temperature } = model.tuning;
  const issueIdx = issueNb.classes.indexOf('issue');
  const helpIdx = typeNb.classes.indexOf('help');
  const catCues = catNb.classes.map((c) => (c === 'other' ? [] : CATEGORY_CUES[c as Exclude<Category, 'other'>]));
  const typeCues = typeNb.classes.map((t) => TYPE_CUES[t as IssueType]);

  return {
    classify(raw: string): Classification {
      const text = normaliseText(raw);
      if (text.replace(/[\p{P}\p{S}\s\d]/gu, '').length === 0) return notIssue('empty', 0.99);
      if (NOTICE_PREFIX.test(text)) return notIssue('notice', 0.95);
      if (ACK_ONLY.test(text)) return notIssue('ack', 0.97);
      if (GREETING.test(text)) return notIssue('greeting', 0.95);
      const issueCues = cueScore(text, ISSUE_CUES);
      if (ADVERT.test(text) && !/举报|投诉/.test(text)) return notIssue('advert', 0.85);
      if (THANKS.test(text) && (RESOLVED_PRAISE.test(text) || issueCues < 2) && !STILL_PROBLEM.test(text.replace(RESOLVED_PRAISE, ''))) {
        return notIssue('thanks', 0.9);
      }

      const grams = charNgrams(text);
      const n = Math.max(grams.length, 1);
      const issueScore = issueNb.score(grams).logp;
      issueScore[issueIdx]! += issueCueWeight * Math.min(issueCues, 8);
      const pIssue = softmax(issueScore, Math.max(1, Math.sqrt(n / 30)))[issueIdx]!;
      if (pIssue < 0.5) return notIssue('chatter', 1 - pIssue);

      const cat = catNb.score(grams).logp;
      for (let c = 0; c < cat.length; c++) cat[c] = (nbWeight * cat[c]!) / n + cueScore(text, catCues[c]!);
      const catP = softmax(cat, temperature);
      let best = 0;
      for (let c = 1; c < catP.length; c++) if (catP[c]! > catP[best]!) best = c;

      const typ = typeNb.score(grams).logp;
      // Ties go to 求助: a concrete problem with no other cue is a request for help.
      for (let t = 0; t < typ.length; t++) typ[t] = (typeNbWeight * typ[t]!) / n + cueScore(text, typeCues[t]!) + (t === helpIdx ? 0.5 : 0);
      const typeP = softmax(typ, temperature);
      let bestType = 0;
      for (let t = 1; t < typeP.length; t++) if (typeP[t]! > typeP[bestType]!) bestType = t;

      return {
        isIssue: true,
        type: typeNb.classes[bestType] as IssueType,
        category: catNb.classes[best] as Category,
        urgency: cueScore(text, URGENT_CUES) >= 3 ? 'urgent' : 'normal',
        confidence: Math.round(Math.min(pIssue, catP[best]!) * 1000) / 1000,
      };
    },
  };
}

export const MODEL_CLASSES = { issue: ['issue', 'none'], category: [...CATEGORIES], type: [...ISSUE_TYPES] };
