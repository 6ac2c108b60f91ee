import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Monthly rankings and ledgers scan a period of tickets by receipt time.
  await sql`create index tickets_received_idx on tickets (received_at)`.execute(db);
  // The ranking counts escalation documents per ticket.
  await sql`create index escalation_documents_ticket_idx on escalation_documents (ticket_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists escalation_documents_ticket_idx`.execute(db);
  await sql`drop index if exists tickets_received_idx`.execute(db);
}
