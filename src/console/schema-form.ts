import type { z } from 'zod';
import { configSchema } from '../config/schema';
import { DIRECTORY_SECTIONS, sectionLabel, type DirectoryIssue, type DirectorySnapshot } from '../directory/sections';

/**
 * Console forms made from the configuration schema itself, so a field added to a department,
 * a staff member or a group (a region, say) appears on its form without the console naming it.
 * Simple fields get inputs; anything nested beyond one level is edited as YAML.
 */

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  in?: z.ZodType;
}
const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Optional, default and pipe wrappers removed, and whether the field may be left empty. */
function unwrap(s: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let optional = false;
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'prefault' || d.type === 'nullable') {
      optional = true;
      cur = d.innerType!;
    } else if (d.type === 'pipe' && d.in) cur = d.in;
    else return { schema: cur, optional };
  }
}

export type FieldKind =
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'list'; options?: string[] }
  | { kind: 'record'; keys: string[] }
  | { kind: 'yaml' };
export type Field = FieldKind & { name: string; optional: boolean };

function fieldOf(name: string, s: z.ZodType): Field {
  const { schema, optional } = unwrap(s);
  const d = def(schema);
  const base = { name, optional };
  if (d.type === 'string') return { ...base, kind: 'text' };
  if (d.type === 'number') return { ...base, kind: 'number' };
  if (d.type === 'boolean') return { ...base, kind: 'boolean' };
  if (d.type === 'enum') return { ...base, kind: 'enum', options: Object.values(d.entries ?? {}) };
  if (d.type === 'array') {
    const el = def(unwrap(d.element!).schema);
    if (el.type === 'string') return { ...base, kind: 'list' };
    if (el.type === 'enum') return { ...base, kind: 'list', options: Object.values(el.entries ?? {}) };
  }
  if (d.type === 'record') {
    const k = def(unwrap(d.keyType!).schema);
    const v = def(unwrap(d.valueType!).schema);
    if (k.type === 'enum' && v.type === 'string') return { ...base, kind: 'record', keys: Object.values(k.entries ?? {}) };
  }
  return { ...base, kind: 'yaml' };
}

/** A list of entries the console edits one by one: a section (staff) or a list inside one (routing.rules). */
export interface ListDef {
  key: string;
  section: string;
  sub?: string;
  label: string;
  /** Entries carry an `id`; otherwise they are addressed by position (1-based). */
  keyed: boolean;
  fields: Field[];
}

/** An object section's own fields (routing: dispatcher, categories). */
export interface ObjectDef {
  section: string;
  label: string;
  fields: Field[];
}

const isObjectArray = (s: z.ZodType) => {
  const { schema } = unwrap(s);
  const d = def(schema);
  return d.type === 'array' && def(unwrap(d.element!).schema).type === 'object';
};
const objectShape = (s: z.ZodType): Record<string, z.ZodType> => def(unwrap(s).schema).shape ?? {};
const elementShape = (s: z.ZodType) => objectShape(def(unwrap(s).schema).element!);

const SUB_LABELS: Record<string, string> = { 'routing.rules': '分派规则（关键词）' };

function buildDefs(): { lists: ListDef[]; objects: ObjectDef[] } {
  const shape = configSchema.shape as unknown as Record<string, z.ZodType>;
  const lists: ListDef[] = [];
  const objects: ObjectDef[] = [];
  for (const section of DIRECTORY_SECTIONS) {
    const s = shape[section]!;
    if (isObjectArray(s)) {
      const el = elementShape(s);
      lists.push({ key: section, section, label: sectionLabel(section), keyed: 'id' in el, fields: Object.entries(el).map(([n, f]) => fieldOf(n, f)) });
    } else if (def(unwrap(s).schema).type === 'object') {
      const own: Field[] = [];
      for (const [name, f] of Object.entries(objectShape(s))) {
        if (isObjectArray(f)) {
          const el = elementShape(f);
          const key = `${section}.${name}`;
          lists.push({ key, section, sub: name, label: SUB_LABELS[key] ?? `${sectionLabel(section)} · ${name}`, keyed: 'id' in el, fields: Object.entries(el).map(([n, x]) => fieldOf(n, x)) });
        } else own.push(fieldOf(name, f));
      }
      objects.push({ section, label: sectionLabel(section), fields: own });
    }
  }
  return { lists, objects };
}

export const DIRECTORY_FORMS = buildDefs();
export const listDef = (key: string) => DIRECTORY_FORMS.lists.find((l) => l.key === key) ?? null;
export const objectDef = (section: string) => DIRECTORY_FORMS.objects.find((o) => o.section === section) ?? null;

type Entry = Record<string, unknown>;

export function listItems(snapshot: DirectorySnapshot, l: ListDef): Entry[] {
  const top = snapshot[l.section];
  const value = l.sub ? (top as Entry | undefined)?.[l.sub] : top;
  return Array.isArray(value) ? (value as Entry[]) : [];
}

export function withListItems(snapshot: DirectorySnapshot, l: ListDef, items: Entry[]): DirectorySnapshot {
  if (!l.sub) return { ...snapshot, [l.section]: items };
  return { ...snapshot, [l.section]: { ...((snapshot[l.section] as Entry | undefined) ?? {}), [l.sub]: items } };
}

/** The position of an entry: by id, or `#n` / `n` for lists without ids. */
export function findItem(items: Entry[], l: ListDef, key: string): number {
  if (l.keyed) return items.findIndex((x) => x.id === key);
  const n = Number(key.replace(/^#/, ''));
  return Number.isInteger(n) && n >= 1 && n <= items.length ? n - 1 : -1;
}

export const itemKey = (l: ListDef, item: Entry, index: number) => (l.keyed ? String(item.id) : String(index + 1));

/** Where a list's entries sit in an issue path: ['staff', 3, …] or ['routing', 'rules', 2, …]. */
export const listPathPrefix = (l: ListDef): (string | number)[] => (l.sub ? [l.section, l.sub] : [l.section]);

/** Issues about one entry, by field; the rest (cross-references elsewhere) for the summary. */
export function issuesFor(issues: DirectoryIssue[], prefix: (string | number)[], index: number | null): { byField: Map<string, string[]>; other: string[] } {
  const byField = new Map<string, string[]>();
  const other: string[] = [];
  const p = index === null ? prefix : [...prefix, index];
  for (const i of issues) {
    const mine = p.every((x, n) => i.path[n] === x);
    if (mine && i.path.length > p.length) {
      const field = String(i.path[p.length]);
      byField.set(field, [...(byField.get(field) ?? []), i.message]);
    } else {
      other.push(`${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    }
  }
  return { byField, other };
}

type FormBody = Record<string, string | File | (string | File)[]>;
const str = (v: FormBody[string] | undefined) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v.find((x) => typeof x === 'string') ?? '') : '');

/**
 * A submitted form as an entry. Nothing is checked here beyond turning text into the field's
 * shape: the directory's schema checks the result, and every problem comes back at once.
 */
export function parseFields(fields: Field[], body: FormBody, parseYaml: (text: string) => unknown): { value: Entry; yamlErrors: DirectoryIssue[] } {
  const value: Entry = {};
  const yamlErrors: DirectoryIssue[] = [];
  for (const f of fields) {
    const raw = str(body[f.name]).trim();
    switch (f.kind) {
      case 'text':
      case 'enum':
        if (raw !== '' || !f.optional) value[f.name] = raw;
        break;
      case 'number':
        if (raw !== '') value[f.name] = Number(raw);
        break;
      case 'boolean':
        value[f.name] = str(body[f.name]) === 'on' || str(body[f.name]) === 'true';
        break;
      case 'list': {
        const items = raw.split(/[\n,，、;；]+/).map((x) => x.trim()).filter(Boolean);
        if (items.length || !f.optional) value[f.name] = items;
        break;
      }
      case 'record': {
        const rec: Record<string, string> = {};
        for (const k of f.keys) {
          const v = str(body[`${f.name}.${k}`]).trim();
          if (v) rec[k] = v;
        }
        if (Object.keys(rec).length || !f.optional) value[f.name] = rec;
        break;
      }
      case 'yaml':
        if (raw === '') break;
        try {
          value[f.name] = parseYaml(raw);
        } catch (e) {
          yamlErrors.push({ path: [f.name], message: `不是合法的 YAML：${(e as Error).message.split('\n')[0]}` });
        }
        break;
    }
  }
  return { value, yamlErrors };
}
