import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../db/database';
import { addDays, chinaDate, chinaMidnight } from '../domain/china-time';
import type { DepartmentCounts } from '../domain/report';

// The counts behind every ranking (monthly, weekly, regions, the public board), by department over
// the tickets received in a period. One SQL definition, used three ways: counted live, stored per
// China day in report_day_counts by the refresh, and — for a period of whole days — read back as
// the stored days plus a live count of the days marked dirty since, both in one snapshot
// (migration 2026-12-03-20).
//
// Who answers for what (提级办): the department holding a ticket answers for its resolution, its
// rating, its reopening and its own signing; a department that lifted a ticket to its counterpart
// one level up answers for its response (signed, or lifted, by its own sign deadline); a 三单一函
// document counts for the department it was issued to.

export interface Period {
  from: Date;
  to: Date;
}

export interface CountFilter {
  /** One group's tickets (always counted live: the store is per department, not per group). */
  groupId?: string;
  /** Only these departments' rows (a region's own). */
  departmentIds?: readonly string[];
  /**
   * The report's time. A ticket dispatched and not yet signed is late only once its sign deadline
   * has passed at this time; before that it is counted as awaiting (never stored: it changes with
   * the clock, not with the ticket). Every report passes its clock; without it none is awaiting.
   */
  at?: Date;
}

/** The China calendar day of a timestamp, as the migration's triggers compute it (fixed UTC+8). */
const chinaDay = (col: string) => sql.raw(`((${col} at time zone 'UTC') + interval '8 hours')::date`);


/** Days (YYYY-MM-DD) as receipt-time ranges, consecutive days joined into one. */
function dayRanges(days: readonly string[]): Period[] {
  const out: Period[] = [];
  for (const day of [...new Set(days)].sort()) {
    const from = chinaMidnight(day);
    const last = out.at(-1);
    if (last && last.to.getTime() === from.getTime()) last.to = chinaMidnight(addDays(day, 1));
    else out.push({ from, to: chinaMidnight(addDays(day, 1)) });
  }
  return out;
}

const COLUMNS = ['tickets', 'dispatched', 'signed_on_time', 'resolved', 'on_time', 'rated', 'satisfied', 'reopened', 'escalations'] as const;
type Column = (typeof COLUMNS)[number];

/** Tickets to count (alias `t`): received within one of the ranges, and ranked at all. */
interface Selection {
  ranges: readonly Period[];
  filter: CountFilter;
}

/**
 * Literal ranges, not a join with a table of days: the planner then estimates each range from
 * its statistics and scans the receipt index, where a join left it guessing a tenth of the table.
 */
function selected(s: Selection, received = 't.received_at'): RawBuilder<boolean> {
  const col = sql.raw(received);
  const within = sql.join(s.ranges.map((r) => sql`(${col} >= ${r.from} and ${col} < ${r.to})`), sql` or `);
  return sql<boolean>`(${within}) and ${ranked(s.filter)}`;
}

/**
 * The three sources of a department's counts over the selected tickets, as one union with
 * columns (day?, department_id, ...COLUMNS): the tickets it holds, the tickets it lifted, the
 * documents it received.
 */
function branches(s: Selection, byDay: boolean): RawBuilder<unknown> {
  const day = byDay ? sql`${chinaDay('t.received_at')} as day, ` : sql``;
  const group = byDay ? sql`group by 1, 2` : sql`group by 1`;
  const resolved = sql`t.status in ('resolved', 'closed', 'awaiting_confirmation') and t.resolved_at is not null`;
  const zeros = (n: number) => sql.raw(Array.from({ length: n }, () => '0').join(', '));
  // A claim counts for the dispatch it follows: after a 转派 or 提级 the old claim stays on the
  // row until the new department signs, and must not count as the new department's.
  return sql`
    select ${day}t.department_id as department_id,
      count(*) as tickets,
      count(*) filter (where t.dispatched_at is not null) as dispatched,
      count(*) filter (where t.dispatched_at is not null and t.claimed_at >= t.dispatched_at and t.claimed_at <= t.sign_due_at) as signed_on_time,
      count(*) filter (where ${resolved}) as resolved,
      count(*) filter (where ${resolved} and t.resolved_at <= t.resolve_due_at) as on_time,
      count(*) filter (where t.rating is not null) as rated,
      count(*) filter (where t.rating >= 3) as satisfied,
      count(*) filter (where t.reopen_count > 0) as reopened,
      0 as escalations
    from tickets t where ${selected(s)} ${group}
    union all
    select ${day}h.from_department_id, 0,
      count(*) filter (where h.from_dispatched_at is not null),
      count(*) filter (where h.from_dispatched_at is not null and coalesce(h.from_claimed_at, h.handed_at) <= h.from_sign_due_at),
      ${zeros(6)}
    from tickets t join ticket_handovers h on h.ticket_id = t.id where h.lifted and ${selected(s)} ${group}
    union all
    select ${day}coalesce(e.department_id, t.department_id), ${zeros(8)}, count(*)
    from escalation_documents e join tickets t on t.id = e.ticket_id
    -- A 提醒单 comes before the deadline: a notice, not a failure.
    where e.step <> 'reminder' and ${selected(s, 'e.ticket_received_at')} ${group}`;
}

const sums = sql.raw(COLUMNS.map((c) => `sum(x.${c})::int as ${c}`).join(', '));

/** Tickets that are ranked at all: routed to a department and not merged into another. */
function ranked(filter: CountFilter): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join([sql`t.department_id is not null`, sql`t.status <> 'merged'`, ...(filter.groupId ? [sql`t.group_id = ${filter.groupId}`] : [])], sql` and `)})`;
}

function departmentWhere(filter: CountFilter): RawBuilder<boolean> {
  return filter.departmentIds ? sql<boolean>`x.department_id in (${sql.join(filter.departmentIds.map((d) => sql`${d}`))})` : sql<boolean>`true`;
}

type CountRow = { department_id: string } & Record<Column, number | string>;

function toCounts(rows: CountRow[], awaiting: ReadonlyMap<string, number>): DepartmentCounts[] {
  return rows.map((r) => ({
    departmentId: r.department_id,
    tickets: Number(r.tickets),
    dispatched: Number(r.dispatched),
    signedOnTime: Number(r.signed_on_time),
    awaitingSign: awaiting.get(r.department_id) ?? 0,
    resolved: Number(r.resolved),
    onTime: Number(r.on_time),
    rated: Number(r.rated),
    satisfied: Number(r.satisfied),
    reopened: Number(r.reopened),
    escalations: Number(r.escalations),
  }));
}

/**
 * Per department: the period's tickets waiting for their signature while the sign deadline has not
 * passed at `at` (or the deadline is paused). Only open, dispatched tickets: the partial index on
 * their sign deadline keeps this small whatever the period.
 */
async function awaitingSign(tx: Tx, period: Period, filter: CountFilter): Promise<Map<string, number>> {
  if (!filter.at) return new Map();
  const rows = await sql<{ department_id: string; n: number | string }>`
    select x.department_id, count(*) as n from (
      select t.department_id from tickets t
      where t.status = 'dispatched' and t.dispatched_at is not null and (t.sign_due_at > ${filter.at} or t.paused_at is not null)
        and t.received_at >= ${period.from} and t.received_at < ${period.to} and ${ranked(filter)}
    ) x where ${departmentWhere(filter)} group by 1`.execute(tx);
  return new Map(rows.rows.map((r) => [r.department_id, Number(r.n)]));
}

/** Every ticket of the period counted now: the definition the stored days must equal. */
export async function liveDepartmentCounts(db: Db, period: Period, filter: CountFilter = {}): Promise<DepartmentCounts[]> {
  if (filter.departmentIds && filter.departmentIds.length === 0) return [];
  return inTransaction(db, async (tx) => toCounts((await sql<CountRow>`select x.department_id, ${sums} from (${branches({ ranges: [period], filter }, false)}) x where ${departmentWhere(filter)} group by 1 order by 1`.execute(tx)).rows, await awaitingSign(tx, period, filter)));
}

/** The period as whole China days [first, end), or null when it starts or ends mid-day. */
function wholeDays(period: Period): { first: string; end: string } | null {
  const first = chinaDate(period.from);
  const end = chinaDate(period.to);
  if (chinaMidnight(first).getTime() !== period.from.getTime() || chinaMidnight(end).getTime() !== period.to.getTime() || first >= end) return null;
  return { first, end };
}

/**
 * The counts of the period's tickets, one row per department. A period of whole days adds up
 * the stored days and counts the dirty ones live, in one snapshot: a day is either stored as it
 * stands or counted now, never stale. Other periods, and one group's, are counted live.
 */
export async function departmentCounts(db: Db, period: Period, filter: CountFilter = {}): Promise<DepartmentCounts[]> {
  if (filter.departmentIds && filter.departmentIds.length === 0) return [];
  const days = wholeDays(period);
  if (!days || filter.groupId) return liveDepartmentCounts(db, period, filter);
  return inTransaction(db, async (tx) => {
    const dirty = (await sql<{ day: string }>`select distinct day::text as day from report_dirty_days where day >= ${days.first}::date and day < ${days.end}::date`.execute(tx)).rows.map((r) => r.day);
    const stored = sql`select r.department_id, ${sql.raw(COLUMNS.map((c) => `r.${c}`).join(', '))} from report_day_counts r
      where r.day >= ${days.first}::date and r.day < ${days.end}::date${dirty.length ? sql` and r.day not in (${sql.join(dirty.map((d) => sql`${d}::date`))})` : sql``}`;
    const live = dirty.length ? sql`union all ${branches({ ranges: dayRanges(dirty), filter }, false)}` : sql``;
    const rows = await sql<CountRow>`select x.department_id, ${sums} from (${stored} ${live}) x where ${departmentWhere(filter)} group by 1 order by 1`.execute(tx);
    return toCounts(rows.rows, await awaitingSign(tx, period, filter));
  });
}

/**
 * One snapshot for every statement (REPEATABLE READ), so the dirty days read first are exactly
 * those whose stored counts the next statement must not use. JIT off: compiling these plans
 * took longer (0.5–1 s at a province's scale) than running them.
 */
function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      await sql`set local jit = off`.execute(tx);
      return work(tx);
    });
}

export interface RollupRefresh {
  /** China days recounted and stored. */
  days: string[];
  /** Days still marked dirty after this pass (counted live until a later one). */
  remaining: number;
}

/**
 * Stores the counts of up to `maxDays` dirty days, most recent first. The marks deleted are those
 * committed before this statement; their changes are therefore in the recount that follows, and
 * a change committed meanwhile leaves its own mark for the next pass. Refreshes are serialised on
 * report_rollup_state, so an older recount never overwrites a newer one.
 */
export async function refreshRollups(db: Db, now: Date, maxDays = 62): Promise<RollupRefresh> {
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('report_rollup_state').select('id').where('id', '=', 1).forUpdate().execute();
    const taken = await sql<{ day: string }>`
      delete from report_dirty_days where day in (select distinct day from report_dirty_days order by day desc limit ${maxDays})
      returning day::text as day`.execute(tx);
    const days = [...new Set(taken.rows.map((r) => r.day))].sort();
    if (days.length) {
      await sql`set local jit = off`.execute(tx);
      await sql`delete from report_day_counts where day in (${sql.join(days.map((d) => sql`${d}::date`))})`.execute(tx);
      await sql`
        insert into report_day_counts (day, department_id, ${sql.raw(COLUMNS.join(', '))})
        select x.day, x.department_id, ${sums} from (${branches({ ranges: dayRanges(days), filter: {} }, true)}) x group by 1, 2`.execute(tx);
      await tx.updateTable('report_rollup_state').set({ refreshed_at: now }).where('id', '=', 1).execute();
    }
    const left = await sql<{ n: number | string }>`select count(distinct day) as n from report_dirty_days`.execute(tx);
    return { days, remaining: Number(left.rows[0]!.n) };
  });
}
