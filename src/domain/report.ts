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
  /**
   * Signed (签收) by the sign deadline, among dispatched tickets whose signing is decided: signed
   * (on time or late), or unsigned past the deadline at the report's time. A ticket still within
   * its sign deadline is not late yet and is left out.
   */
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

/** What the figures are computed from; the database can count these directly. */
export interface DepartmentCounts {
  departmentId: string;
  tickets: number;
  dispatched: number;
  signedOnTime: number;
  /** Dispatched, not signed, and still within the sign deadline (or paused) at the report's time: not yet on time or late. */
  awaitingSign: number;
  resolved: number;
  onTime: number;
  rated: number;
  satisfied: number;
  reopened: number;
  escalations: number;
}

const COUNT_KEYS = ['tickets', 'dispatched', 'signedOnTime', 'awaitingSign', 'resolved', 'onTime', 'rated', 'satisfied', 'reopened', 'escalations'] as const;

/** Several departments' counts as one row (a county's, the whole city's), under `id`. */
export function sumCounts(id: string, counts: readonly DepartmentCounts[]): DepartmentCounts {
  const total: DepartmentCounts = { departmentId: id, tickets: 0, dispatched: 0, signedOnTime: 0, awaitingSign: 0, resolved: 0, onTime: 0, rated: 0, satisfied: 0, reopened: 0, escalations: 0 };
  for (const c of counts) for (const k of COUNT_KEYS) total[k] += c[k];
  return total;
}

/** `at`: the report's time — an unsigned ticket before its sign deadline then is not late yet. */
export function countFacts(departmentId: string, tickets: readonly TicketFacts[], at: Date): DepartmentCounts {
  const resolved = tickets.filter((t) => t.resolvedAt && RESOLVED.has(t.status));
  const signed = (t: TicketFacts) => !!t.claimedAt && !!t.dispatchedAt && t.claimedAt >= t.dispatchedAt;
  return {
    departmentId,
    tickets: tickets.length,
    dispatched: tickets.filter((t) => t.dispatchedAt).length,
    signedOnTime: tickets.filter((t) => signed(t) && t.signDueAt && t.claimedAt! <= t.signDueAt).length,
    awaitingSign: tickets.filter((t) => t.dispatchedAt && !signed(t) && t.status === 'dispatched' && (!t.signDueAt || t.signDueAt > at)).length,
    resolved: resolved.length,
    onTime: resolved.filter((t) => t.resolveDueAt && t.resolvedAt! <= t.resolveDueAt).length,
    rated: tickets.filter((t) => t.rating !== null).length,
    satisfied: tickets.filter((t) => t.rating !== null && t.rating >= 3).length,
    reopened: tickets.filter((t) => t.reopenCount > 0).length,
    escalations: tickets.reduce((n, t) => n + t.escalations, 0),
  };
}

/** The one place the rates and the weighted score are computed. */
export function figuresFromCounts(c: DepartmentCounts): DepartmentFigures {
  const f = {
    departmentId: c.departmentId,
    tickets: c.tickets,
    responseRate: ratio(c.signedOnTime, c.dispatched - c.awaitingSign),
    onTimeRate: ratio(c.onTime, c.resolved),
    resolutionRate: ratio(c.resolved, c.tickets),
    satisfactionRate: ratio(c.satisfied, c.rated),
    reopened: c.reopened,
    escalations: c.escalations,
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

export const departmentFigures = (departmentId: string, tickets: readonly TicketFacts[], at: Date): DepartmentFigures => figuresFromCounts(countFacts(departmentId, tickets, at));

/** Ranked best first; ties broken by fewer escalations, then by the department id. */
export function rankFigures(figures: DepartmentFigures[]): DepartmentFigures[] {
  return [...figures].sort((a, b) => b.score - a.score || a.escalations - b.escalations || a.departmentId.localeCompare(b.departmentId));
}

/**
 * Places for rows already in ranking order: equal figures share a place and the next place
 * skips (1, 2, 2, 4), so departments tied at nothing are all last together, not 2nd to 7th.
 */
export function rankPlaces(rows: ReadonlyArray<{ score: number; escalations: number }>): number[] {
  const places: number[] = [];
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    places.push(prev && prev.score === r.score && prev.escalations === r.escalations ? places[i - 1]! : i + 1);
  });
  return places;
}

export function rankDepartments(byDepartment: ReadonlyMap<string, readonly TicketFacts[]>, at: Date): DepartmentFigures[] {
  return rankFigures([...byDepartment.entries()].map(([id, ts]) => departmentFigures(id, ts, at)));
}

export const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
