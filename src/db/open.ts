import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema';
import type { DatabaseHandle } from './database';

// Node only: the Worker builds its own Kysely over Hyperdrive and never bundles PGlite.
export interface DatabaseOptions {
  /** postgres://… — when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /** Postgres schema to use (tests isolate themselves this way). */
  schema?: string | undefined;
  poolSize?: number | undefined;
  /** Told when an idle pooled connection dies (database restart, failover); the pool replaces it. */
  onPoolError?: (error: Error) => void;
}

export async function openDatabase(opts: DatabaseOptions): Promise<DatabaseHandle> {
  if (opts.url) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 12,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // Without a listener, an idle client killed by a database restart would crash the process.
    const onError = opts.onPoolError ?? ((e: Error) => console.warn(`gongzhi: database connection lost (${e.message}); reconnecting on next use`));
    pool.on('error', onError);
    // A connection that dies while checked out errors its query (→ 503) and must not crash the process either.
    pool.on('connect', (client) => client.on('error', onError));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('./pglite-dialect');
  const dataDir = opts.dataDir ?? './data/pglite';
  if (!dataDir.startsWith('memory://')) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true });
  }
  const pglite = new PGlite(dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

