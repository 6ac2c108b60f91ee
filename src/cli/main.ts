import { parseEnv } from '../config/env';
import { createJsonLogger } from '../logger';
import type { DatabaseHandle } from '../db/database';
import type { Services } from '../services';
import { parseCheckpoint } from '../audit/canonical';
import { verifyChain } from '../audit/chain';
import { verifyReport } from '../audit/report';
import { verifyTicketStates } from '../audit/ticket-state';
import { acquireDataDirLock, liveHolder, type LockHolder } from '../db/data-dir-lock';
import type { CliResult, CliWrite } from './writes';

// Staff run these commands on phones over SSH: each command loads only what it uses (the
// services, the classifier's model, the HTTP client of the server's bridge…), not the server.
const USAGE = `用法 (usage): npm run -s cli -- <command>

  migrate                 运行数据库迁移（DATABASE_URL 或 DATA_DIR 下的 PGlite）
  config check FILE       校验配置文件，逐条列出错误字段
  config import FILE [--apply] [--note TEXT]   把文件（完整配置或导出的目录）与数据库中的目录比较，列出差异；加 --apply 写入新版本
  config export [--out FILE]   导出数据库中的当前目录（YAML）
  directory sync --platform wecom|dingtalk [--apply]   从企业微信/钉钉通讯录同步部门和人员（默认只预览差异）
  classify                从标准输入读 JSON 行 {"id","text"}，每行输出分类结果（autoDispatch：按本部署的 minConfidence 是否自动派单）
  outbox dead             列出投递失败（死信）的消息
  outbox resend ID        重新投递一条死信
  sweep                   立即执行一次时限检查（三单一函、评价期限）
  report daily [--date YYYY-MM-DD] [--group ID]   每日调度
  report monthly --month YYYY-MM [--group ID]      月度通报（承办单位排名）
  ledger --month YYYY-MM [--format xlsx|csv] [--region ID] --out FILE   导出台账（末尾附本月审计检查点；--region 只导出一个地区）
  audit verify [--from gz1:…]   核验工单事件审计链，并按事件历史核对每件工单的记录（状态、承办单位、时间、评价……）：都完好时退出码 0，否则指出第一个被改动的事件或不符的工单与字段
  classifier feedback [--out FILE]   导出派单员的更正（默认 corpus/classifier/feedback.tsv），供下次训练
  token create STAFF_ID [--name NAME] [--days N]   为工作人员生成 API 令牌（只显示一次；默认 90 天后失效）
  token revoke TOKEN | --staff STAFF_ID   吊销一个令牌，或某工作人员的全部令牌
  account create STAFF_ID [--password-stdin]   开通或重置控制台账号（不带参数时生成随机密码，只显示一次）
  account disable STAFF_ID   停用控制台账号（已登录的会话随即失效）
  poster GROUP_ID --out FILE.png|FILE.html [--base https://…]   生成群的反映二维码海报（PNG 或可打印 HTML）
`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const [{ resolveConfig }, { openLiveDirectory }, { syncWebhookEndpoints }, { createServices }, { directorySourcesFromEnv }, { groupChannelIssues }] = await Promise.all([
    import('../config/resolve'),
    import('../directory/live'),
    import('../repo/webhooks'),
    import('../services'),
    import('../directory/platform-sources'),
    import('../config/platform-env'),
  ]);
  const env = parseEnv(process.env);
  const logger = createJsonLogger((l) => process.stderr.write(`${l}\n`), 'warn');
  const config = await resolveConfig(env, logger);
  return withDb(async (h) => {
    // The database's directory (console edits included); the file only seeds an empty database.
    // Saves are checked against this environment, as the server's start is against its own.
    const directory = await openLiveDirectory({ db: h.db, file: config, now: () => new Date(), logger, groupChannelIssues: (c) => groupChannelIssues(c, process.env) });
    await syncWebhookEndpoints(h.db, config.webhooks);
    return fn(
      createServices({ db: h.db, config, directory, directorySources: directorySourcesFromEnv(process.env), logger, adapters: {}, ...(process.env.GONGZHI_LLM_API_KEY ? { llmApiKey: process.env.GONGZHI_LLM_API_KEY } : {}) }),
    );
  });
}

/** The refusal when another process holds the embedded database: what to do instead. */
function busyMessage(h: LockHolder, dataDir: string): string {
  if (h.role === 'cli') return `另一个命令行进程 ${h.pid} 正在使用内嵌数据库 ${dataDir}/pglite：等它结束后再运行。`;
  return (
    `gongzhi 服务正在运行（进程 ${h.pid}${h.port ? `，端口 ${h.port}` : ''}）并占用内嵌数据库 ${dataDir}/pglite，而这个命令要直接打开它（同一时间只能有一个进程打开）。` +
    `先停止服务（kill ${h.pid}，或 systemctl stop gongzhi / docker stop）再运行；报表和台账也可在工作台 /console 导出；要同时运行请改用 PostgreSQL（DATABASE_URL）。` +
    `\n(the server holds the embedded database: stop it first, or use PostgreSQL)`
  );
}

async function withDb<T>(fn: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('../db/open');
  const env = parseEnv(process.env);
  // Two processes on one PGlite directory overwrite each other's writes: hold the lock or refuse.
  let release = () => {};
  if (!env.DATABASE_URL) {
    const holder = liveHolder(env.DATA_DIR);
    if (holder) throw new Error(busyMessage(holder, env.DATA_DIR));
    release = acquireDataDirLock(env.DATA_DIR, { role: 'cli' }).release;
  }
  try {
    const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: `${env.DATA_DIR}/pglite` });
    try {
      return await fn(handle);
    } finally {
      await handle.close();
    }
  } finally {
    release();
  }
}

/**
 * A write runs in the server when it holds the embedded database (so it is never lost), and here
 * otherwise. Prints what the command prints and returns its exit code.
 */
async function write(w: CliWrite, opts: { print?: boolean } = {}): Promise<CliResult> {
  const env = parseEnv(process.env);
  const holder = env.DATABASE_URL ? null : liveHolder(env.DATA_DIR);
  let r: CliResult;
  if (holder?.role === 'server' && holder.token && holder.port) {
    r = await bridge(w, holder, env.DATA_DIR);
  } else {
    const { runCliWrite } = await import('./writes');
    r = await withServices((s) => runCliWrite(s, w));
  }
  if (opts.print !== false) for (const l of r.out) console.log(l);
  for (const l of r.err) console.error(l);
  return r;
}

/** The command run by the server that holds the embedded database, printed; null when none does. */
async function viaServer(w: CliWrite): Promise<CliResult | null> {
  const env = parseEnv(process.env);
  const holder = env.DATABASE_URL ? null : liveHolder(env.DATA_DIR);
  if (!(holder?.role === 'server' && holder.token && holder.port)) return null;
  const r = await bridge(w, holder, env.DATA_DIR);
  for (const l of r.out) console.log(l);
  for (const l of r.err) console.error(l);
  return r;
}

/** Posts the command to the running server's CLI bridge (it holds the embedded database). */
async function bridge(w: CliWrite, holder: LockHolder, dataDir: string): Promise<CliResult> {
  const { bridgeUrl } = await import('../node/cli-bridge');
  if (!holder.port || !holder.token) throw new Error(busyMessage(holder, dataDir));
  const url = bridgeUrl(holder.host, holder.port);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/json' }, body: JSON.stringify(w) });
  } catch (e) {
    throw new Error(`${busyMessage(holder, dataDir)}\n（连不上该服务 ${url}：${(e as Error).message}）`);
  }
  if (!res.ok) throw new Error(`服务拒绝了这次写入（HTTP ${res.status}）：${await res.text()}`);
  return (await res.json()) as CliResult;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function classify(): Promise<void> {
  const [{ createInterface }, { createDefaultClassifier }, { resolveConfig }] = await Promise.all([import('node:readline'), import('../domain/classifier/default'), import('../config/resolve')]);
  const classifier = createDefaultClassifier();
  // The deployment's gate: autoDispatch says whether a ticket would be routed without a person.
  const config = await resolveConfig(parseEnv(process.env), createJsonLogger((l) => process.stderr.write(`${l}\n`), 'error'));
  const gate = config.classifier.minConfidence;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out: string[] = [];
  let lineNo = 0;
  const flush = () => {
    if (out.length) process.stdout.write(out.join(''));
    out.length = 0;
  };
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let input: { id?: unknown; text?: unknown };
    try {
      input = JSON.parse(line);
    } catch {
      process.stderr.write(`line ${lineNo}: not JSON, skipped\n`);
      continue;
    }
    if (typeof input.text !== 'string') {
      process.stderr.write(`line ${lineNo}: "text" must be a string, skipped\n`);
      continue;
    }
    const c = classifier.classify(input.text);
    out.push(
      `${JSON.stringify({ id: input.id ?? null, isIssue: c.isIssue, type: c.type, category: c.category, urgency: c.urgency, confidence: c.confidence, autoDispatch: c.isIssue && c.confidence >= gate })}\n`,
    );
    if (out.length >= 512) flush();
  }
  flush();
}

/** config import / export: the file is read here, the directory is read and written through write(). */
async function configCommand(sub: 'import' | 'export', rest: string[]): Promise<number> {
  if (sub === 'export') {
    const out = flag(rest, 'out');
    // With --out the directory (webhook keys included) goes to the file only, not to the terminal or a log.
    const r = await write({ op: 'directory.export' }, { print: !out });
    if (out && r.code === 0) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(out, `${r.out.join('\n')}\n`, { mode: 0o600 });
      console.log(`已导出到 ${out}（${r.out[0]?.match(/版本 \d+/)?.[0] ?? '当前版本'}；含群机器人密钥，文件仅本用户可读）`);
    }
    return r.code;
  }
  const path = rest[0];
  if (!path || path.startsWith('--')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const [{ resolveConfig }, { ConfigError }, { readDirectoryFile }] = await Promise.all([import('../config/resolve'), import('../config/load'), import('./config-commands')]);
  const config = await resolveConfig(parseEnv(process.env), createJsonLogger((l) => process.stderr.write(`${l}\n`), 'error'));
  let directory: Record<string, unknown>;
  try {
    directory = await readDirectoryFile(path, config, process.env);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : String(e));
    return 1;
  }
  const r = await write({ op: 'directory.import', directory, apply: rest.includes('--apply'), author: flag(rest, 'author') ?? 'cli', note: flag(rest, 'note') ?? `cli config import ${path}` });
  return r.code;
}

async function directoryCommand(rest: string[]): Promise<number> {
  const platform = flag(rest, 'platform');
  if (platform !== 'wecom' && platform !== 'dingtalk') {
    process.stderr.write(USAGE);
    return 2;
  }
  return (await write({ op: 'directory.sync', platform, apply: rest.includes('--apply'), author: flag(rest, 'author') ?? 'cli' })).code;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, sub, arg] = argv;
  switch (cmd) {
    case 'migrate': {
      const { migrateToLatest } = await import('../db/database');
      const applied = await withDb(async (h) => ({ kind: h.kind, applied: await migrateToLatest(h.db) }));
      console.log(applied.applied.length ? `已迁移 (${applied.kind}): ${applied.applied.join(', ')}` : `数据库已是最新 (${applied.kind})`);
      return 0;
    }
    case 'directory':
      if (sub !== 'sync') break;
      return directoryCommand(argv.slice(2));
    case 'config': {
      if (sub === 'import' || sub === 'export') return configCommand(sub, argv.slice(2));
      if (sub !== 'check' || !arg) break;
      const { ConfigError, loadConfigFile } = await import('../config/load');
      try {
        const cfg = await loadConfigFile(arg);
        console.log(`配置有效：${cfg.departments.length} 个部门，${cfg.staff.length} 名工作人员，${cfg.groups.length} 个群`);
        return 0;
      } catch (e) {
        console.error(e instanceof ConfigError ? e.message : String(e));
        return 1;
      }
    }
    case 'classify':
      await classify();
      return 0;
    case 'outbox': {
      if (sub === 'dead') {
        // While the server holds the embedded database it reads them (PostgreSQL: read here, alongside it).
        const bridged = await viaServer({ op: 'outbox.dead' });
        if (bridged) return bridged.code;
        const { deadLetterLines } = await import('./dead-letters');
        for (const l of await withDb((h) => deadLetterLines(h.db))) console.log(l);
        return 0;
      }
      if (sub === 'resend' && arg && /^\d+$/.test(arg)) {
        return (await write({ op: 'outbox.resend', id: Number(arg) })).code;
      }
      break;
    }
    case 'sweep':
      return (await write({ op: 'sweep' })).code;
    case 'report': {
      const rest = argv.slice(1);
      const [{ templates }, { departmentRanking, monthPeriod }] = await Promise.all([import('../domain/templates'), import('../reports/queries')]);
      if (sub === 'monthly') {
        const month = flag(rest, 'month');
        if (!month) break;
        const text = await withServices(async (s) => templates.ranking(`${month} 月度通报`, await departmentRanking(s.db, monthPeriod(month), s.now(), flag(rest, 'group'))));
        console.log(text);
        return 0;
      }
      if (sub === 'daily') {
        const date = flag(rest, 'date');
        const { dailyDigestText } = await import('../reports/daily-digest-text');
        const text = await withServices(async (s) => {
          const groupId = flag(rest, 'group') ?? null;
          const at = date ? new Date(Date.parse(`${date}T${s.config.digest.dailyAt}:00+08:00`)) : s.now();
          const group = groupId ? ((await s.db.selectFrom('groups').select(['id', 'name', 'region']).where('id', '=', groupId).executeTakeFirst()) ?? { id: groupId, name: groupId, region: null }) : null;
          // The same text the server posts into the group (a city's with its county lines).
          return dailyDigestText({ db: s.db, sla: s.sla, org: s.directory.org }, { group, deploymentName: s.config.deployment.name, at, publicOnly: group !== null });
        });
        console.log(text);
        return 0;
      }
      break;
    }
    case 'token': {
      if (sub === 'revoke' && arg) {
        const staffId = flag(argv.slice(1), 'staff');
        return (await write(staffId ? { op: 'token.revokeStaff', staffId } : { op: 'token.revoke', token: arg })).code;
      }
      if (sub !== 'create' || !arg) break;
      const { DEFAULT_TOKEN_DAYS } = await import('../repo/api-tokens');
      const name = flag(argv.slice(1), 'name') ?? 'cli';
      const days = Number(flag(argv.slice(1), 'days') ?? DEFAULT_TOKEN_DAYS);
      return (await write({ op: 'token.create', staffId: arg, name, days })).code;
    }
    case 'account': {
      if (!arg || (sub !== 'create' && sub !== 'disable')) break;
      if (sub === 'disable') return (await write({ op: 'account.disable', staffId: arg })).code;
      const { generatePassword, passwordProblem } = await import('../auth/password');
      const given = argv.includes('--password-stdin') ? (await readStdin()).replace(/\r?\n$/, '') : null;
      const password = given ?? generatePassword();
      const problem = passwordProblem(password);
      if (problem) throw new Error(problem);
      const r = await write({ op: 'account.create', staffId: arg, password });
      if (r.code === 0) console.log(given ? `已设置 ${arg} 的控制台密码` : `${arg} 的控制台初始密码（只显示一次）：${password}`);
      return r.code;
    }
    case 'poster': {
      const rest = argv.slice(1);
      const out = flag(rest, 'out');
      if (!sub || !out || !/\.(png|html)$/.test(out)) break;
      const [{ resolveConfig }, { publicBase }, { posterHtml, posterSvg }, { renderPosterPng }] = await Promise.all([
        import('../config/resolve'),
        import('../config/public-url'),
        import('../report-page/poster'),
        import('../report-page/poster-png'),
      ]);
      const env = parseEnv(process.env);
      const config = await resolveConfig(env, createJsonLogger((l) => process.stderr.write(`${l}\n`), 'warn'));
      const group = config.groups.find((g) => g.id === sub);
      if (!group) throw new Error(`配置里没有群 ${sub}（可选：${config.groups.map((g) => g.id).join('、')}）`);
      const base = flag(rest, 'base')?.replace(/\/+$/, '') ?? publicBase(config);
      if (!base) throw new Error('请用 --base 指定对外地址，或在配置 deployment.publicUrl 中填写（如 https://gongzhi.example.gov.cn）');
      const url = `${base}/r/${group.id}`;
      const svg = await posterSvg({ groupName: group.name, deployment: config.deployment.name, hotline: config.deployment.hotline ?? null, url });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(out, out.endsWith('.png') ? await renderPosterPng(svg) : posterHtml(svg, `${group.name} 反映二维码`));
      console.log(`已生成 ${out}（二维码指向 ${url}）`);
      return 0;
    }
    case 'classifier': {
      if (sub !== 'feedback') break;
      const out = flag(argv.slice(1), 'out') ?? 'corpus/classifier/feedback.tsv';
      const { exportLabelledExamples } = await import('../repo/labelled');
      const tsv = await withDb((h) => exportLabelledExamples(h.db));
      const { writeFile } = await import('node:fs/promises');
      await writeFile(out, tsv);
      console.log(`已导出 ${tsv ? tsv.trimEnd().split('\n').length : 0} 条更正到 ${out}；运行 npm run train:classifier 重新训练`);
      return 0;
    }
    case 'ledger': {
      const rest = argv.slice(1);
      const month = flag(rest, 'month');
      const out = flag(rest, 'out');
      const format = flag(rest, 'format') ?? (out?.endsWith('.csv') ? 'csv' : 'xlsx');
      if (!month || !out || (format !== 'csv' && format !== 'xlsx')) break;
      const region = flag(rest, 'region');
      const [{ ledgerScope }, { ledgerFile }] = await Promise.all([import('../reports/regions'), import('../reports/ledger-file')]);
      const file = await withServices(async (s) => {
        // The command line speaks for the whole deployment: any region, or all of it.
        const scope = ledgerScope(s.directory, { role: 'admin', departmentId: null, regionId: s.directory.org.root.id }, region);
        if (!scope.ok) throw new Error(`${scope.message}（--region ${region}）`);
        return ledgerFile(s.db, month, format, scope.region);
      });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(out, file.body);
      console.log(`已导出 ${file.tickets} 件工单到 ${out}`);
      return 0;
    }
    case 'audit': {
      if (sub !== 'verify') break;
      const given = flag(argv.slice(1), 'from');
      const from = given === undefined ? undefined : parseCheckpoint(given);
      if (from === null) {
        console.error(`检查点格式应为 gz1:<最后事件ID>:<事件数>:<64 位十六进制哈希>，而不是 "${given}"`);
        return 2;
      }
      // Read-only: no directory sync, so a commission's read-only role can run it too.
      // The rows are checked against a history only once the chain vouches for that history.
      const { r, rows } = await withDb(async (h) => {
        const r = await verifyChain(h.db, from ? { from } : {});
        return { r, rows: r.ok ? await verifyTicketStates(h.db) : null };
      });
      const report = verifyReport(r, rows, from);
      for (const line of report.out) console.log(line);
      for (const line of report.err) console.error(line);
      return report.code;
    }
  }
  process.stderr.write(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`gongzhi: ${(e as Error).message}`);
    process.exit(1);
  },
);
