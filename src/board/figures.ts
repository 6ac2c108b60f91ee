import type { BoardConfig, BoardFigure } from '../config/schema';
import type { Db } from '../db/database';
import { chinaDate } from '../domain/china-time';
import type { Org } from '../domain/regions';
import { figuresFromCounts, rankFigures, sumCounts, type DepartmentCounts } from '../domain/report';
import { departmentCounts, monthPeriod } from '../reports/queries';
import { hasActivity, regionCounts } from '../reports/regions';

// The public 晒单 board (亮晒比评): aggregate figures only. Nothing here carries a person, an
// enterprise, a phone number or a word of any ticket: department and region names and counts.

export interface BoardRow {
  /** Department or region id (stable codes from the configuration, not personal data). */
  id: string;
  name: string;
  /** The region a department belongs to (departments only, when regions are configured). */
  region?: string;
  received?: number;
  resolved?: number;
  responseRate?: number | null;
  onTimeRate?: number | null;
  resolutionRate?: number | null;
  score?: number;
  satisfactionRate?: number | null;
  reopened?: number;
  /** 三单一函 documents received. */
  ladderDocuments?: number;
}

export interface BoardMonth {
  month: string;
  /** Month to date (not final), or a closed month. */
  final: boolean;
  totals: BoardRow;
  departments?: BoardRow[];
  regions?: BoardRow[];
  /** Regions with no ticket in the month: not ranked (no rates to rank by), named apart as 无工单. */
  regionsWithoutTickets?: string[];
}

export interface BoardData {
  title: string;
  generatedAt: string;
  figures: BoardFigure[];
  months: BoardMonth[];
}

const previous = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * This month (to date) and the last closed month that may be published: last month from
 * `publishOnDay` on, before that the month before it (its figures were being checked).
 */
export function boardMonths(now: Date, publishOnDay: number): Array<{ month: string; final: boolean }> {
  const today = chinaDate(now);
  const current = today.slice(0, 7);
  const last = previous(current);
  const closed = Number(today.slice(8, 10)) >= publishOnDay ? last : previous(last);
  return [
    { month: current, final: false },
    { month: closed, final: true },
  ];
}

function row(c: DepartmentCounts, name: string, figures: ReadonlySet<BoardFigure>, region?: string): BoardRow {
  const f = figuresFromCounts(c);
  return {
    id: c.departmentId,
    name,
    ...(region ? { region } : {}),
    ...(figures.has('counts') ? { received: c.tickets, resolved: c.resolved } : {}),
    ...(figures.has('rates') ? { responseRate: f.responseRate, onTimeRate: f.onTimeRate, resolutionRate: f.resolutionRate, score: f.score, reopened: c.reopened } : {}),
    ...(figures.has('satisfaction') ? { satisfactionRate: f.satisfactionRate } : {}),
    ...(figures.has('ladder') ? { ladderDocuments: c.escalations } : {}),
  };
}

/** Rows in ranking order (score, then fewer documents, then id), whichever figures are public. */
function ranked(counts: DepartmentCounts[]): DepartmentCounts[] {
  const order = rankFigures(counts.map(figuresFromCounts)).map((f) => f.departmentId);
  const byId = new Map(counts.map((c) => [c.departmentId, c]));
  return order.map((id) => byId.get(id)!);
}


/** One database aggregate per month (the department counts), run side by side; regions and totals are added up from them. */
export async function boardData(db: Db, org: Org, board: BoardConfig, names: { deployment: string; department(id: string): string | null }, now: Date): Promise<BoardData> {
  const figures = new Set(board.figures);
  const months: BoardMonth[] = [];
  const periods = boardMonths(now, board.publishOnDay);
  // Both months at once: on PostgreSQL they run on two pooled connections.
  const perMonth = await Promise.all(periods.map((m) => departmentCounts(db, monthPeriod(m.month), { at: now })));
  for (const [i, m] of periods.entries()) {
    const counts = perMonth[i]!;
    const month: BoardMonth = { month: m.month, final: m.final, totals: row(sumCounts(org.root.id, counts), org.declared ? org.root.name : names.deployment, figures) };
    if (figures.has('departments')) {
      month.departments = ranked(counts).map((c) => row(c, names.department(c.departmentId) ?? c.departmentId, figures, org.declared ? org.region(org.departmentRegion(c.departmentId))?.name : undefined));
    }
    if (figures.has('regions') && org.children(org.root.id).length) {
      const regions = regionCounts(counts, org, org.root.id);
      month.regions = ranked(regions.filter(hasActivity)).map((c) => row(c, org.region(c.departmentId)?.name ?? c.departmentId, figures));
      month.regionsWithoutTickets = regions.filter((c) => !hasActivity(c)).map((c) => org.region(c.departmentId)?.name ?? c.departmentId);
    }
    months.push(month);
  }
  return { title: board.title ?? `${names.deployment} 晒单`, generatedAt: now.toISOString(), figures: board.figures, months };
}
