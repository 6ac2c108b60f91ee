import { sql, type Kysely } from 'kysely';

// Trigger functions name our tables and helper functions unqualified, so they resolved through
// the search_path of whoever wrote the row. A deployment in its own schema (search_path set on
// the app's connection) then broke any write from a session without it — an operator's psql, a
// repair script: `function report_mark_day(timestamp with time zone) does not exist`. Each of our
// functions now keeps the search_path it was created with.
const ours = sql`
  select p.oid::regprocedure::text as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = current_schema() and p.prokind = 'f' and p.prolang in (select oid from pg_language where lanname in ('plpgsql', 'sql'))`;

export async function up(db: Kysely<any>): Promise<void> {
  for (const f of (await ours.execute(db)).rows as Array<{ sig: string }>) await sql.raw(`alter function ${f.sig} set search_path from current`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const f of (await ours.execute(db)).rows as Array<{ sig: string }>) await sql.raw(`alter function ${f.sig} reset search_path`).execute(db);
}
