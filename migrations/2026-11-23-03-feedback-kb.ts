import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Dispatchers' corrections, exported for the next training run.
  await db.schema
    .createTable('labelled_examples')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('is_issue', 'boolean', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('type', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The FAQ entry that answered a consultation at once (pending the requester's confirmation).
  await db.schema.alterTable('tickets').addColumn('kb_entry', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('kb_entry').execute();
  await db.schema.dropTable('labelled_examples').ifExists().execute();
}
