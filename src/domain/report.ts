// Department performance for the 日调度、周总结、月通报. Pure arithmetic over ticket facts.

export interface TicketFacts {
  departmentId: string | null;
  status: string;
  dispatchedAt: Date | null;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  signDueAt: Date | null;
  resolveDueAt: Date | null;
  rating: number | null;
  reopenCount: number;
  escalations: number;
}

export interface DepartmentFigures {
  departmentId: string;
  tickets: number;
  /** Signed (签收) by the sign deadline, among tickets dispatched to the department. */
  responseRate: number | null;
  /** Resolved by the resolve deadline, among resolved tickets. */
  onTimeRate: number | null;
  /** Resolved (办结 or closed after a resolution), among all tickets. */
  resolutionRate: number | null;
  /** Rated 3–5 (基本满意 or better), among rated tickets. */
  satisfactionRate: number | null;
  reopened: number;
  escalations: number;
  /** Weighted: 20% response, 30% on time, 20% resolution, 30% satisfaction; missing parts are left out. */
  score: number;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
const RESOLVED = new Set(['resolved', 'closed', 'awaiting_confirmation']);

export function departmentFigures(departmentId: string, tickets: readonly TicketFacts[]): DepartmentFigures {
  const dispatched = tickets.filter((t) => t.dispatchedAt);
  const signedOnTime = dispatched.filter((t) => t.claimedAt && t.signDueAt && t.claimedAt <= t.signDueAt).length;
  const resolved = tickets.filter((t) => t.resolvedAt && RESOLVED.has(t.status));
  const onTime = resolved.filter((t) => t.resolveDueAt && t.resolvedAt! <= t.resolveDueAt).length;
  const rated = tickets.filter((t) => t.rating !== null);
  const satisfied = rated.filter((t) => t.rating! >= 3).length;
  const f = {
    departmentId,
    tickets: tickets.length,
    responseRate: ratio(signedOnTime, dispatched.length),
    onTimeRate: ratio(onTime, resolved.length),
    resolutionRate: ratio(resolved.length, tickets.length),
    satisfactionRate: ratio(satisfied, rated.length),
    reopened: tickets.reduce((n, t) => n + (t.reopenCount > 0 ? 1 : 0), 0),
    escalations: tickets.reduce((n, t) => n + t.escalations, 0),
  };
  const parts: Array<[number | null, number]> = [
    [f.responseRate, 0.2],
    [f.onTimeRate, 0.3],
    [f.resolutionRate, 0.2],
    [f.satisfactionRate, 0.3],
  ];
  const present = parts.filter((p): p is [number, number] => p[0] !== null);
  const weight = present.reduce((s, p) => s + p[1], 0);
  const score = weight === 0 ? 0 : present.reduce((s, [v, w]) => s + v * w, 0) / weight;
  return { ...f, score: Math.round(score * 1000) / 1000 };
}

/** Ranked best first; ties broken by fewer escalations, then by name order of the id. */
export function rankDepartments(byDepartment: ReadonlyMap<string, readonly TicketFacts[]>): DepartmentFigures[] {
  return [...byDepartment.entries()]
    .map(([id, ts]) => departmentFigures(id, ts))
    .sort((a, b) => b.score - a.score || a.escalations - b.escalations || a.departmentId.localeCompare(b.departmentId));
}

export const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
