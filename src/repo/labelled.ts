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

/** A dispatcher's correction, kept as training data for the next `npm run train:classifier`. */
export async function recordLabelledExample(tx: Tx, e: LabelledExample, now: Date): Promise<void> {
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
