import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Set while the department waits for the enterprise to supply information: the SLA clock stops.
  await db.schema.alterTable('tickets').addColumn('paused_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('paused_at').execute();
}
