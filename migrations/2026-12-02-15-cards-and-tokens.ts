import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Cards a platform actually delivered for a ticket (DingTalk interactive cards, WeCom template
  // cards): a ticket change anywhere enqueues an update for each of them. `last_params` is what
  // the card shows now, so a change that does not alter the card costs no platform call.
  await db.schema
    .createTable('ticket_cards')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('card_ref', 'text', (c) => c.notNull())
    .addColumn('last_params', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index ticket_cards_ref_idx on ticket_cards (platform, card_ref)`.execute(db);
  await sql`create index ticket_cards_ticket_idx on ticket_cards (ticket_id)`.execute(db);
  // Platform access tokens shared by every process and every Worker request: WeCom throttles
  // gettoken, and a Worker's memory does not outlive the request. `refreshing_until` is the
  // lease of the one caller fetching a new token; the others wait for its row.
  await db.schema
    .createTable('platform_tokens')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('refreshing_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_tokens').ifExists().execute();
  await db.schema.dropTable('ticket_cards').ifExists().execute();
}
