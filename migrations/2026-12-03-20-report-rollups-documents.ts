import { sql, type Kysely } from 'kysely';

// The ranking counts a 三单一函 document under the day its ticket was received. Finding a few
// days' documents through their tickets made PostgreSQL hash the whole document table (500,000
// rows at a province's scale: 100 ms of a 10-day count); the receipt time kept on the document
// itself, with an index, finds them directly. A trigger fills it, so the sweep writes nothing new.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('escalation_documents').addColumn('ticket_received_at', 'timestamptz').execute();
  await sql`update escalation_documents e set ticket_received_at = t.received_at from tickets t where t.id = e.ticket_id`.execute(db);
  await sql`create function escalation_documents_receipt() returns trigger language plpgsql as $$
    begin
      new.ticket_received_at := (select received_at from tickets where id = new.ticket_id);
      return new;
    end $$`.execute(db);
  await sql`create trigger escalation_documents_receipt before insert or update of ticket_id on escalation_documents
    for each row execute function escalation_documents_receipt()`.execute(db);
  await db.schema.createIndex('escalation_documents_received_idx').on('escalation_documents').column('ticket_received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists escalation_documents_receipt on escalation_documents`.execute(db);
  await sql`drop function if exists escalation_documents_receipt()`.execute(db);
  await db.schema.dropIndex('escalation_documents_received_idx').ifExists().execute();
  await db.schema.alterTable('escalation_documents').dropColumn('ticket_received_at').execute();
}
