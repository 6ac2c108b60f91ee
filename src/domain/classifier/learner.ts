import { CATEGORIES, ISSUE_TYPES } from '../taxonomy';
import type { HeadName, LinearClassifier, WeightDelta } from './linear-classifier';
import type { Classification, Classifier } from './types';

/** A staff member's correction: what the message really was. */
export interface Correction {
  text: string;
  isIssue: boolean;
  category: string | null;
  type: string | null;
}

export interface LearnerLimits {
  /** SGD steps per correction (fewer when the model already agrees). */
  steps: number;
  /** Learning rate of each step (the gradient of a unit-length feature vector is ≤ 1 per class). */
  rate: number;
  /** Largest change one correction may make (L2 norm over every weight it touched). */
  perCorrection: number;
  /** Largest total change all corrections together may make over the shipped weights. */
  total: number;
}

export const DEFAULT_LIMITS: LearnerLimits = { steps: 6, rate: 1.5, perCorrection: 4, total: 40 };

export interface Learner extends Classifier {
  learn(c: Correction): void;
  readonly corrections: number;
  /** L2 norm of the delta over the shipped weights. */
  norm(): number;
}

const CATEGORY_SET: ReadonlySet<string> = new Set(CATEGORIES);
const TYPE_SET: ReadonlySet<string> = new Set(ISSUE_TYPES);

/**
 * Bounded incremental learning over the shipped model: each correction takes a few SGD steps
 * on a per-deployment delta (never on the shipped weights), stops once the model agrees
 * with the correction, and its change is capped; the whole delta's norm is capped too, so a
 * handful of corrections — or hostile ones — cannot rewrite what the model knows.
 */
export function createLearner(base: LinearClassifier, limits: LearnerLimits = DEFAULT_LIMITS): Learner {
  const delta: WeightDelta = { heads: { issue: new Map(), category: new Map(), type: new Map() } };
  let corrections = 0;

  function step(head: HeadName, text: string, feats: Map<string, number>, target: number, local: Map<string, Float64Array>): boolean {
    const p = base.scores(text, delta)[head];
    if (p[target]! >= 0.9) return false;
    const map = delta.heads[head]!;
    for (const [f, v] of feats) {
      let row = map.get(f);
      if (!row) map.set(f, (row = new Float64Array(p.length)));
      let mine = local.get(`${head}\u0000${f}`);
      if (!mine) local.set(`${head}\u0000${f}`, (mine = new Float64Array(p.length)));
      for (let c = 0; c < p.length; c++) {
        const change = -limits.rate * (p[c]! - (c === target ? 1 : 0)) * v;
        row[c]! += change;
        mine[c]! += change;
      }
    }
    return true;
  }

  function scaleAll(factor: number): void {
    for (const map of Object.values(delta.heads)) for (const row of map!.values()) for (let c = 0; c < row.length; c++) row[c]! *= factor;
  }

  function norm(): number {
    let s = 0;
    for (const map of Object.values(delta.heads)) for (const row of map!.values()) for (const v of row) s += v * v;
    return Math.sqrt(s);
  }

  return {
    get corrections() {
      return corrections;
    },
    norm,
    learn(c: Correction): void {
      const feats = base.features(c.text);
      if (!feats.size) return;
      const targets: Array<[HeadName, number]> = [['issue', base.heads.issue.classes.indexOf(c.isIssue ? 'issue' : 'none')]];
      if (c.isIssue && c.category && CATEGORY_SET.has(c.category)) targets.push(['category', base.heads.category.classes.indexOf(c.category)]);
      if (c.isIssue && c.type && TYPE_SET.has(c.type)) targets.push(['type', base.heads.type.classes.indexOf(c.type)]);
      const local = new Map<string, Float64Array>();
      for (const [head, target] of targets) for (let i = 0; i < limits.steps && step(head, c.text, feats, target, local); i++);
      let mine = 0;
      for (const row of local.values()) for (const v of row) mine += v * v;
      mine = Math.sqrt(mine);
      if (mine > limits.perCorrection) {
        // Take back the part of this correction beyond its cap.
        const back = 1 - limits.perCorrection / mine;
        for (const [key, row] of local) {
          const [head, f] = key.split('\u0000') as [HeadName, string];
          const target = delta.heads[head]!.get(f)!;
          for (let k = 0; k < row.length; k++) target[k]! -= back * row[k]!;
        }
      }
      const total = norm();
      if (total > limits.total) scaleAll(limits.total / total);
      corrections++;
    },
    classify(text: string): Classification {
      return base.classifyWith(text, corrections ? delta : null);
    },
  };
}
