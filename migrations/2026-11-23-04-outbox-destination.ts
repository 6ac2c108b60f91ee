import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The robot/chat a post lands in: the unit the platforms throttle (20 posts a minute).
  await db.schema.alterTable('outbox').addColumn('destination', 'text').execute();
  // A post merged into a summary post keeps a pointer to it: nothing is dropped.
  await db.schema.alterTable('outbox').addColumn('coalesced_into', 'integer').execute();
  await sql`create index outbox_destination_sent_idx on outbox (destination, sent_at) where status = 'sent'`.execute(db);
  await sql`create index outbox_destination_pending_idx on outbox (destination, id) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists outbox_destination_pending_idx`.execute(db);
  await sql`drop index if exists outbox_destination_sent_idx`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('coalesced_into').execute();
  await db.schema.alterTable('outbox').dropColumn('destination').execute();
}
