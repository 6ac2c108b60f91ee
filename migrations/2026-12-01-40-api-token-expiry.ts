import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Tokens expire. Those handed out before expiry existed get the default term from today, so
  // no integration stops the moment this migration runs.
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').execute();
  await sql`update api_tokens set expires_at = now() + interval '90 days' where expires_at is null`.execute(db);
  await sql`alter table api_tokens alter column expires_at set not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
}
