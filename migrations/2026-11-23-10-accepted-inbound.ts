import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Webhooks store the verified message and acknowledge at once; processing follows. The stored
  // message lets any instance finish the work after a crash between the two.
  await db.schema.alterTable('inbound_messages').addColumn('payload', 'jsonb').execute();
  await sql`create index inbound_pending_idx on inbound_messages (id) where outcome = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists inbound_pending_idx`.execute(db);
  await db.schema.alterTable('inbound_messages').dropColumn('payload').execute();
}
