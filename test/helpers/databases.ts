import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle, type DbKind } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';

export interface TestDatabase {
  kind: DbKind;
  open(): Promise<DatabaseHandle>;
}

const url = process.env.DATABASE_URL;

/** Closing twice is harmless, so a runtime and the suite may both close the same database. */
function closeOnce(handle: DatabaseHandle): DatabaseHandle {
  let closing: Promise<void> | null = null;
  return { ...handle, close: () => (closing ??= handle.close()) };
}

/**
 * PGlite always; PostgreSQL when DATABASE_URL is set (CI sets it). Each open() gets a fresh
 * database: an in-memory PGlite, or a new schema on PostgreSQL that is dropped on close.
 */
export const TEST_DATABASES: TestDatabase[] = [
  {
    kind: 'pglite',
    async open() {
      const handle = await openDatabase({ dataDir: 'memory://' });
      await migrateToLatest(handle.db);
      return closeOnce(handle);
    },
  },
  ...(url
    ? [
        {
          kind: 'postgres' as const,
          async open() {
            const schema = `gz_test_${randomBytes(6).toString('hex')}`;
            const admin = new pg.Client({ connectionString: url });
            await admin.connect();
            await admin.query(`create schema ${schema}`);
            await admin.end();
            const handle = await openDatabase({ url, schema, poolSize: 8 });
            await migrateToLatest(handle.db);
            return closeOnce({
              ...handle,
              async close() {
                await handle.close();
                const c = new pg.Client({ connectionString: url });
                await c.connect();
                await c.query(`drop schema ${schema} cascade`);
                await c.end();
              },
            });
          },
        },
      ]
    : []),
];

export const POSTGRES_SKIP_NOTE = url
  ? null
  : 'PostgreSQL storage tests SKIPPED: DATABASE_URL is not set (CI sets it; locally: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test)';

if (POSTGRES_SKIP_NOTE) console.warn(`\n[gongzhi] ${POSTGRES_SKIP_NOTE}\n`);

/** The database kinds a storage suite runs against, with the skipped one named in the output. */
export const DATABASE_CASES: Array<[string, TestDatabase | null]> = [
  ...TEST_DATABASES.map((d): [string, TestDatabase] => [d.kind, d]),
  ...(url ? [] : [['postgres (skipped: DATABASE_URL not set)', null] as [string, null]]),
];

/**
 * A describe block per database kind, with a fresh database opened before and closed after;
 * the PostgreSQL block is reported as skipped, with the reason, when DATABASE_URL is unset.
 */
export function describeOnDatabases(title: string, body: (db: () => DatabaseHandle, kind: DbKind) => void): void {
  describe.each(DATABASE_CASES)(`${title} on %s`, (_name, database) => {
    if (!database) {
      it.skip('needs DATABASE_URL', () => undefined);
      return;
    }
    let handle: DatabaseHandle | undefined;
    beforeAll(async () => {
      handle = await database.open();
    });
    afterAll(async () => handle?.close());
    body(() => handle!, database.kind);
  });
}
