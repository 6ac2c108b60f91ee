import type { Tx } from '../db/database';
import { createLearner, DEFAULT_LIMITS, type Learner, type LearnerLimits } from '../domain/classifier/learner';
import type { LinearClassifier } from '../domain/classifier/linear-classifier';
import type { Classification, Classifier } from '../domain/classifier/types';
import { labelledWritesInProcess, listLabelledExamplesAfter } from '../repo/labelled';

export interface LearningClassifier extends Classifier {
  /**
   * Brings the model up to date with the corrections in labelled_examples: at once after one
   * was recorded in this process, otherwise at most every `pollMs` (other instances'
   * corrections). Costs no statement in between.
   */
  catchUp(tx: Tx): Promise<void>;
  readonly corrections: number;
}

/**
 * The deployment's classifier: the shipped model plus the staff's corrections, learned in
 * id order. The labelled_examples rows are the persisted truth, so every instance (and every
 * restart) replays the same corrections to the same delta.
 */
export function createLearningClassifier(
  base: LinearClassifier,
  opts: { now: () => Date; pollMs?: number; limits?: LearnerLimits },
): LearningClassifier {
  const pollMs = opts.pollMs ?? 5000;
  let learner: Learner = createLearner(base, opts.limits ?? DEFAULT_LIMITS);
  let lastId = 0;
  let lastPoll = -Infinity;
  let seenWrites = -1;
  let pending: Promise<void> | null = null;

  async function load(tx: Tx): Promise<void> {
    for (;;) {
      const rows = await listLabelledExamplesAfter(tx, lastId, 1000);
      for (const r of rows) {
        learner.learn({ text: r.text, isIssue: r.isIssue, category: r.category, type: r.type });
        lastId = r.id;
      }
      if (rows.length < 1000) return;
    }
  }

  return {
    get corrections() {
      return learner.corrections;
    },
    async catchUp(tx: Tx): Promise<void> {
      const t = opts.now().getTime();
      const writes = labelledWritesInProcess();
      if (writes === seenWrites && t - lastPoll < pollMs) return;
      if (pending) return pending;
      seenWrites = writes;
      lastPoll = t;
      pending = load(tx).finally(() => (pending = null));
      try {
        await pending;
      } catch (e) {
        // A failed read leaves the model as it was; the next poll tries again from lastId.
        lastPoll = -Infinity;
        throw e;
      }
    },
    classify(text: string): Classification {
      return learner.classify(text);
    },
  };
}
