import { configSchema, type GongzhiConfig } from '../config/schema';

/**
 * The directory: who works where, which chat is which, where tickets go, what the bot answers.
 * These sections live in the database with a history; every other key of the configuration
 * (deployment, classifier, SLA, digests, webhooks, photos…) is a setting and stays in the file.
 * Whatever fields the schema gives these sections (a region on a department…) are stored and
 * edited without this module naming them.
 */
const DIRECTORY_KEYS = ['departments', 'staff', 'groups', 'routing', 'faq', 'regions'];

export const DIRECTORY_SECTIONS: readonly string[] = DIRECTORY_KEYS.filter((k) => k in configSchema.shape);

/** Readable names for the history and the console; a section without one shows its key. */
export const SECTION_LABELS: Record<string, string> = {
  departments: '部门',
  staff: '工作人员',
  groups: '群',
  routing: '分派规则',
  faq: '知识库',
  regions: '区域',
};
export const sectionLabel = (key: string) => SECTION_LABELS[key] ?? key;

/** The directory part of a configuration, as validated (defaults filled in). */
export type DirectorySnapshot = Record<string, unknown>;

export interface DirectoryIssue {
  path: (string | number)[];
  message: string;
}

export function pickDirectory(source: Record<string, unknown>): DirectorySnapshot {
  const out: DirectorySnapshot = {};
  for (const k of DIRECTORY_SECTIONS) if (source[k] !== undefined) out[k] = source[k];
  return out;
}

/**
 * Validates a directory with the very schema the YAML goes through, cross-reference checks
 * included, and returns every problem at once (not only the first). The checks look at the
 * directory and at `deployment` (ticket prefixes): the running deployment's is used when given.
 * The other settings never refer to the directory, so their defaults stand in for them.
 */
export function validateDirectory(
  input: Record<string, unknown>,
  settings?: Pick<GongzhiConfig, 'deployment'>,
): { ok: true; directory: DirectorySnapshot } | { ok: false; issues: DirectoryIssue[] } {
  const result = configSchema.safeParse({ deployment: settings?.deployment ?? { name: '-' }, ...pickDirectory(input) });
  if (result.success) return { ok: true, directory: pickDirectory(result.data as unknown as Record<string, unknown>) };
  return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })) };
}

/** The configuration the server runs with: the file's settings and the database's directory. */
export function composeConfig(settings: GongzhiConfig, directory: DirectorySnapshot): GongzhiConfig {
  return { ...settings, ...directory } as GongzhiConfig;
}

export const formatIssue = (i: DirectoryIssue) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`;
