// npm run bench — ingest throughput and ack latency (signed, encrypted WeCom callbacks through
// verify → decrypt → de-dup → classify → ticket → outbox), on PostgreSQL and PGlite, next to
// the bare node:http ceiling; then resident memory. Results: bench/results/ and stdout.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { encrypt, getSignature } from '@wecom/crypto';
import { startFakeServer } from '../test/fakes/http-server';

const TOKEN = 'bench-token';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '200,500,1000,0').split(',').map(Number); // 0 = as fast as it goes
const TEXTS = [
  '我们厂新建的厂房申请用电报装一个月了还没接通',
  '园区路灯坏了半年了没人修',
  '我们的投标保证金半年了还没退',
  '食品经营许可证延续申请一直显示待受理',
  '出口退税申报三个月了还没到账',
  '这个月已经来了四拨检查，生产都没法正常进行',
];

/** Pre-built requests: each a unique msgid, encrypted and signed as WeCom would send it. */
function buildRequests(n: number, sink: string) {
  const reqs: Array<{ path: string; body: string }> = [];
  const ts = String(Math.floor(Date.now() / 1000));
  for (let i = 0; i < n; i++) {
    const plaintext = JSON.stringify({
      msgid: `bench-${process.pid}-${i}`,
      aibotid: 'AIBOT',
      chatid: `wr-bench-${i % 200}`,
      chattype: 'group',
      from: { userid: `ent-${i % 5000}` },
      response_url: `${sink}/cgi-bin/aibot/response?response_code=${i}`,
      msgtype: 'text',
      text: { content: `@共治助手 ${TEXTS[i % TEXTS.length]}（${i}）` },
    });
    const enc = encrypt(AES, plaintext, '');
    const nonce = String(100000 + (i % 900000));
    reqs.push({ path: `/webhooks/wecom?msg_signature=${getSignature(TOKEN, ts, nonce, enc)}&timestamp=${ts}&nonce=${nonce}`, body: JSON.stringify({ encrypt: enc }) });
  }
  return reqs;
}

// BENCH_NODE_ARGS: flags for the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
// (node refuses --cpu-prof in NODE_OPTIONS).
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const children = new Set<ChildProcess>();
// A failed run must not leave a server holding the port for the next one.
process.on('exit', () => children.forEach((c) => c.kill()));

async function startChild(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return child;
}

const rss = (pid: number) => Number(execSync(`ps -o rss= -p ${pid}`).toString().trim()) / 1024;

interface Stage {
  target: string;
  rate: number | 'max';
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  non2xx: number;
  /** Messages fully processed (ticket, outbox) per second, counting the time to clear the backlog. */
  processed?: number;
  drainSeconds?: number;
}

/** Waits until every acknowledged message has been processed; returns the seconds it took. */
async function drainBacklog(port: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { inboundBacklog?: number };
    if (!h.inboundBacklog) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 300_000) throw new Error(`backlog of ${h.inboundBacklog} not cleared in 5 minutes`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function load(port: number, requests: Array<{ path: string; body: string }>, rate: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    // Enough connections that the offered rate is really offered even when each request takes ~100 ms.
    connections: rate === 0 ? 64 : Math.min(128, Math.max(32, Math.ceil(rate / 5))),
    duration: DURATION,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          const r = requests[next++ % requests.length]!;
          return { ...req, path: r.path, body: r.body };
        },
      },
    ],
  });
}

const summary = (target: string, rate: number, r: autocannon.Result): Stage => ({
  target,
  rate: rate || 'max',
  sent: r.requests.total,
  rps: Math.round(r.requests.total / r.duration),
  p50: r.latency.p50,
  p99: r.latency.p99,
  p999: (r.latency as unknown as Record<string, number>).p99_9 ?? NaN,
  errors: r.errors + r.timeouts,
  non2xx: r.non2xx,
});

// BENCH_DB: the scratch database's name, so two sessions on one PostgreSQL do not drop each other's.
const BENCH_DB = process.env.BENCH_DB ?? 'gongzhi_bench';
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DB)) throw new Error(`BENCH_DB must be a plain lower-case identifier, got ${BENCH_DB}`);

async function freshPostgres(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.query(`create database ${BENCH_DB}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${BENCH_DB}`;
  return u.toString();
}

const sink = await startFakeServer(() => ({ json: { errcode: 0, errmsg: 'ok' } }));
const stages: Stage[] = [];
const memory: Record<string, number> = {};
const memoryParts: Record<string, string> = {};
const maxRate = Math.max(...RATES.filter((r) => r > 0), 1000);
const requests = buildRequests(maxRate * DURATION * 2 + 20_000, sink.base);

// The ceiling.
{
  const child = await startChild('bench/bare.ts', { PORT: '18790' });
  stages.push(summary('bare node:http', 0, await load(18790, requests, 0)));
  child.kill();
}

const targets: Array<{ name: string; env: Record<string, string> }> = [];
if (process.env.DATABASE_URL) targets.push({ name: 'postgres', env: { DATABASE_URL: await freshPostgres(process.env.DATABASE_URL) } });
// BENCH_SKIP=pglite,kill leaves stages out (a quick PostgreSQL-only measurement).
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
if (!SKIP.has('pglite')) targets.push({ name: 'pglite', env: { DATABASE_URL: '', DATA_DIR: mkdtempSync(join(tmpdir(), 'gongzhi-bench-')) } });

for (const t of targets) {
  const child = await startChild('bench/server.ts', { ...t.env, PORT: '18791', WECOM_BOT_TOKEN: TOKEN, WECOM_BOT_AES_KEY: AES, WECOM_API_BASE: sink.base, GONGZHI_SESSION_SECRET: 'bench-session-secret-0123456789abcdef' });
  let offset = 0;
  for (const rate of RATES) {
    // Fresh messages for every stage, so de-duplication never makes a stage cheaper.
    const slice = requests.slice(offset, offset + (rate || maxRate * 2) * DURATION + 1000);
    offset += slice.length;
    const r = await load(18791, slice, rate);
    const drainSeconds = await drainBacklog(18791);
    const stage = { ...summary(`gongzhi on ${t.name}`, rate, r), drainSeconds: Math.round(drainSeconds * 10) / 10, processed: Math.round(r.requests.total / (r.duration + drainSeconds)) };
    stages.push(stage);
    process.stdout.write(`${t.name} @ ${rate || 'max'}: ${stage.rps} req/s acked, p99 ${r.latency.p99} ms; processed ${stage.processed} msg/s (backlog cleared ${stage.drainSeconds} s after)\n`);
  }
  memory[t.name] = Math.round(rss(child.pid!));
  const usage = (await (await fetch('http://127.0.0.1:18791/__bench/memory')).json()) as NodeJS.MemoryUsage;
  const mb = (n: number) => Math.round(n / 1048576);
  memoryParts[t.name] = `V8 heap ${mb(usage.heapUsed)} of ${mb(usage.heapTotal)} MB, array buffers ${mb(usage.arrayBuffers)} MB, other external ${mb(usage.external - usage.arrayBuffers)} MB`;
  child.kill();
}
// Two instances on one PostgreSQL, one killed with SIGKILL half-way through the stage (issue 21).
let kill: { sent: number; acked: number; errors: number; recoverySeconds: number; processed: number; tickets: number; duplicateTickets: number } | undefined;
if (process.env.DATABASE_URL && !SKIP.has('kill')) {
  const url = await freshPostgres(process.env.DATABASE_URL);
  const env = { DATABASE_URL: url, WECOM_BOT_TOKEN: TOKEN, WECOM_BOT_AES_KEY: AES, WECOM_API_BASE: sink.base, GONGZHI_SESSION_SECRET: 'bench-session-secret-0123456789abcdef', BENCH_RECOVER_MS: '2000' };
  const a = await startChild('bench/server.ts', { ...env, PORT: '18792' });
  const b = await startChild('bench/server.ts', { ...env, PORT: '18793', GONGZHI_MIGRATE: '0' });
  const slice = requests.slice(0, 200 * DURATION);
  const half = Math.floor(slice.length / 2);
  let killedAt = 0;
  const killer = setTimeout(() => {
    killedAt = performance.now();
    a.kill('SIGKILL');
  }, (DURATION * 1000) / 2);
  // 100 msg/s to each; what A acknowledged before it died must still be processed, by B.
  const [ra, rb] = await Promise.all([load(18792, slice.slice(0, half), 100), load(18793, slice.slice(half), 100)]);
  clearTimeout(killer);
  await drainBacklog(18793);
  const recoverySeconds = (performance.now() - killedAt) / 1000;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const counts = (await db.query(`select count(*)::int as processed, count(distinct ticket_id)::int as tickets, count(ticket_id)::int as with_ticket from inbound_messages where outcome in ('ticket', 'attached')`)).rows[0];
  const dupes = (await db.query(`select count(*)::int as n from (select content from tickets group by content having count(*) > 1) d`)).rows[0];
  await db.end();
  b.kill();
  kill = { sent: ra.requests.total + rb.requests.total, acked: ra['2xx'] + rb['2xx'], errors: ra.errors + ra.timeouts + rb.errors + rb.timeouts, recoverySeconds: Math.round(recoverySeconds * 10) / 10, processed: counts.processed, tickets: counts.tickets, duplicateTickets: dupes.n };
  process.stdout.write(`two instances, A killed at ${DURATION / 2} s: ${kill.acked} acknowledged, ${kill.processed} processed, ${kill.duplicateTickets} duplicate tickets, all processed ${kill.recoverySeconds} s after the kill\n`);
}
await sink.close();

const table = [
  '| target | offered (req/s) | acknowledged (req/s) | p50 ms | p99 ms | p99.9 ms | errors | non-2xx | processed (msg/s) | backlog cleared after (s) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...stages.map((s) => `| ${s.target} | ${s.rate} | ${s.rps} | ${s.p50} | ${s.p99} | ${s.p999} | ${s.errors} | ${s.non2xx} | ${s.processed ?? '—'} | ${s.drainSeconds ?? '—'} |`),
].join('\n');
const mem = Object.entries(memory).map(([k, v]) => `- resident memory after the ingest run, ${k}: ${v} MB (${memoryParts[k]})`).join('\n');
const ceiling = stages[0]!.rps;
const ratios = stages.slice(1).map((s) => `- ${s.target} @ ${s.rate}: processed ${s.processed} msg/s = ${((100 * (s.processed ?? 0)) / ceiling).toFixed(2)}% of the ceiling (${ceiling} req/s); p99 ack ${s.p99} ms; backlog cleared ${s.drainSeconds} s after`).join('\n');
console.log(`\n${table}\n\n${ratios}\n\n${mem}`);
if (kill) console.log(`\n- two instances, one SIGKILLed: ${JSON.stringify(kill)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/ingest-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`, JSON.stringify({ stages, memory, memoryParts, duration: DURATION, kill }, null, 2));
