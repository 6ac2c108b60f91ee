import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { Db, Tx } from '../db/database';
import type { DirectoryChange } from '../directory/diff';
import type { DirectorySnapshot } from '../directory/sections';

/** Kept beside the migration rather than in the shared schema: only this module reads it. */
export interface DirectoryRevisionsTable {
  id: number;
  author: string;
  source: string;
  note: string | null;
  directory: ColumnType<DirectorySnapshot, string, string>;
  changes: ColumnType<DirectoryChange[], string, string>;
  created_at: ColumnType<Date, Date | string, never>;
}
type WithRevisions = Database & { directory_revisions: DirectoryRevisionsTable };

/** Where a revision came from: the config file at first start, the console, `cli config import`, a platform sync. */
export type RevisionSource = 'seed' | 'console' | 'import' | 'sync';

export interface DirectoryRevision {
  id: number;
  author: string;
  source: RevisionSource;
  note: string | null;
  directory: DirectorySnapshot;
  changes: DirectoryChange[];
  createdAt: Date;
}

export class DirectoryConflictError extends Error {
  constructor(readonly expected: number) {
    super(`目录已被他人修改（当前版本不是 ${expected}），请刷新后重试（the directory changed meanwhile）`);
    this.name = 'DirectoryConflictError';
  }
}

const t = (db: Db | Tx) => (db as Kysely<Database>).withTables<{ directory_revisions: DirectoryRevisionsTable }>() as Kysely<WithRevisions> | Transaction<WithRevisions>;

const toRevision = (r: { id: number; author: string; source: string; note: string | null; directory: DirectorySnapshot; changes: DirectoryChange[]; created_at: Date }): DirectoryRevision => ({
  id: r.id,
  author: r.author,
  source: r.source as RevisionSource,
  note: r.note,
  directory: r.directory,
  changes: r.changes,
  createdAt: new Date(r.created_at),
});

/** The latest revision number, 0 before the first: what every instance polls. */
export async function currentRevisionId(db: Db | Tx): Promise<number> {
  const r = await t(db).selectFrom('directory_revisions').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return r?.id == null ? 0 : Number(r.id);
}

export async function latestRevision(db: Db | Tx): Promise<DirectoryRevision | null> {
  const r = await t(db).selectFrom('directory_revisions').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? toRevision(r) : null;
}

export async function getRevision(db: Db | Tx, id: number): Promise<DirectoryRevision | null> {
  const r = await t(db).selectFrom('directory_revisions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRevision(r) : null;
}

/** Newest first, without the full directory of each. */
export async function listRevisions(db: Db | Tx, limit = 50, before?: number): Promise<Array<Omit<DirectoryRevision, 'directory'>>> {
  let q = t(db).selectFrom('directory_revisions').select(['id', 'author', 'source', 'note', 'changes', 'created_at']).orderBy('id', 'desc').limit(limit);
  if (before !== undefined) q = q.where('id', '<', before);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, author: r.author, source: r.source as RevisionSource, note: r.note, changes: r.changes, createdAt: new Date(r.created_at) }));
}

/**
 * Appends revision `base + 1`. A revision with that number already there means someone else
 * saved since `base` was read: DirectoryConflictError, and nothing is written.
 */
export async function insertRevision(
  tx: Tx,
  rev: { base: number; author: string; source: RevisionSource; note?: string | null; directory: DirectorySnapshot; changes: DirectoryChange[] },
  now: Date,
): Promise<number> {
  const id = rev.base + 1;
  const inserted = await t(tx)
    .insertInto('directory_revisions')
    .values({ id, author: rev.author, source: rev.source, note: rev.note ?? null, directory: JSON.stringify(rev.directory), changes: JSON.stringify(rev.changes), created_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new DirectoryConflictError(rev.base);
  return id;
}
