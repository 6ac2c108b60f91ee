import { sql, type Kysely } from 'kysely';

/**
 * The audit chain moves off the event's own transaction (issue #21): every processing transaction
 * took the one head row to commit, so none ran beside another. An event is now written bare, a
 * trigger queues it in audit_chain_pending in the same statement, and a single chainer
 * (src/audit/chainer.ts) appends queued events to audit_chain after commit, holding the head only
 * for that. audit_chain is insert-only; the chain order is its own seq, no longer the event id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_chain')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    // No foreign key on purpose: an event deleted behind the app's back must show in `audit verify`
    // as a chain entry whose event is gone, not be hidden by a cascade or block the repair.
    .addColumn('event_id', 'integer', (c) => c.notNull().unique())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('audit_chain_pending').addColumn('event_id', 'integer', (c) => c.primaryKey()).execute();

  // The runtime role may insert but is not the owner: these triggers are what stops it from
  // rewriting the chain (it holds UPDATE/DELETE grants on every table deploy/postgres-roles.sql does not list).
  await sql`
    create function audit_chain_append_only() returns trigger language plpgsql set search_path from current as $$
    begin
      raise exception 'audit_chain is append-only';
    end $$`.execute(db);
  await sql`create trigger audit_chain_no_change before update or delete on audit_chain for each row execute function audit_chain_append_only()`.execute(db);
  await sql`create trigger audit_chain_no_truncate before truncate on audit_chain for each statement execute function audit_chain_append_only()`.execute(db);

  // One insert per statement (a batch's events arrive in one multi-row INSERT).
  await sql`
    create function ticket_events_to_chain() returns trigger language plpgsql set search_path from current as $$
    begin
      insert into audit_chain_pending (event_id) select id from added;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger ticket_events_chain_pending after insert on ticket_events
    referencing new table as added for each statement execute function ticket_events_to_chain()`.execute(db);

  // Events chained so far keep their place and hash; one never chained (seq null) stays outside,
  // where `audit verify` names it as written around the app.
  await sql`insert into audit_chain (seq, event_id, hash) select seq, id, hash from ticket_events where seq is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists ticket_events_chain_pending on ticket_events`.execute(db);
  await sql`drop function if exists ticket_events_to_chain()`.execute(db);
  await db.schema.dropTable('audit_chain_pending').ifExists().execute();
  await db.schema.dropTable('audit_chain').ifExists().execute();
  await sql`drop function if exists audit_chain_append_only()`.execute(db);
}
