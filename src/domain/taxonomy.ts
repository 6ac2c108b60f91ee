import { z } from 'zod';

// Codes are stable identifiers (../shared/taxonomy.md); Chinese names are for people.
export const ISSUE_TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion'] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];

export const CATEGORIES = [
  'approval',
  'construction',
  'utilities',
  'property',
  'tax',
  'finance',
  'policy',
  'labor',
  'enforcement',
  'fees',
  'payment',
  'procurement',
  'legal',
  'conduct',
  'environment',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ['urgent', 'normal'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const issueTypeSchema = z.enum(ISSUE_TYPES);
export const categorySchema = z.enum(CATEGORIES);
export const urgencySchema = z.enum(URGENCIES);

export const ISSUE_TYPE_NAMES: Record<IssueType, string> = {
  consult: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
};

export const CATEGORY_NAMES: Record<Category, string> = {
  approval: '政务服务与行政审批',
  construction: '工程建设项目审批',
  utilities: '水电气暖网',
  property: '不动产登记与用地',
  tax: '税费服务',
  finance: '融资信贷',
  policy: '惠企政策兑现',
  labor: '用工与人才',
  enforcement: '涉企执法与监管',
  fees: '涉企收费',
  payment: '拖欠账款',
  procurement: '政府采购与招投标',
  legal: '法治与商业纠纷',
  conduct: '干部作风',
  environment: '周边环境与配套',
  other: '其他',
};

export const URGENCY_NAMES: Record<Urgency, string> = { urgent: '紧急', normal: '一般' };

/** What a dispatcher types for a category: the code, the Chinese name, or a unique part of it. */
export function matchCategory(query: string): Category | null {
  const q = query.trim().toLowerCase();
  if ((CATEGORIES as readonly string[]).includes(q)) return q as Category;
  const hits = CATEGORIES.filter((c) => CATEGORY_NAMES[c] === query || CATEGORY_NAMES[c].includes(query.trim()));
  return hits.length === 1 ? hits[0]! : null;
}

export function matchIssueType(query: string): IssueType | null {
  const q = query.trim().toLowerCase();
  if ((ISSUE_TYPES as readonly string[]).includes(q)) return q as IssueType;
  return ISSUE_TYPES.find((t) => ISSUE_TYPE_NAMES[t] === query.trim()) ?? null;
}
