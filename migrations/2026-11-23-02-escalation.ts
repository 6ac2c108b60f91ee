import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // 三单一函 documents. The unique key is what keeps two sweeping instances from issuing a step twice.
  await db.schema
    .createTable('escalation_documents')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.references('departments.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('escalation_documents_step_uq', ['ticket_id', 'round', 'phase', 'step'])
    .execute();
  await db.schema.createIndex('escalation_documents_dept_idx').on('escalation_documents').columns(['department_id', 'issued_at']).execute();

  // Scheduled posts (digests, reports) claim a key first, so two instances never post twice.
  await db.schema
    .createTable('scheduled_runs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // The sweep looks at open tickets by deadline.
  await sql`create index tickets_open_sign_due_idx on tickets (sign_due_at) where status in ('received', 'dispatched', 'returned')`.execute(db);
  await sql`create index tickets_open_resolve_due_idx on tickets (resolve_due_at) where status = 'claimed'`.execute(db);
  await sql`create index tickets_resolved_idx on tickets (resolved_at) where status = 'resolved'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tickets_resolved_idx`.execute(db);
  await sql`drop index if exists tickets_open_resolve_due_idx`.execute(db);
  await sql`drop index if exists tickets_open_sign_due_idx`.execute(db);
  await db.schema.dropTable('scheduled_runs').ifExists().execute();
  await db.schema.dropTable('escalation_documents').ifExists().execute();
}
