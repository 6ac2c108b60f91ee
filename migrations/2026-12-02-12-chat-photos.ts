import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A photo sent alone in a chat, with no report of its sender's just before, waits for the next
  // report from the same sender in the same chat: until then it belongs to no ticket.
  await db.schema.alterTable('attachments').alterColumn('ticket_id', (c) => c.dropNotNull()).execute();
  /** `platform:chatId` where a waiting photo was sent; null for photos that came with their ticket. */
  await db.schema.alterTable('attachments').addColumn('origin_chat', 'text').execute();
  await sql`create index attachments_waiting_idx on attachments (requester_id, origin_chat, created_at) where ticket_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists attachments_waiting_idx`.execute(db);
  await db.deleteFrom('attachments').where('ticket_id', 'is', null).execute();
  await db.schema.alterTable('attachments').dropColumn('origin_chat').execute();
  await db.schema.alterTable('attachments').alterColumn('ticket_id', (c) => c.setNotNull()).execute();
}
