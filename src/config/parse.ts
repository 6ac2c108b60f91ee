import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type GongzhiConfig } from './schema';
import { GROUP_SECRET_FIELDS, groupKeyReferenceProblem, isSecretReference, resolveSecret, unsetVariableMessage } from '../directory/secrets';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Group robot keys written as one "${VAR}" stay references: the directory stores them so (never
 * the secret, src/directory/secrets.ts) and the sender reads the variable for each post. The
 * variable must still be set at start.
 */
const GROUP_SECRET_PATH = new RegExp(`^groups\\[\\d+\\]\\.outbound\\.(${GROUP_SECRET_FIELDS.join('|')})$`);

/** "${WECOM_GROUP_KEY}" in any string value is read from the environment, so secrets stay out of the file. */
function substituteEnv(value: unknown, env: Record<string, string | undefined>, path: string, missing: string[]): unknown {
  if (typeof value === 'string' && GROUP_SECRET_PATH.test(path) && isSecretReference(value)) {
    // The sender's own reading (only GONGZHI_GROUP_KEY_*, set and not blank), checked at start.
    const read = resolveSecret(value, env);
    if (!read.ok) missing.push(`${path}: ${groupKeyReferenceProblem(value) ?? unsetVariableMessage(read.variable)}`);
    return value;
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        missing.push(`${path}: 环境变量 ${name} 未设置（environment variable ${name} is not set）`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k, missing)]),
    );
  }
  return value;
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

export function parseConfig(text: string, source: string, env: Record<string, string | undefined> = process.env): GongzhiConfig {
  let data: unknown;
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`配置文件 ${source} 不是合法的 YAML/JSON`, [(e as Error).message]);
  }
  const missing: string[] = [];
  const substituted = substituteEnv(data, env, '', missing);
  if (missing.length) throw new ConfigError(`配置文件 ${source} 引用了未设置或不允许的环境变量`, missing);
  const result = configSchema.safeParse(substituted);
  if (!result.success) throw new ConfigError(`配置文件 ${source} 有误`, [...formatZodIssues(result.error), ...referenceIssuesDespite(substituted, result.error)]);
  return result.data;
}

/**
 * Cross-reference checks (unknown departments, duplicates) run only on data that passed the
 * schema, so a file with a type error would report its references one round later. Set the bad
 * values aside and check the rest, so `config check` lists both kinds at once.
 */
function referenceIssuesDespite(data: unknown, error: z.ZodError): string[] {
  if (error.issues.some((i) => i.code === 'custom')) return []; // the references were checked already
  const copy = structuredClone(data) as Record<string, unknown>;
  const removed: PropertyKey[][] = [];
  let issues = error.issues;
  for (let round = 0; round < 5; round++) {
    for (const i of issues) {
      if (i.path.length === 0) return [];
      const parent = i.path.slice(0, -1).reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), copy);
      if (!parent || typeof parent !== 'object') return [];
      delete (parent as Record<PropertyKey, unknown>)[i.path.at(-1)!];
      removed.push(i.path);
    }
    const again = configSchema.safeParse(copy);
    if (again.success) return [];
    const custom = again.error.issues.filter((i) => i.code === 'custom' && !removed.some((r) => r.every((k, n) => i.path[n] === k)));
    if (custom.length) return formatZodIssues(new z.ZodError(custom));
    issues = again.error.issues;
  }
  return [];
}

