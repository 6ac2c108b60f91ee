import { sectionLabel, type DirectorySnapshot } from './sections';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** One difference between two directories, keyed by section and entry id (or rule position). */
export interface DirectoryChange {
  section: string;
  /** The entry's id, `rules#2` for an entry without one, or the field of an object section. */
  key: string;
  op: 'added' | 'removed' | 'changed';
  /** The entry's name, when it has one, so a reader need not know the ids. */
  name?: string;
  fields?: FieldChange[];
}

// Key order carries no meaning (jsonb stores keys in its own order): compare canonically.
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
const json = (v: unknown) => JSON.stringify(canonical(v ?? null));
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const hasIds = (list: unknown[]) => list.every((x) => isObject(x) && typeof x.id === 'string');
const nameOf = (v: unknown) => (isObject(v) && typeof v.name === 'string' ? v.name : undefined);

/** Field-level differences of two entries; nested objects (accounts, outbound) one level down. */
function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ''): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[field];
    const a = after[field];
    if (json(b) === json(a)) continue;
    // Accounts and the like one level down; a tagged union (outbound) as a whole.
    if (!prefix && (isObject(b) || isObject(a)) && !(isObject(a) && 'kind' in a) && !(isObject(b) && 'kind' in b)) {
      out.push(...diffFields(isObject(b) ? b : {}, isObject(a) ? a : {}, `${field}.`));
    } else {
      out.push({ field: prefix + field, before: b, after: a });
    }
  }
  return out;
}

function diffList(section: string, prefix: string, before: unknown[], after: unknown[], out: DirectoryChange[]): void {
  if (hasIds(before) && hasIds(after)) {
    const b = new Map(before.map((x) => [(x as { id: string }).id, x as Record<string, unknown>]));
    const a = new Map(after.map((x) => [(x as { id: string }).id, x as Record<string, unknown>]));
    for (const [id, item] of a) {
      const old = b.get(id);
      const name = nameOf(item);
      if (!old) out.push({ section, key: prefix + id, op: 'added', ...(name ? { name } : {}), fields: diffFields({}, item) });
      else if (json(old) !== json(item)) out.push({ section, key: prefix + id, op: 'changed', ...(name ? { name } : {}), fields: diffFields(old, item) });
    }
    for (const [id, item] of b) {
      const name = nameOf(item);
      if (!a.has(id)) out.push({ section, key: prefix + id, op: 'removed', ...(name ? { name } : {}) });
    }
    return;
  }
  // Entries without ids (routing rules): matched by content; what is left over at the same
  // position was edited, the rest was removed or added.
  const asObject = (x: unknown) => (isObject(x) ? x : { value: x });
  const left = after.map(json);
  const removed = new Map<number, unknown>();
  before.forEach((item, i) => {
    const at = left.indexOf(json(item));
    if (at >= 0) left[at] = '\u0000';
    else removed.set(i, item);
  });
  after.forEach((item, i) => {
    if (left[i] === '\u0000') return;
    if (removed.has(i)) {
      out.push({ section, key: `${prefix}#${i + 1}`, op: 'changed', fields: diffFields(asObject(removed.get(i)), asObject(item)) });
      removed.delete(i);
    } else out.push({ section, key: `${prefix}#${i + 1}`, op: 'added', fields: diffFields({}, asObject(item)) });
  });
  for (const [i, item] of removed) out.push({ section, key: `${prefix}#${i + 1}`, op: 'removed', fields: diffFields(asObject(item), {}) });
}

/** What changed from one directory to the next, section by section, in a stable order. */
export function diffDirectory(before: DirectorySnapshot, after: DirectorySnapshot): DirectoryChange[] {
  const out: DirectoryChange[] = [];
  for (const section of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[section];
    const a = after[section];
    if (json(b) === json(a)) continue;
    if (Array.isArray(b) || Array.isArray(a)) {
      diffList(section, '', Array.isArray(b) ? b : [], Array.isArray(a) ? a : [], out);
    } else if (isObject(b) || isObject(a)) {
      const bo = isObject(b) ? b : {};
      const ao = isObject(a) ? a : {};
      for (const key of new Set([...Object.keys(bo), ...Object.keys(ao)])) {
        if (json(bo[key]) === json(ao[key])) continue;
        if (Array.isArray(bo[key]) || Array.isArray(ao[key])) {
          diffList(section, `${key}`, Array.isArray(bo[key]) ? (bo[key] as unknown[]) : [], Array.isArray(ao[key]) ? (ao[key] as unknown[]) : [], out);
        } else {
          const fields = isObject(bo[key]) || isObject(ao[key]) ? diffFields(isObject(bo[key]) ? (bo[key] as Record<string, unknown>) : {}, isObject(ao[key]) ? (ao[key] as Record<string, unknown>) : {}) : [{ field: key, before: bo[key], after: ao[key] }];
          out.push({ section, key, op: 'changed', fields: fields.map((f) => (f.field === key ? f : { ...f, field: `${key}.${f.field}` })) });
        }
      }
    } else {
      out.push({ section, key: section, op: 'changed', fields: [{ field: section, before: b, after: a }] });
    }
  }
  return out;
}

// Group robot keys and tokens are secrets: the history says that they changed, never what to.
const SECRET_FIELD = /(^|\.)(key|secret|accessToken|token)$/i;

export function showValue(field: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '（无）';
  if (SECRET_FIELD.test(field)) return '••••';
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('、') : '（无）';
  if (isObject(v)) return JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_FIELD.test(k) ? '••••' : x])));
  return String(v);
}

/** One line per change, e.g. `~ 工作人员 zhaolei（赵磊）：department yingshang → gongdian`. */
export function formatChange(c: DirectoryChange): string {
  const sign = c.op === 'added' ? '+' : c.op === 'removed' ? '-' : '~';
  const head = `${sign} ${sectionLabel(c.section)} ${c.key}${c.name ? `（${c.name}）` : ''}`;
  if (c.op === 'removed' || !c.fields?.length) return head;
  if (c.op === 'added') return `${head}：${c.fields.filter((f) => f.field !== 'id').map((f) => `${f.field}=${showValue(f.field, f.after)}`).join('，')}`;
  return `${head}：${c.fields.map((f) => `${f.field} ${showValue(f.field, f.before)} → ${showValue(f.field, f.after)}`).join('；')}`;
}

/** A short summary for the history list: "工作人员 +1 ~2，分派规则 ~1". */
export function summarizeChanges(changes: DirectoryChange[]): string {
  if (!changes.length) return '无变化';
  const by = new Map<string, { added: number; removed: number; changed: number }>();
  for (const c of changes) {
    const s = by.get(c.section) ?? { added: 0, removed: 0, changed: 0 };
    s[c.op]++;
    by.set(c.section, s);
  }
  return [...by].map(([section, s]) => `${sectionLabel(section)}${s.added ? ` +${s.added}` : ''}${s.changed ? ` ~${s.changed}` : ''}${s.removed ? ` -${s.removed}` : ''}`).join('，');
}
