import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // DingTalk's callback signature covers only the timestamp, not the body: a captured pair would
  // vouch for any body within the hour. Each pair is bound to the first message it came with,
  // in the database so every instance (and a restarted one) sees it.
  await db.schema
    .createTable('callback_signatures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index callback_signatures_expiry_idx on callback_signatures (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('callback_signatures').ifExists().execute();
}
