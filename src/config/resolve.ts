import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from './load';
import type { GongzhiConfig } from './schema';
import type { Env } from './env';
import type { Logger } from '../logger';

// Apart from the runtime (src/bootstrap.ts), so a command-line command that only needs the
// configuration does not load the HTTP app, the console and its charts to get it.

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));

export async function resolveConfig(env: Env, logger: Logger): Promise<GongzhiConfig> {
  if (env.GONGZHI_CONFIG) return loadConfigFile(env.GONGZHI_CONFIG);
  if (env.NODE_ENV === 'production') {
    throw new Error('GONGZHI_CONFIG 未设置：生产环境必须指定配置文件（set GONGZHI_CONFIG to your deployment file）');
  }
  logger.warn('config.example', { path: EXAMPLE_CONFIG, hint: 'GONGZHI_CONFIG is not set: using the example county set-up' });
  if (!existsSync(EXAMPLE_CONFIG)) throw new Error(`example config missing at ${EXAMPLE_CONFIG}`);
  return loadConfigFile(EXAMPLE_CONFIG);
}
