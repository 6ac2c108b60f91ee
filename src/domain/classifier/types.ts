import type { Category, IssueType, Urgency } from '../taxonomy';

/** reply: a staff member's answer quoted back; praise: a success story ("then vs now"). */
export type NonIssueKind = 'empty' | 'ack' | 'thanks' | 'greeting' | 'notice' | 'advert' | 'chatter' | 'reply' | 'praise';

export interface Classification {
  isIssue: boolean;
  type: IssueType | null;
  category: Category | null;
  urgency: Urgency | null;
  /** 0..1: how sure the classifier is of the whole answer (issue-ness and category). */
  confidence: number;
  /** Why a message is not an issue, so the bot can answer greetings and ignore thanks. */
  nonIssueKind?: NonIssueKind;
  /** Calibrated P(issue), when the model (not a hard rule) decided. */
  issueProbability?: number;
  /** Calibrated P(category | issue). */
  categoryProbability?: number;
}

export interface Classifier {
  classify(text: string): Classification;
}
