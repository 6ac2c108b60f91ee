import { sql, type Kysely } from 'kysely';

// A city and its counties (issue 19): the region a ticket came from. Departments, staff and groups
// get theirs from the directory (in memory). Rows written before stay null: they belong to the top
// region (the city, or the one county of a configuration without regions), and every
// region-scoped query treats them that way.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('region_id', 'text').execute();
  // A county's ticket list, digest and ranking read its own tickets by receipt time.
  await sql`create index tickets_region_received_idx on tickets (region_id, received_at)`.execute(db);
  // Department-scoped lists and the city counterpart's read-only view go by department.
  await sql`create index tickets_department_received_idx on tickets (department_id, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tickets_department_received_idx`.execute(db);
  await sql`drop index if exists tickets_region_received_idx`.execute(db);
  await db.schema.alterTable('tickets').dropColumn('region_id').execute();
}
