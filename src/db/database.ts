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

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The newest applied migration, for /healthz. */
export async function migrationVersion(db: Kysely<any>): Promise<string | null> {
  const rows = await createMigrator(db).getMigrations();
  const applied = rows.filter((m) => m.executedAt);
  return applied.at(-1)?.name ?? null;
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
