import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Web console sign-in: one account per staff member, created from the CLI. Only a PBKDF2 hash is kept.
  await db.schema
    .createTable('console_accounts')
    .addColumn('staff_id', 'text', (c) => c.primaryKey().references('staff.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // Sessions issued before this instant are void: changing a password signs out everywhere.
    .addColumn('password_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('disabled_at', 'timestamptz')
    .execute();

  // Fixed-window counters for abuse limits (console sign-in, the public report form), shared by every instance.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['key', 'window_start'])
    .execute();

  // Outgoing webhooks, as configured (synced at start-up like the directory; secrets stay in the environment).
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    // null = every event kind
    .addColumn('events', 'jsonb')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('event_id', 'integer', (c) => c.notNull().references('ticket_events.id'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('dead_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('webhook_deliveries_once', ['endpoint_id', 'event_id'])
    .execute();
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at, id) where delivered_at is null and dead_at is null`.execute(db);
  // The delivery row is written by the database in the same transaction as the event, whatever code path
  // appended it: an event that committed always reaches every subscribed endpoint.
  await sql`
    create function ticket_events_to_webhooks() returns trigger language plpgsql as $$
    begin
      insert into webhook_deliveries (endpoint_id, event_id, next_attempt_at)
      select e.id, new.id, new.at from webhook_endpoints e
      where e.active and (e.events is null or e.events @> to_jsonb(new.kind));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger ticket_events_webhooks after insert on ticket_events
    for each row execute function ticket_events_to_webhooks()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists ticket_events_webhooks on ticket_events`.execute(db);
  await sql`drop function if exists ticket_events_to_webhooks()`.execute(db);
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
  await db.schema.dropTable('rate_limits').ifExists().execute();
  await db.schema.dropTable('console_accounts').ifExists().execute();
}
