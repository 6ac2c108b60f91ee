import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A private report (one-to-one chat, or a report-page user who declined a public notice) is never posted in a group.
  await db.schema.alterTable('tickets').addColumn('is_private', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // The requester's link to follow a ticket from the report page: only a SHA-256 of the token is kept.
  await db.schema
    .createTable('ticket_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('requesters.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_links_ticket_idx').on('ticket_links').column('ticket_id').execute();

  // Photos from the report page, in the same transaction as the ticket: nothing half-saved, one backup.
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('requesters.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index attachments_ticket_idx on attachments (ticket_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attachments').ifExists().execute();
  await db.schema.dropTable('ticket_links').ifExists().execute();
  await db.schema.alterTable('tickets').dropColumn('is_private').execute();
}
