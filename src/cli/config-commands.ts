import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError, parseConfig } from '../config/parse';
import type { GongzhiConfig } from '../config/schema';
import { formatChange, summarizeChanges } from '../directory/diff';
import { PlatformSyncError } from '../directory/platform-sources';
import { formatIssue, pickDirectory } from '../directory/sections';
import { maskDirectorySecrets } from '../directory/secrets';
import { runDirectorySync } from '../directory/sync';
import { DirectoryConflictError } from '../repo/directory-store';
import type { Services } from '../services';
import type { CliResult } from './writes';

/**
 * `config import FILE [--apply]`, `config export [--out FILE]` and `directory sync --platform
 * wecom|dingtalk [--apply]`. They run like the other CLI writes (src/cli/writes.ts): in the
 * running server when it holds the embedded database, so the change is never lost and takes
 * effect at once; otherwise here, and the servers pick the new revision up within seconds.
 */

/**
 * Reads a file for import: a whole configuration file (validated whole, settings included) or
 * a directory file as `config export` writes it (validated with this deployment's settings).
 * "${VAR}" values are read from the environment either way.
 */
export async function readDirectoryFile(path: string, file: GongzhiConfig, env: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`无法读取文件 ${path}`, [(e as Error).message]);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`文件 ${path} 不是合法的 YAML/JSON`, [(e as Error).message]);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`文件 ${path} 应是一个映射（mapping）`, []);
  const whole = 'deployment' in data ? data : { deployment: file.deployment, ...data };
  // The text is JSON, which the YAML parser reads too: the messages name the user's own file.
  const parsed = parseConfig(JSON.stringify(whole), path, env);
  return pickDirectory(parsed as unknown as Record<string, unknown>);
}

const result = (code: number, out: string[], err: string[] = []): CliResult => ({ out, err, code });

/** Shows the difference to the current revision; with `apply`, writes it as the next one. */
export async function importDirectory(s: Services, w: { directory: Record<string, unknown>; apply: boolean; author: string; note: string }): Promise<CliResult> {
  const live = s.liveDirectory;
  await live.reload();
  let r;
  try {
    r = await live.write({ directory: w.directory, base: live.revision, author: w.author, source: 'import', note: w.note, dryRun: !w.apply });
  } catch (e) {
    if (e instanceof DirectoryConflictError) return result(1, [], [e.message]);
    throw e;
  }
  if (!r.ok) return result(1, [], [`目录无效，未导入（${r.issues.length} 处问题）：`, ...r.issues.map((i) => `  - ${formatIssue(i)}`)]);
  const lines = r.changes.map(formatChange);
  if (r.changes.length === 0) return result(0, [`与当前目录（版本 ${live.revision}）相同，无需导入`]);
  if (r.written) return result(0, [...lines, `已写入目录版本 ${r.revision}（${summarizeChanges(r.changes)}）；各实例几秒内生效`]);
  return result(0, [...lines, `预演（dry run）：${r.changes.length} 处变更（${summarizeChanges(r.changes)}），未写入。确认后加 --apply 写入版本 ${live.revision + 1}`]);
}

export async function exportDirectory(s: Services, now: Date): Promise<CliResult> {
  const live = s.liveDirectory;
  await live.reload();
  const header = `# 共治目录（directory）版本 ${live.revision}，导出于 ${now.toISOString()}\n# 导入：npm run cli -- config import 此文件 [--apply]。群机器人密钥只写引用（\${环境变量}）或遮盖（****末 4 位），导入时遮盖的密钥保持原值。\n`;
  return result(0, [(header + stringifyYaml(maskDirectorySecrets(live.snapshot), { lineWidth: 0 })).trimEnd()]);
}

export async function syncDirectoryFromPlatform(s: Services, w: { platform: 'wecom' | 'dingtalk'; apply: boolean; author: string }): Promise<CliResult> {
  const source = s.directorySources.find((x) => x.platform === w.platform);
  if (!source) {
    const need = w.platform === 'wecom' ? 'WECOM_CORP_ID 和 WECOM_CONTACTS_SECRET（或 WECOM_APP_SECRET）' : 'DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET';
    return result(1, [], [`未配置${w.platform === 'wecom' ? '企业微信' : '钉钉'}通讯录凭据：请设置 ${need}`]);
  }
  await s.liveDirectory.reload();
  try {
    const { plan, result: r } = await runDirectorySync(s.db, s.liveDirectory, source, { apply: w.apply, author: w.author });
    if (!r.ok) return result(1, plan.notes, ['同步结果未通过校验，未写入：', ...r.issues.map((i) => `  - ${formatIssue(i)}`)]);
    const lines = [...r.changes.map(formatChange), ...plan.notes.map((n) => `! ${n}`)];
    if (r.changes.length === 0) return result(0, [...lines, '通讯录与目录一致，没有变更']);
    if (r.written) return result(0, [...lines, `已写入目录版本 ${r.revision}（${summarizeChanges(r.changes)}）`]);
    return result(0, [...lines, `预演（dry run）：${r.changes.length} 处变更，未写入。确认后加 --apply`]);
  } catch (e) {
    if (e instanceof PlatformSyncError || e instanceof DirectoryConflictError) return result(1, [], [e.message]);
    throw e;
  }
}
