import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The directory (departments, staff, groups, routing, FAQ…) as a chain of revisions: each keeps
  // the whole validated directory, who changed it and what changed. The number is given by the
  // writer (previous + 1), so two admins saving at once cannot both win: the second conflicts.
  // Instances poll max(id) to learn of a change.
  await db.schema
    .createTable('directory_revisions')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('directory', 'jsonb', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('directory_revisions').ifExists().execute();
}
