import type { Category, IssueType, Urgency } from './taxonomy';

export interface RoutingTable {
  dispatcher: string;
  categories: Partial<Record<Category, string>>;
  rules: Array<{
    category?: Category;
    type?: IssueType;
    urgency?: Urgency;
    region?: string;
    keywords?: string[];
    department: string;
  }>;
}

export interface RoutingInput {
  category: Category;
  type: IssueType;
  urgency: Urgency;
  text: string;
  region?: string | undefined;
}

/** First matching rule, else the category's department, else the dispatch office. */
export function routeTicket(table: RoutingTable, input: RoutingInput): { departmentId: string; rule: number | null } {
  for (const [i, r] of table.rules.entries()) {
    if (r.category && r.category !== input.category) continue;
    if (r.type && r.type !== input.type) continue;
    if (r.urgency && r.urgency !== input.urgency) continue;
    if (r.region && r.region !== input.region) continue;
    if (r.keywords && !r.keywords.some((k) => input.text.includes(k))) continue;
    return { departmentId: r.department, rule: i };
  }
  return { departmentId: table.categories[input.category] ?? table.dispatcher, rule: null };
}
