import type { Category, IssueType } from '../taxonomy';
import { ACK_ONLY, GREETING, NOTICE_PREFIX } from './keywords';
import { notIssue } from './cues';
import { extractFeatures } from './features';
import { argmax, loadHead, logits, softmaxInPlace, type Head, type LinearModelData } from './linear';
import { normaliseText } from './normalise';
import type { Classification, Classifier, NonIssueKind } from './types';

export type HeadName = 'issue' | 'category' | 'type' | 'urgency' | 'kind';

/** Per-deployment corrections over the shipped weights, keyed by feature string (see learner.ts). */
export interface WeightDelta {
  heads: Partial<Record<HeadName, Map<string, Float64Array>>>;
}

export interface LinearClassifier extends Classifier {
  readonly model: LinearModelData;
  readonly heads: Record<HeadName, Head>;
  /** Probabilities of every head, before any rule: training, calibration and the learner use these. */
  scores(text: string, delta?: WeightDelta | null, only?: readonly HeadName[]): Record<HeadName, Float64Array>;
  /** The classification with a delta applied on top of the shipped weights. */
  classifyWith(text: string, delta: WeightDelta | null): Classification;
  features(text: string): Map<string, number>;
}

const NON_ISSUE_KINDS: ReadonlySet<string> = new Set<NonIssueKind>(['empty', 'ack', 'thanks', 'greeting', 'notice', 'advert', 'chatter', 'reply', 'praise']);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Word-stem and character n-gram features, a multinomial logistic regression per question
 * (issue or not, category, type, urgency, kind of non-issue) and temperature calibration
 * fitted on a validation fold, so `confidence` is a probability the gate can trust. Hard rules
 * only for what is robust: no text at all, a bare acknowledgement or greeting.
 */
export function createLinearClassifier(model: LinearModelData): LinearClassifier {
  const vocabSize = model.vocab.length;
  const index = new Map<string, number>();
  model.vocab.forEach((f, i) => index.set(f, i));
  const heads = {
    issue: loadHead(model.heads.issue, vocabSize),
    category: loadHead(model.heads.category, vocabSize),
    type: loadHead(model.heads.type, vocabSize),
    urgency: loadHead(model.heads.urgency, vocabSize),
    kind: loadHead(model.heads.kind, vocabSize),
  };
  const names = Object.keys(heads) as HeadName[];
  const idx = new Int32Array(4096);
  const val = new Float64Array(4096);

  const features = (text: string) => extractFeatures(text, model.features);

  /** Features of the text, with their vocabulary indices in idx/val[0..n). */
  function encode(text: string, normalised: boolean): { f: Map<string, number>; n: number } {
    const f = extractFeatures(text, model.features, normalised);
    let n = 0;
    for (const [name, v] of f) {
      const i = index.get(name);
      if (i === undefined || n >= idx.length) continue;
      idx[n] = i;
      val[n++] = v;
    }
    return { f, n };
  }

  function probabilities(h: HeadName, f: Map<string, number>, n: number, delta: WeightDelta | null | undefined): Float64Array {
    const z = logits(heads[h], idx, val, n);
    const d = delta?.heads[h];
    if (d && d.size) {
      for (const [name, v] of f) {
        const row = d.get(name);
        if (row) for (let c = 0; c < row.length; c++) z[c]! += row[c]! * v;
      }
    }
    return softmaxInPlace(z, heads[h].temperature);
  }

  function scores(text: string, delta?: WeightDelta | null, only: readonly HeadName[] = names): Record<HeadName, Float64Array> {
    const { f, n } = encode(text, false);
    const out = {} as Record<HeadName, Float64Array>;
    for (const h of only) out[h] = probabilities(h, f, n, delta);
    return out;
  }

  function classifyWith(raw: string, delta: WeightDelta | null): Classification {
    const text = normaliseText(raw);
    if (text.replace(/[\p{P}\p{S}\s\d]/gu, '').length === 0) return notIssue('empty', 0.99);
    if (ACK_ONLY.test(text)) return notIssue('ack', 0.97);
    if (GREETING.test(text)) return notIssue('greeting', 0.95);
    if (model.stats.noticeRule === true && NOTICE_PREFIX.test(text)) return notIssue('notice', 0.95);
    // Only the heads the answer needs: a non-issue needs its kind, an issue the rest.
    const { f, n } = encode(text, true);
    const pIssue = probabilities('issue', f, n, delta)[heads.issue.classes.indexOf('issue')]!;
    if (pIssue < 0.5) {
      const kind = heads.kind.classes[argmax(probabilities('kind', f, n, delta))]!;
      return { ...notIssue(NON_ISSUE_KINDS.has(kind) ? (kind as NonIssueKind) : 'chatter', 1 - pIssue), issueProbability: round3(pIssue) };
    }
    const s = { category: probabilities('category', f, n, delta), type: probabilities('type', f, n, delta), urgency: probabilities('urgency', f, n, delta) };
    const cat = argmax(s.category);
    const pCat = s.category[cat]!;
    return {
      isIssue: true,
      type: heads.type.classes[argmax(s.type)] as IssueType,
      category: heads.category.classes[cat] as Category,
      urgency: s.urgency[heads.urgency.classes.indexOf('urgent')]! >= 0.5 ? 'urgent' : 'normal',
      // The chance that both answers are right: the gate compares this with minConfidence.
      confidence: round3(pIssue * pCat),
      issueProbability: round3(pIssue),
      categoryProbability: round3(pCat),
    };
  }

  return { model, heads, scores, features, classifyWith, classify: (text) => classifyWith(text, null) };
}
