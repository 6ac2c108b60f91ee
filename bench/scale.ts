// npm run bench:scale — 1,000,000 tickets (12 months, 200 groups, 40 departments) on PostgreSQL
// (and PGlite with BENCH_SCALE_PGLITE=1): the daily digest, the monthly and region rankings (from the stored
// day counts, with some days dirty, and counted live), the public board and filtered ticket-list pages, each
// timed (median of 5 after a warm-up). BENCH_SCALE_REMARK=1 with REUSE marks every day dirty first, as an
// upgrade leaves a database, so the time to store five years is measured again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfigFile } from '../src/config/load';
import { migrateToLatest, type Db } from '../src/db/database';
import { openDatabase } from '../src/db/open';
import { createSlaClock } from '../src/domain/sla';
import { createWorkCalendar } from '../src/domain/calendar';
import { CHINA_CALENDAR } from '../src/calendar/china-calendar';
import { dailyDigest, departmentRanking, monthPeriod } from '../src/reports/queries';
import { departmentCounts, liveDepartmentCounts, refreshRollups } from '../src/reports/counts';
import { regionRanking } from '../src/reports/regions';
import { createOrg } from '../src/domain/regions';
import { boardData } from '../src/board/figures';
import { BOARD_FIGURES } from '../src/config/schema';
import { listTicketsPage } from '../src/repo/tickets';
import { syncDirectory } from '../src/repo/directory';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
// A province's volume spans several years (BENCH_SCALE_DAYS=1826 for five); one year by default.
const DAYS = Number(process.env.BENCH_SCALE_DAYS ?? 365);
// BENCH_SCALE_REUSE=1 times the queries on the database a previous run seeded (seeding 10M rows takes minutes).
const REUSE = process.env.BENCH_SCALE_REUSE === '1';

async function seed(db: Db) {
  const t0 = performance.now();
  await syncDirectory(db, await loadConfigFile('config/example.yaml'), new Date());
  await sql`insert into departments (id, name) select 'dept-' || g, '第' || g || '承办单位' from generate_series(1, 40) g on conflict do nothing`.execute(db);
  await sql`insert into groups (id, platform, chat_id, name, outbound, configured) select 'grp-' || g, 'wecom', 'wr-' || g, '共治群' || g, '{"kind":"wecom-webhook","key":"k"}', true from generate_series(1, 200) g on conflict do nothing`.execute(db);
  await sql`insert into requesters (platform, user_id, name) select 'wecom', 'ent-' || g, '企业' || g from generate_series(1, 5000) g on conflict do nothing`.execute(db);
  // Row triggers would write one dirty-day mark per seeded row; the days are marked once below instead.
  await sql`alter table tickets disable trigger tickets_report_insert`.execute(db);
  await sql`alter table escalation_documents disable trigger escalation_documents_report`.execute(db);
  const cats = ['approval', 'construction', 'utilities', 'property', 'tax', 'finance', 'policy', 'labor', 'enforcement', 'fees', 'payment', 'procurement', 'legal', 'conduct', 'environment', 'other'];
  // Received uniformly over DAYS to 2026-11-23. Tickets of the last 45 days are skewed to closed (70% closed, 10% resolved,
  // 10% claimed, 10% waiting to be signed); older ones are closed except one in 500 still open (long overdue), since the
  // rating window closes resolved tickets within days.
  await sql`
    insert into tickets (number, day, seq, status, type, category, urgency, confidence, content, group_id, origin_platform, origin_chat_id,
      origin_chat_type, requester_id, department_id, assignee_id, received_at, dispatched_at, claimed_at, resolved_at, closed_at,
      sign_due_at, resolve_due_at, rating, reopen_count, updated_at)
    select 'GZ-S-' || g, to_char(r, 'YYYYMMDD'), g, st, 'help', (${sql.val(cats)}::text[])[1 + g % 16], case when g % 20 = 0 then 'urgent' else 'normal' end,
      0.8, '规模测试诉求 ' || g, 'grp-' || (1 + g % 200), 'wecom', 'wr-' || (1 + g % 200), 'group', 1 + g % 5000, 'dept-' || (1 + g % 40), null,
      r, r, case when st <> 'dispatched' then r + interval '3 hours' end,
      case when st in ('resolved', 'closed') then r + (g % 9) * interval '1 day' end,
      case when st = 'closed' then r + (g % 9 + 2) * interval '1 day' end,
      r + interval '1 day', r + interval '7 days',
      case when st = 'closed' and g % 3 > 0 then 1 + g % 5 end, case when g % 50 = 0 then 1 else 0 end, r
    from (
      select g, r,
        case when r < timestamptz '2026-11-23 00:00+08' - interval '45 days' then (case when g % 500 = 0 then 'dispatched' when g % 500 = 1 then 'claimed' else 'closed' end)
          when g % 10 < 7 then 'closed' when g % 10 = 7 then 'resolved' when g % 10 = 8 then 'claimed' else 'dispatched' end as st
      from (select g, timestamptz '2026-11-23 00:00+08' - (g::double precision / ${ROWS}) * ${DAYS} * interval '1 day' as r from generate_series(1, ${ROWS}) g) gs
    ) s`.execute(db);
  await sql`insert into escalation_documents (number, ticket_id, round, phase, step, department_id, reason, due_at, issued_at)
    select 'S-' || id, id, 0, 'resolve', 'urging', department_id, 'scale', resolve_due_at, resolve_due_at from tickets where id % 20 = 0`.execute(db);
  await sql`alter table tickets enable trigger tickets_report_insert`.execute(db);
  await sql`alter table escalation_documents enable trigger escalation_documents_report`.execute(db);
  await markAllDays(db);
  await sql`analyze`.execute(db);
  return (performance.now() - t0) / 1000;
}

/** Every day with tickets dirty, as the migration leaves an upgraded database. */
async function markAllDays(db: Db) {
  await sql`delete from report_dirty_days`.execute(db);
  await sql`insert into report_dirty_days (day) select generate_series(((m.lo at time zone 'UTC') + interval '8 hours')::date, ((m.hi at time zone 'UTC') + interval '8 hours')::date, interval '1 day')::date
    from (select min(received_at) as lo, max(received_at) as hi from tickets) m where m.lo is not null`.execute(db);
}

/** Stores every dirty day, a scheduler tick's worth (62 days) at a time; seconds taken and passes. */
async function storeAll(db: Db, at: Date) {
  const t0 = performance.now();
  let passes = 0;
  while ((await refreshRollups(db, at, 62)).remaining > 0) passes++;
  return { seconds: (performance.now() - t0) / 1000, passes: passes + 1 };
}

/** Marks the first `days` of October dirty, as changes to their tickets between two ticks would. */
async function touchDays(db: Db, days: number) {
  await sql`insert into report_dirty_days (day) select d::date from generate_series(date '2026-10-01', date '2026-10-01' + ${days - 1}::int, interval '1 day') d`.execute(db);
}

async function time(label: string, fn: () => Promise<unknown>) {
  await fn();
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return { label, medianMs: Math.round(runs[2]! * 10) / 10, maxMs: Math.round(runs[4]! * 10) / 10 };
}

async function measure(name: string, db: Db) {
  const seconds = REUSE ? NaN : await seed(db);
  const sla = createSlaClock(createWorkCalendar(CHINA_CALENDAR));
  const at = new Date('2026-11-23T00:30:00Z');
  // A province: 12 prefectures (盟市), each with 4 counties; the 40 departments spread over the counties.
  const regions = [{ id: 'province', name: '全省' }, ...Array.from({ length: 12 }, (_, i) => ({ id: `city-${i}`, name: `第${i}盟市`, parent: 'province' })), ...Array.from({ length: 48 }, (_, i) => ({ id: `county-${i}`, name: `第${i}旗县`, parent: `city-${i % 12}` }))];
  const org = createOrg({ name: '全省', regions, departments: Array.from({ length: 40 }, (_, i) => ({ id: `dept-${i + 1}`, region: `county-${i}` })) });
  // The upgrade leaves every day dirty; the scheduler stores them 62 days a tick. Timed here in one go.
  if (REUSE && process.env.BENCH_SCALE_REMARK === '1') await markAllDays(db);
  const store = await storeAll(db, at);
  const october = monthPeriod('2026-10');
  // Every month of the seeded span, read from the store against counting every ticket.
  const months = new Set<string>();
  for (let d = Date.parse('2026-11-23T00:00:00+08:00') - DAYS * 86_400_000; d <= Date.parse('2026-11-23T00:00:00+08:00'); d += 86_400_000) months.add(new Date(d + 8 * 3_600_000).toISOString().slice(0, 7));
  let differing = 0;
  for (const m of months) if (JSON.stringify(await departmentCounts(db, monthPeriod(m))) !== JSON.stringify(await liveDepartmentCounts(db, monthPeriod(m)))) differing++;
  console.log(`day counts stored in ${store.seconds.toFixed(1)} s (${store.passes} passes of up to 62 days); ${months.size} months read from the store, ${differing} differing from the live count`);
  const results = [
    await time('monthly ranking counts, counted live (every ticket of the month)', () => liveDepartmentCounts(db, october)),
    await time('one tick: store 10 dirty days', async () => {
      await touchDays(db, 10);
      await refreshRollups(db, at, 62);
    }),
    await time('daily digest, one group (none of its tickets open)', () => dailyDigest(db, sla, { groupId: 'grp-17', groupName: '共治群17', at })),
    // The seed's statuses follow the ticket number, so this group's recent tickets are all still open (the worst case).
    await time('daily digest, one group (1,200 open, overdue)', () => dailyDigest(db, sla, { groupId: 'grp-20', groupName: '共治群20', at })),
    await time('monthly ranking, 40 departments', () => departmentRanking(db, monthPeriod('2026-10'), at)),
    await time('monthly ranking, one group (counted live)', () => departmentRanking(db, monthPeriod('2026-10'), at, 'grp-42')),
    await time('monthly region ranking, 12 prefectures', () => regionRanking(db, monthPeriod('2026-10'), at, org)),
    // The public board computed afresh (its own cache off): this month to date and last month, departments and regions.
    await time('public board, two months, departments and regions (uncached)', () =>
      boardData(db, org, { enabled: true, figures: [...BOARD_FIGURES], publishOnDay: 1, cacheSeconds: 0, embedOrigins: [] }, { deployment: '全省', department: (id) => id }, at),
    ),
    // Between two ticks: ten of the month's days changed since the last refresh and are counted live.
    await time('monthly ranking, 10 of its days dirty', async () => {
      await touchDays(db, 10);
      return departmentRanking(db, october, at);
    }),
    await time('monthly region ranking, 10 of its days dirty', async () => {
      await touchDays(db, 10);
      return regionRanking(db, october, at, org);
    }),
    await time('ticket list page: open, one department, overdue', () => listTicketsPage(db, { status: ['dispatched', 'claimed'], departmentId: 'dept-7', overdueAt: at }, null)),
    await time('ticket list page: one group, one month, category', () => listTicketsPage(db, { groupId: 'grp-42', category: 'payment', from: new Date('2026-06-01T00:00:00+08:00'), to: new Date('2026-07-01T00:00:00+08:00') }, null)),
  ];
  const size = await sql<{ size: string; tickets: string }>`select pg_size_pretty(pg_database_size(current_database())) as size, (select count(*) from tickets)::text as tickets`.execute(db);
  console.log(`\n${name}: ${Number(size.rows[0]!.tickets).toLocaleString()} tickets over ${DAYS} days${REUSE ? ' (reused)' : `, seeded in ${seconds.toFixed(0)} s`}; database size ${size.rows[0]!.size}`);
  console.log('| query | median ms | max ms |\n|---|---|---|');
  for (const r of results) console.log(`| ${r.label} | ${r.medianMs} | ${r.maxMs} |`);
}

if (process.env.DATABASE_URL) {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  if (!REUSE) {
    await admin.query('drop database if exists gongzhi_scale with (force)');
    await admin.query('create database gongzhi_scale');
  }
  await admin.end();
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = '/gongzhi_scale';
  const h = await openDatabase({ url: u.toString() });
  await migrateToLatest(h.db);
  await measure('PostgreSQL', h.db);
  await h.close();
}
if (process.env.BENCH_SCALE_PGLITE === '1') {
  const h = await openDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'gongzhi-scale-')) });
  await migrateToLatest(h.db);
  await measure('PGlite', h.db);
  await h.close();
}
