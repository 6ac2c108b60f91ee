// npx tsx bench/rollup-trigger-probe.mts — what the ranking store's triggers (migrations 2026-12-03-20-*) cost a report:
// the pipeline probe's messages through receive(), on a fresh database, with the triggers off and on, alternated
// (off, on, off, on) so the machine's load falls on both alike. Database gz_scale_probe, dropped at the end.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/database';
import { createServices } from '../src/services';
import { loadConfigFile } from '../src/config/load';
import { syncDirectory } from '../src/repo/directory';
import { createJsonLogger } from '../src/logger';

const BASE = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TRIGGERS: Array<[string, string]> = [
  ['tickets', 'tickets_report_insert'], ['tickets', 'tickets_report_update'], ['tickets', 'tickets_report_delete'], ['tickets', 'tickets_handover'],
  ['ticket_events', 'ticket_events_report_lift'], ['escalation_documents', 'escalation_documents_report'], ['escalation_documents', 'escalation_documents_receipt'],
  ['ticket_handovers', 'ticket_handovers_report'],
];
const TEXTS = ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区路灯坏了半年了没人修', '我们的投标保证金半年了还没退'];

async function round(on: boolean, offset: number) {
  const admin = new pg.Client({ connectionString: BASE });
  await admin.connect();
  await admin.query('drop database if exists gz_scale_probe with (force)');
  await admin.query('create database gz_scale_probe');
  await admin.end();
  const url = new URL(BASE);
  url.pathname = '/gz_scale_probe';
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db);
  for (const [table, name] of TRIGGERS) await sql.raw(`alter table ${table} ${on ? 'enable' : 'disable'} trigger ${name}`).execute(db);
  const config = await loadConfigFile('config/example.yaml');
  await syncDirectory(db, config, new Date());
  const s = createServices({ db, config, logger: createJsonLogger(() => undefined, 'error'), adapters: {}, concurrency: 8 });
  const msg = (i: number) => ({ platform: 'wecom' as const, messageId: `m${offset + i}`, chatType: 'group' as const, chatId: `wr-bench-${i % 200}`, sender: { userId: `ent-${i % 5000}` }, text: `${TEXTS[i % 3]}（${i}）`, receivedAt: new Date(), reply: { kind: 'wecom-response-url' as const, url: 'http://127.0.0.1:9/x', expiresAt: new Date(Date.now() + 3600e3).toISOString() } });
  for (let i = 0; i < 100; i++) await s.pipeline.receive(msg(i));
  let t0 = performance.now();
  for (let i = 100; i < 400; i++) await s.pipeline.receive(msg(i));
  const seq = (performance.now() - t0) / 300;
  t0 = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, k) => s.pipeline.receive(msg(1000 + k))));
  const par = 1000 / ((performance.now() - t0) / 1000);
  const marks = Number((await sql<{ n: string }>`select count(*) as n from report_dirty_days`.execute(db)).rows[0]!.n);
  await db.destroy();
  return { on, seq, par, marks };
}

const rows = [];
for (const [i, on] of [false, true, false, true].entries()) rows.push(await round(on, i * 10_000));
const admin = new pg.Client({ connectionString: BASE });
await admin.connect();
await admin.query('drop database if exists gz_scale_probe with (force)');
await admin.end();
console.log('| triggers | sequential ms/report | parallel 1,000: reports/s | dirty-day marks written |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.on ? 'on' : 'off'} | ${r.seq.toFixed(2)} | ${r.par.toFixed(0)} | ${r.marks} |`);
