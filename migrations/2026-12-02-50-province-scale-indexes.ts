import { sql, type Kysely } from 'kysely';

// A province's volume (10,000,000 tickets, bench/scale.ts): the daily digest counted a group's
// signed and resolved tickets, and found its open ones, by scanning far more of the table than the
// group's day (4 s; 30 ms with these). On a table that size each index takes a minute or two to
// build, once, at the upgrade.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index tickets_group_claimed_idx on tickets (group_id, claimed_at)`.execute(db);
  await sql`create index tickets_group_resolved_idx on tickets (group_id, resolved_at)`.execute(db);
  await sql`create index tickets_resolved_at_idx on tickets (resolved_at)`.execute(db);
  await sql`create index tickets_open_group_idx on tickets (group_id) where status in ('received', 'dispatched', 'returned', 'claimed', 'awaiting_confirmation')`.execute(db);
  await sql`create index tickets_awaiting_group_idx on tickets (group_id) where status = 'resolved'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['tickets_awaiting_group_idx', 'tickets_open_group_idx', 'tickets_resolved_at_idx', 'tickets_group_resolved_idx', 'tickets_group_claimed_idx']) {
    await sql`drop index if exists ${sql.id(name)}`.execute(db);
  }
}
