import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // What a report-page form claimed (contact, enterprise) stays with its ticket: an unverified
  // form never rewrites the requester behind an earlier ticket.
  await db.schema.alterTable('tickets').addColumn('reporter_name', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('reporter_enterprise', 'text').execute();
  // A department's /补充 stops the clock until this instant at most (null: no cap, 营商办 approved).
  await db.schema.alterTable('tickets').addColumn('paused_until', 'timestamptz').execute();
  // Report-page users were keyed by their phone, which then reached @-mentions: give them an
  // opaque id; the phone stays in the requester's own column.
  await sql`update requesters set user_id = 'web:' || md5(random()::text || id::text || user_id) where platform = 'web' and user_id not like 'web:%'`.execute(db);
}
