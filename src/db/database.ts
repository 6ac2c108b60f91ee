import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { migrations } from '../../migrations/index';
import type { Database } from './schema';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

/**
 * Kysely looks for its bookkeeping tables by name in every schema unless told one, so a
 * second schema on the same server (another deployment, a test) would hide ours: pin it to
 * the schema the connection works in. Unordered, because migrations are numbered by the day's
 * work item and one with a lower number may land after a higher one.
 */
export async function createMigrator(db: Kysely<any>): Promise<Migrator> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s;
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await (await createMigrator(db)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The newest applied migration, for /healthz. */
export async function migrationVersion(db: Kysely<any>): Promise<string | null> {
  const rows = await (await createMigrator(db)).getMigrations();
  const applied = rows.filter((m) => m.executedAt);
  return applied.at(-1)?.name ?? null;
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
