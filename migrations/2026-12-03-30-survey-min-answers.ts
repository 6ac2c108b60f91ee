import type { Kysely } from 'kysely';

// A campaign's figures are published with the minimum in force when it opened: were a later
// `survey.minAnswers` to publish the same closed campaign again with another minimum, the old
// report and the new one together would split its answers finer than either allows.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('survey_campaigns').addColumn('min_answers', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('survey_campaigns').dropColumn('min_answers').execute();
}
