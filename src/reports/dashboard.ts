import { sql } from 'kysely';
import type { Db } from '../db/database';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import { OPEN_STATUSES } from '../domain/ticket';
import { overdueCondition } from '../repo/tickets';
import { scopeCondition } from '../repo/scope';
import type { TicketScope } from '../domain/regions';
import type { Period } from './queries';

export interface TodayFigures {
  date: string;
  received: number;
  dispatched: number;
  claimed: number;
  resolved: number;
  open: number;
  awaitingConfirmation: number;
  supervised: number;
}

/** Today's numbers (China calendar day of `at`), optionally for one department or a viewer's region (`scope`). */
export async function todayFigures(db: Db, at: Date, departmentId: string | null = null, scope?: TicketScope): Promise<TodayFigures> {
  const date = chinaDate(at);
  const from = chinaMidnight(date);
  const since = (col: 'received_at' | 'dispatched_at' | 'claimed_at' | 'resolved_at') => sql<number>`count(*) filter (where ${sql.ref(col)} >= ${from} and ${sql.ref(col)} <= ${at})`;
  const open = sql.join(OPEN_STATUSES.map((s) => sql.lit(s)));
  let q = db
    .selectFrom('tickets')
    .select([
      since('received_at').as('received'),
      since('dispatched_at').as('dispatched'),
      since('claimed_at').as('claimed'),
      since('resolved_at').as('resolved'),
      sql<number>`count(*) filter (where status in (${open}))`.as('open'),
      sql<number>`count(*) filter (where status = 'awaiting_confirmation')`.as('awaiting'),
      sql<number>`count(*) filter (where supervised and status in (${open}))`.as('supervised'),
    ])
    // Only tickets that can still count: open ones, or ones touched today.
    .where((eb) => eb.or([eb('status', 'in', [...OPEN_STATUSES]), eb('updated_at', '>=', from)]));
  if (departmentId) q = q.where('department_id', '=', departmentId);
  if (scope) q = q.where(scopeCondition(scope));
  const r = await q.executeTakeFirstOrThrow();
  return {
    date,
    received: Number(r.received),
    dispatched: Number(r.dispatched),
    claimed: Number(r.claimed),
    resolved: Number(r.resolved),
    open: Number(r.open),
    awaitingConfirmation: Number(r.awaiting),
    supervised: Number(r.supervised),
  };
}

export interface DepartmentLoad {
  departmentId: string | null;
  name: string;
  open: number;
  overdue: number;
}

/**
 * Open tickets per department right now, with how many are overdue. New and returned tickets
 * sit on the dispatchers' desk whatever department they came back from, so they count as 待派单.
 */
export async function openByDepartment(db: Db, at: Date, scope?: TicketScope): Promise<DepartmentLoad[]> {
  const desk = sql<string | null>`case when t.status in ('received', 'returned') then null else t.department_id end`;
  const rows = await db
    .selectFrom('tickets as t')
    .select([
      desk.as('department_id'),
      sql<number>`count(*)`.as('open'),
      sql<number>`count(*) filter (where t.paused_at is null and ${overdueCondition(at, 't')})`.as('overdue'),
    ])
    .where('t.status', 'in', [...OPEN_STATUSES])
    .where(scope ? scopeCondition(scope, 't') : sql<boolean>`true`)
    .groupBy(sql`1`)
    .execute();
  const names = new Map((await db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
  return rows
    .map((r) => ({ departmentId: r.department_id, name: (r.department_id && names.get(r.department_id)) || '待派单', open: Number(r.open), overdue: Number(r.overdue) }))
    .sort((a, b) => b.open - a.open || a.name.localeCompare(b.name, 'zh-CN'));
}

export interface TrendPoint {
  date: string;
  received: number;
  resolved: number;
}

/** Tickets received and resolved per China calendar day in the period (days without any are zero); `scope` keeps to a viewer's region. */
export async function dailyTrend(db: Db, period: Period, scope?: TicketScope): Promise<TrendPoint[]> {
  const day = (col: string) => sql<string>`to_char(${sql.ref(col)} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;
  const perDay = (col: 'received_at' | 'resolved_at') =>
    db
      .selectFrom('tickets')
      .select([day(col).as('day'), sql<number>`count(*)`.as('n')])
      .where(col, '>=', period.from)
      .where(col, '<', period.to)
      .where(scope ? scopeCondition(scope) : sql<boolean>`true`)
      .groupBy(sql`1`)
      .execute();
  const [received, resolved] = await Promise.all([perDay('received_at'), perDay('resolved_at')]);
  const r1 = new Map(received.map((r) => [r.day, Number(r.n)]));
  const r2 = new Map(resolved.map((r) => [r.day, Number(r.n)]));
  const points: TrendPoint[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += 86_400_000) {
    const date = chinaDate(new Date(t));
    points.push({ date, received: r1.get(date) ?? 0, resolved: r2.get(date) ?? 0 });
  }
  return points;
}
