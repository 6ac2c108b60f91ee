import type { WorkCalendar } from './calendar';
import type { Category, IssueType, Urgency } from './taxonomy';

/** "1wd" = one working day, "2h" = two clock hours, "30m" = thirty minutes. */
export type SlaDuration = { workdays: number } | { minutes: number };

export function parseSlaDuration(s: string): SlaDuration | null {
  const m = /^(\d+(?:\.\d+)?)\s*(wd|h|m)$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  if (!(n > 0)) return null;
  if (m[2] === 'wd') return Number.isInteger(n) ? { workdays: n } : null;
  return { minutes: m[2] === 'h' ? n * 60 : n };
}

export interface SlaTerms {
  sign: SlaDuration;
  resolve: SlaDuration;
}

export interface SlaOverride {
  category?: Category;
  type?: IssueType;
  urgency?: Urgency;
  sign?: SlaDuration;
  resolve?: SlaDuration;
}

export interface SlaPolicy {
  normal: SlaTerms;
  urgent: SlaTerms;
  /** Most specific first; the first override that matches sets what it names. */
  overrides: SlaOverride[];
}

/** 12345 practice: sign within 1 working day and resolve within 5; urgent: sign within 2 hours. */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  normal: { sign: { workdays: 1 }, resolve: { workdays: 5 } },
  urgent: { sign: { minutes: 120 }, resolve: { workdays: 1 } },
  overrides: [],
};

export interface SlaFacts {
  type: IssueType;
  category: Category;
  urgency: Urgency;
}

export interface SlaClock {
  calendar: WorkCalendar;
  terms(facts: SlaFacts): SlaTerms;
  add(from: Date, d: SlaDuration): Date;
  dueDates(facts: SlaFacts, from: Date): { signDueAt: Date; resolveDueAt: Date };
}

export function createSlaClock(calendar: WorkCalendar, policy: SlaPolicy = DEFAULT_SLA_POLICY): SlaClock {
  const add = (from: Date, d: SlaDuration) =>
    'workdays' in d ? calendar.addWorkdays(from, d.workdays) : new Date(from.getTime() + d.minutes * 60_000);
  const terms = (f: SlaFacts): SlaTerms => {
    const base = { ...policy[f.urgency] };
    for (const o of policy.overrides) {
      if ((o.category && o.category !== f.category) || (o.type && o.type !== f.type) || (o.urgency && o.urgency !== f.urgency)) continue;
      return { sign: o.sign ?? base.sign, resolve: o.resolve ?? base.resolve };
    }
    return base;
  };
  return {
    calendar,
    terms,
    add,
    dueDates(facts, from) {
      const t = terms(facts);
      return { signDueAt: add(from, t.sign), resolveDueAt: add(from, t.resolve) };
    },
  };
}
