import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type GongzhiConfig } from './schema';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** "${WECOM_GROUP_KEY}" in any string value is read from the environment, so secrets stay out of the file. */
function substituteEnv(value: unknown, env: Record<string, string | undefined>, path: string, missing: string[]): unknown {
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
  if (missing.length) throw new ConfigError(`配置文件 ${source} 引用了未设置的环境变量`, missing);
  const result = configSchema.safeParse(substituted);
  if (!result.success) throw new ConfigError(`配置文件 ${source} 有误`, formatZodIssues(result.error));
  return result.data;
}

