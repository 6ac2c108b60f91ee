import type { DirectoryIssue, DirectorySnapshot } from './sections';

/**
 * Group robot keys (WeCom message-push `key`, DingTalk custom robot `accessToken` and `secret`)
 * are stored in the directory as written: `${ENV_VAR}` stays a reference, resolved from the
 * environment only when a post is sent, so revisions, the groups table, exports and the console
 * never hold the secret. A key written out (older revisions resolved references when seeding)
 * is shown masked, last 4 characters only; a masked value sent back keeps the stored key.
 */
export const GROUP_SECRET_FIELDS = ['key', 'accessToken', 'secret'] as const;

/** A whole value that is one reference: `${WECOM_GROUP_KEY}`. */
const REFERENCE = /^\$\{([A-Z0-9_]+)\}$/;
const MASK_PREFIX = '****';
/** Below this a key's last 4 characters say too much of it: fully masked. */
const SHOW_TAIL_FROM = 12;

export const isSecretReference = (v: string) => REFERENCE.test(v);

/**
 * The only variables a group key may name. Whoever edits the directory (a console admin, an
 * import) must not be able to make the server send its own secrets — GONGZHI_SESSION_SECRET,
 * DATABASE_URL, WECOM_APP_SECRET… — as a group's `?key=` to the platform or the egress proxy,
 * whose access logs keep query strings: group keys get a namespace of their own, which no
 * setting of the app itself uses.
 */
export const GROUP_KEY_PREFIX = 'GONGZHI_GROUP_KEY_';
export const GROUP_KEY_RULE = `群机器人密钥只能引用以 ${GROUP_KEY_PREFIX} 开头的环境变量，如 \${${GROUP_KEY_PREFIX}COUNTY}（a group key may only name a variable starting with ${GROUP_KEY_PREFIX}, e.g. \${${GROUP_KEY_PREFIX}COUNTY}）`;
const groupKeyVariable = (name: string) => name.startsWith(GROUP_KEY_PREFIX) && name.length > GROUP_KEY_PREFIX.length;

/** Why a group key reference may not be used (a variable outside GONGZHI_GROUP_KEY_*); null when it may, or is no reference. */
export function groupKeyReferenceProblem(v: string): string | null {
  const m = REFERENCE.exec(v);
  return m && !groupKeyVariable(m[1]!) ? `\${${m[1]!}}：${GROUP_KEY_RULE}` : null;
}

/** The reference as it is; a written-out key as `****` and its last 4 characters. */
export function maskSecret(v: string): string {
  if (isSecretReference(v)) return v;
  return MASK_PREFIX + (v.length >= SHOW_TAIL_FROM ? v.slice(-4) : '');
}

const isMasked = (v: string) => v.startsWith(MASK_PREFIX);

/**
 * `${GONGZHI_GROUP_KEY_…}` read from `env`; anything else is the key itself. A reference to any
 * other variable (a revision stored before the rule) is never read: `problem` says why.
 */
export function resolveSecret(v: string, env: Record<string, string | undefined>): { ok: true; value: string } | { ok: false; variable: string; problem: string } {
  const m = REFERENCE.exec(v);
  if (!m) return { ok: true, value: v };
  const variable = m[1]!;
  if (!groupKeyVariable(variable)) return { ok: false, variable, problem: GROUP_KEY_RULE };
  const value = env[variable];
  // Blank is unset, as for the platform variables: an env file's `GONGZHI_GROUP_KEY_X= ` is no key.
  return value?.trim() ? { ok: true, value } : { ok: false, variable, problem: `set ${variable}: the group refers to it` };
}

/** The start-up check's words for a variable that is unset or blank. */
export const unsetVariableMessage = (variable: string) => `环境变量 ${variable} 未设置（environment variable ${variable} is not set）`;

/**
 * The GONGZHI_GROUP_KEY_* variable `v` names when `env` has no value for it (unset or blank),
 * read as the sender reads it; null for a key written out, a variable that is set, and a name
 * outside the rule (groupKeyReferenceProblem says why that one is refused).
 */
export function unsetGroupKeyVariable(v: string, env: Record<string, string | undefined>): string | null {
  const read = resolveSecret(v, env);
  return read.ok || groupKeyReferenceProblem(v) ? null : read.variable;
}

type Entry = Record<string, unknown>;
const isObject = (v: unknown): v is Entry => !!v && typeof v === 'object' && !Array.isArray(v);

function mapGroupSecrets(snapshot: DirectorySnapshot, f: (value: string, group: Entry, field: string, index: number) => string): DirectorySnapshot {
  const groups = snapshot.groups;
  if (!Array.isArray(groups)) return snapshot;
  return {
    ...snapshot,
    groups: groups.map((g: unknown, i) => {
      if (!isObject(g) || !isObject(g.outbound)) return g;
      const outbound: Entry = { ...g.outbound };
      for (const field of GROUP_SECRET_FIELDS) if (typeof outbound[field] === 'string') outbound[field] = f(outbound[field], g, field, i);
      return { ...g, outbound };
    }),
  };
}

/** What an export or the console shows: references as written, keys masked. */
export const maskDirectorySecrets = (snapshot: DirectorySnapshot): DirectorySnapshot => mapGroupSecrets(snapshot, (v) => maskSecret(v));

/**
 * A write that sends a masked key back (an edited form, an imported export) keeps the key
 * stored for that group and field; a masked value that matches nothing stored is a problem
 * to show, never a key to store, and so is a reference outside GONGZHI_GROUP_KEY_*.
 */
export function restoreMaskedSecrets(next: DirectorySnapshot, current: DirectorySnapshot): { directory: DirectorySnapshot; issues: DirectoryIssue[] } {
  const issues: DirectoryIssue[] = [];
  const stored = new Map<string, Entry>();
  if (Array.isArray(current.groups)) for (const g of current.groups) if (isObject(g) && typeof g.id === 'string' && isObject(g.outbound)) stored.set(g.id, g.outbound);
  const directory = mapGroupSecrets(next, (v, g, field, i) => {
    const refused = groupKeyReferenceProblem(v);
    if (refused) issues.push({ path: ['groups', i, 'outbound', field], message: refused });
    if (!isMasked(v)) return v;
    const before = stored.get(String(g.id))?.[field];
    if (typeof before === 'string' && maskSecret(before) === v) return before;
    issues.push({ path: ['groups', i, 'outbound', field], message: `这是遮盖后的密钥，不能保存：请写成 \${${GROUP_KEY_PREFIX}…}（推荐）或填写完整密钥（a masked key: write \${${GROUP_KEY_PREFIX}…} or the whole key）` });
    return v;
  });
  return { directory, issues };
}
