import { sql } from 'kysely';
import type { Db } from '../db/database';
import { regionScope, scopeRegion, type Org, type TicketScope, type Viewer } from '../domain/regions';
import { figuresFromCounts, rankFigures, sumCounts, type DepartmentCounts } from '../domain/report';
import type { RankingRow } from '../domain/templates';
import { OPEN_STATUSES } from '../domain/ticket';
import { overdueCondition } from '../repo/tickets';
import { departmentCounts, departmentRanking, type Period } from './queries';

// Rankings at both levels (issue 19): departments within a region, and the regions under one
// (counties and zones under the city) compared by the very same rates, from the same counts.

/** A region's row: `departmentId` carries the region's id, so the ranking template and charts serve both. */
export type RegionRankingRow = RankingRow;

/**
 * The regions directly under `under`, ranked by their departments' tickets (a county's figures
 * are those of every department in it and below). A region with nothing in the period (no
 * ticket, nothing to sign, no 三单一函) is not ranked — its rates are no rates, and a ranking
 * would place it first or last for nothing — but listed apart as `idle` (无工单).
 * A ticket lifted to the city (提级办) counts for the city department that resolves it, and its
 * response for the county unit that lifted it (src/reports/counts.ts).
 */
export async function regionStandings(db: Db, period: Period, at: Date, org: Org, under: string = org.root.id): Promise<{ ranked: RegionRankingRow[]; idle: Array<{ id: string; name: string }> }> {
  if (org.children(under).length === 0) return { ranked: [], idle: [] };
  return splitIdle(regionCounts(await departmentCounts(db, period, { at }), org, under), org);
}

export const regionRanking = async (db: Db, period: Period, at: Date, org: Org, under: string = org.root.id): Promise<RegionRankingRow[]> =>
  (await regionStandings(db, period, at, org, under)).ranked;

/** Something to rank a region by in the period: a ticket, a ticket to sign (提级办), or a 三单一函. */
export const hasActivity = (c: DepartmentCounts) => c.tickets + c.dispatched + c.escalations > 0;

/** Regions' counts as the ranking of those with activity and, apart, the names of those without. */
export function splitIdle(counts: readonly DepartmentCounts[], org: Org): { ranked: RegionRankingRow[]; idle: Array<{ id: string; name: string }> } {
  return {
    ranked: rankRegions(counts.filter(hasActivity), org),
    idle: counts.filter((c) => !hasActivity(c)).map((c) => ({ id: c.departmentId, name: org.region(c.departmentId)?.name ?? c.departmentId })),
  };
}

/** Department counts added up per region directly under `under` (every such region, with none too). */
export function regionCounts(counts: readonly DepartmentCounts[], org: Org, under: string): DepartmentCounts[] {
  const members = new Map(org.children(under).map((r) => [r.id, [] as DepartmentCounts[]]));
  for (const c of counts) {
    const child = org.childContaining(under, org.departmentRegion(c.departmentId));
    if (child) members.get(child.id)!.push(c);
  }
  return [...members].map(([id, list]) => sumCounts(id, list));
}

export const rankRegions = (counts: readonly DepartmentCounts[], org: Org): RegionRankingRow[] =>
  rankFigures(counts.map(figuresFromCounts)).map((f) => ({ ...f, name: org.region(f.departmentId)?.name ?? f.departmentId }));

/** Departments of one region (its own level; the regions below rank in regionRanking). */
export function regionDepartmentRanking(db: Db, period: Period, at: Date, org: Org, regionId: string): Promise<RankingRow[]> {
  return org.declared ? departmentRanking(db, period, at, undefined, org.departmentsIn([regionId])) : departmentRanking(db, period, at);
}

export interface RegionDaySummary {
  regionId: string;
  name: string;
  /** Received in the 24 hours before `at`. */
  received: number;
  /** Open, not paused, past the active deadline at `at`. */
  overdue: number;
  /** Open and 挂牌督办. */
  supervised: number;
}

/**
 * The city's 日调度 line per county: new, overdue and supervised tickets by the region they came
 * from (a ticket from before regions were configured: its department's region).
 */
export async function regionDaySummary(db: Db, org: Org, under: string, at: Date): Promise<RegionDaySummary[]> {
  const children = org.children(under);
  if (children.length === 0) return [];
  const from = new Date(at.getTime() - 86_400_000);
  const open = sql.join(OPEN_STATUSES.map((s) => sql.lit(s)));
  const rows = await db
    .selectFrom('tickets as t')
    .select([
      't.region_id',
      't.department_id',
      sql<number>`count(*) filter (where t.received_at >= ${from} and t.received_at < ${at})`.as('received'),
      sql<number>`count(*) filter (where t.status in (${open}) and t.paused_at is null and ${overdueCondition(at, 't')})`.as('overdue'),
      sql<number>`count(*) filter (where t.status in (${open}) and t.supervised)`.as('supervised'),
    ])
    .where((eb) => eb.or([eb('t.status', 'in', [...OPEN_STATUSES]), eb.and([eb('t.received_at', '>=', from), eb('t.received_at', '<', at)])]))
    .groupBy(['t.region_id', 't.department_id'])
    .execute();
  const out = new Map(children.map((r) => [r.id, { regionId: r.id, name: r.name, received: 0, overdue: 0, supervised: 0 }]));
  for (const r of rows) {
    const child = org.childContaining(under, r.region_id && org.region(r.region_id) ? r.region_id : org.departmentRegion(r.department_id));
    const s = child ? out.get(child.id) : undefined;
    if (!s) continue;
    s.received += Number(r.received);
    s.overdue += Number(r.overdue);
    s.supervised += Number(r.supervised);
  }
  return [...out.values()];
}

/** The lines the city's daily digest adds under its own figures. */
export function regionDigestLines(rows: RegionDaySummary[]): string {
  if (rows.length === 0) return '';
  return ['各地区（新受理｜超期｜挂牌督办）：', ...rows.map((r) => `${r.name}：${r.received}｜${r.overdue}｜${r.supervised}`)].join('\n');
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

/** The ranking of regions as a chat post (the department ranking keeps templates.ranking). */
export function regionRankingText(title: string, rows: RegionRankingRow[], idle: ReadonlyArray<{ name: string }> = []): string {
  const none = idle.length ? [`无工单（不参与排名）：${idle.map((r) => r.name).join('、')}`] : [];
  if (rows.length === 0) return idle.length ? [`【${title}】各地区本期均无工单。`, ...none].join('\n') : `【${title}】没有下级地区。`;
  return [
    `【${title}】各地区排名（签收及时率｜按时办结率｜办结率｜满意率）`,
    ...rows.map(
      (r, i) =>
        `${i + 1}. ${r.name}：${r.tickets} 件｜${pct(r.responseRate)}｜${pct(r.onTimeRate)}｜${pct(r.resolutionRate)}｜${pct(r.satisfactionRate)}｜重办 ${r.reopened}｜三单一函 ${r.escalations}`,
    ),
    ...none,
  ].join('\n');
}

/**
 * The 台账 a viewer asked for: `region` (one county, or the city), within their own scope; none
 * given, their whole scope. Null `region` in the answer means the whole deployment.
 */
export function ledgerScope(
  directory: { org: Org; scopeOf(v: Viewer): TicketScope },
  viewer: Viewer,
  region: string | undefined,
): { ok: true; region: { scope: TicketScope; name: string } | undefined } | { ok: false; status: 404; message: string } {
  const { org } = directory;
  const own = directory.scopeOf(viewer);
  const base = scopeRegion(own, org);
  if (region === undefined || region === '') {
    return { ok: true, region: own.kind === 'all' ? undefined : { scope: own, name: org.region(base)?.name ?? base } };
  }
  if (!org.region(region) || !org.within(region, base)) return { ok: false, status: 404, message: '没有这个地区，或它不在您的管辖范围内' };
  if (region === org.root.id) return { ok: true, region: undefined };
  return { ok: true, region: { scope: regionScope(region, org), name: org.region(region)!.name } };
}

/**
 * The group a report is asked for (`?group=`), if the viewer may have it: one of their region and
 * below, as /v1/directory lists them. Null alike for a group that does not exist and one of
 * another county, so the answer tells neither its name nor that it exists.
 */
export async function reportGroup(db: Db, org: Org, scope: TicketScope, groupId: string): Promise<{ id: string; name: string } | null> {
  if (scope.kind === 'none') return null;
  const row = await db.selectFrom('groups').select(['id', 'name', 'region']).where('id', '=', groupId).executeTakeFirst();
  if (!row || !org.within(org.groupRegion(row.region), scopeRegion(scope, org))) return null;
  return { id: row.id, name: row.name };
}

/**
 * The tickets a viewer's region-wide figures (the trend beside their ranking) are counted over:
 * their region and below, a clerk's the region of their department; undefined for the top level.
 */
export function reportRegionScope(org: Org, scope: TicketScope): TicketScope | undefined {
  if (scope.kind === 'none') return scope;
  const region = scopeRegion(scope, org);
  return region === org.root.id ? undefined : regionScope(region, org);
}
