import type { Category, IssueType, Urgency } from '../taxonomy';

export type NonIssueKind = 'empty' | 'ack' | 'thanks' | 'greeting' | 'notice' | 'advert' | 'chatter';

export interface Classification {
  isIssue: boolean;
  type: IssueType | null;
  category: Category | null;
  urgency: Urgency | null;
  /** 0..1: how sure the classifier is of the whole answer (issue-ness and category). */
  confidence: number;
  /** Why a message is not an issue, so the bot can answer greetings and ignore thanks. */
  nonIssueKind?: NonIssueKind;
}

export interface Classifier {
  classify(text: string): Classification;
}
