import { readFile } from 'node:fs/promises';
import type { GongzhiConfig } from './schema';
import { ConfigError, parseConfig } from './parse';

export { ConfigError, formatZodIssues, parseConfig } from './parse';

export async function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): Promise<GongzhiConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`无法读取配置文件 ${path}（GONGZHI_CONFIG）`, [(e as Error).message]);
  }
  return parseConfig(text, path, env);
}
