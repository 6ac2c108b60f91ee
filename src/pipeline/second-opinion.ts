import type { Classification } from '../domain/classifier/types';
import { parseCommand } from '../domain/commands';
import type { InboundMessage } from '../domain/message';
import type { ChatClassifier, ChatVerdict } from '../llm/chat-classifier';
import type { PipelineDeps } from './context';

/** A classification, with the LLM's verdict when one was asked for and answered. */
export type AdvisedClassification = Classification & {
  llm?: { autoDispatch: boolean; fields: ChatVerdict['fields']; local: { isIssue: boolean; category: string | null; confidence: number } };
};

/** Only what the model would classify as an enterprise's text reaches the LLM: no commands, events or staff. */
function wouldClassify(deps: PipelineDeps, msg: InboundMessage): boolean {
  return !msg.event && parseCommand(msg.text).kind === 'not_command' && !deps.directory.staffByAccount(msg.platform, msg.sender.userId);
}

/** The LLM's verdict over the in-process one; its category, type and urgency replace the model's. */
export function combine(local: Classification, verdict: ChatVerdict, autoDispatch: boolean): AdvisedClassification {
  const llm = { autoDispatch, fields: verdict.fields, local: { isIssue: local.isIssue, category: local.category, confidence: local.confidence } };
  if (!verdict.isIssue) return { isIssue: false, type: null, category: null, urgency: null, confidence: local.confidence, nonIssueKind: local.isIssue ? 'chatter' : (local.nonIssueKind ?? 'chatter'), llm };
  return { isIssue: true, type: verdict.type, category: verdict.category, urgency: verdict.urgency, confidence: local.confidence, llm };
}

/**
 * Classifies a batch before its transaction opens, so a slow LLM never holds row locks: each
 * message below the confidence gate is put to the LLM (in parallel, each bounded by its
 * timeout), and any failure keeps the in-process answer. Without an LLM it is the model alone.
 */
export async function adviseBatch(deps: PipelineDeps, llm: ChatClassifier | undefined, msgs: InboundMessage[]): Promise<Array<AdvisedClassification | undefined>> {
  const cfg = deps.config.classifier;
  if (!llm || !cfg.llm) return msgs.map(() => undefined);
  const autoDispatch = cfg.llm.autoDispatch;
  return Promise.all(
    msgs.map(async (msg) => {
      if (!wouldClassify(deps, msg)) return undefined;
      const local = deps.classifier.classify(msg.text);
      if (local.confidence >= cfg.minConfidence) return local;
      const verdict = await llm.classify(msg.text);
      return verdict ? combine(local, verdict, autoDispatch) : local;
    }),
  );
}
