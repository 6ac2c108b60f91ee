import type { Db, Tx } from '../db/database';

export interface LabelledExample {
  text: string;
  isIssue: boolean;
  category: string | null;
  type: string | null;
  source: 'recategorize' | 'dispatch' | 'not_issue';
  ticketId: number | null;
  actorId: string;
}

let writes = 0;
/** How many corrections this process has recorded: the learner re-reads at once when it moves. */
export const labelledWritesInProcess = () => writes;

/**
 * A staff member's correction: training data for the next `npm run train:classifier`, and
 * learned by every instance's classifier for the next message (src/pipeline/learning.ts).
 */
export async function recordLabelledExample(tx: Tx, e: LabelledExample, now: Date): Promise<void> {
  writes++;
  await tx
    .insertInto('labelled_examples')
    .values({ text: e.text, is_issue: e.isIssue, category: e.category, type: e.type, source: e.source, ticket_id: e.ticketId, actor_id: e.actorId, created_at: now })
    .execute();
}

/** Tab-separated, as corpus/classifier/feedback.tsv: is_issue, category, type, text. */
export async function exportLabelledExamples(db: Db): Promise<string> {
  const rows = await db.selectFrom('labelled_examples').selectAll().orderBy('id').execute();
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ').trim();
  return rows.map((r) => [r.is_issue ? '1' : '0', r.category ?? '-', r.type ?? '-', clean(r.text)].join('\t')).join('\n') + (rows.length ? '\n' : '');
}

export interface LabelledRow {
  id: number;
  text: string;
  isIssue: boolean;
  category: string | null;
  type: string | null;
}

/** Corrections recorded after `afterId`, in the order they were made. */
export async function listLabelledExamplesAfter(tx: Tx, afterId: number, limit: number): Promise<LabelledRow[]> {
  const rows = await tx
    .selectFrom('labelled_examples')
    .select(['id', 'text', 'is_issue', 'category', 'type'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), text: r.text, isIssue: !!r.is_issue, category: r.category, type: r.type }));
}
