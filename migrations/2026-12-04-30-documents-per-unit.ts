import { sql, type Kysely } from 'kysely';

// 三单一函 go to the unit answerable now, for its own deadline: after a 提级办 (or a 转派) the
// city unit's restarted deadline gets its own 提醒单 → 催办单 → 督办单 → 移交函, which one key per
// ticket and step had refused because the county unit already received them. A unit still gets
// each step once per round and phase (a ticket sent back to it does not start its ladder again),
// and the key is what keeps two sweeping instances from issuing a step twice. A ticket in the
// manual queue has no unit: NULLS NOT DISTINCT keeps that one ladder too.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index escalation_documents_step_unit_uq on escalation_documents (ticket_id, round, phase, step, department_id) nulls not distinct`.execute(db);
  await sql`alter table escalation_documents drop constraint escalation_documents_step_uq`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Only possible while no ticket has documents of one step for two units.
  await sql`alter table escalation_documents add constraint escalation_documents_step_uq unique (ticket_id, round, phase, step)`.execute(db);
  await sql`drop index if exists escalation_documents_step_unit_uq`.execute(db);
}
