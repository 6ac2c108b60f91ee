import { sql, type Kysely } from 'kysely';

// 提级办 made before 2026-12-03-20 left no ticket_handovers row, so the county unit that lifted
// such a ticket did not answer for its response in the rankings. Each escalated_level event
// without its row gets one, rebuilt from the events before it the way the tickets trigger reads
// the row: the dispatch is the last event that made the ticket 'dispatched' (not a rating's),
// the claim the last one after that dispatch. Its sign deadline was overwritten by the lift and
// depends on the deployment's SLA and calendar, which a migration does not have: it is left null
// and filled in by the scheduler (src/jobs/rollups.ts) before it stores the days again. The
// inserted rows mark their days dirty through the handovers trigger. Idempotent: a lift that has
// its row (written by the trigger, or by an earlier run) is skipped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into ticket_handovers (ticket_id, from_department_id, to_department_id, from_dispatched_at, from_sign_due_at, from_claimed_at, handed_at, lifted)
    select e.ticket_id, e.data->>'fromDepartmentId', e.data->>'departmentId', d.at, null, c.at, e.at, true
    from ticket_events e
    left join lateral (
      select p.id, p.at from ticket_events p
      where p.ticket_id = e.ticket_id and p.id < e.id and p.to_status = 'dispatched' and p.kind <> 'rated'
      order by p.id desc limit 1) d on true
    left join lateral (
      select q.at from ticket_events q
      where q.ticket_id = e.ticket_id and q.id > d.id and q.id < e.id and q.kind = 'claimed' and q.at >= d.at
      order by q.id desc limit 1) c on true
    where e.kind = 'escalated_level' and e.data->>'fromDepartmentId' is not null
      and not exists (select 1 from ticket_handovers h where h.ticket_id = e.ticket_id and h.lifted
        and h.from_department_id = e.data->>'fromDepartmentId' and h.handed_at = e.at)`.execute(db);
}

export async function down(): Promise<void> {
  // The rows rebuilt are indistinguishable from those the trigger wrote since; they stay.
}
