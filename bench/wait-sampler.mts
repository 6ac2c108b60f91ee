// npx tsx bench/wait-sampler.mts <database url> [seconds] — samples pg_stat_activity every 50 ms
// while a bench runs and says what the server's connections were doing: running a statement,
// waiting on a lock (and which relation), idle in a transaction (waiting for Node), or idle;
// then the deadlocks PostgreSQL has broken in that database.
import pg from 'pg';

const url = process.argv[2];
if (!url) throw new Error('usage: wait-sampler.mts <database url> [seconds]');
const seconds = Number(process.argv[3] ?? 10);
const c = new pg.Client({ connectionString: url });
await c.connect();
const counts = new Map<string, number>();
let samples = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const r = await c.query<{ what: string }>(`
    select case
      when a.state = 'active' and a.wait_event_type = 'Lock' then 'lock wait: ' || coalesce((select l.relation::regclass::text from pg_locks l where l.pid = a.pid and not l.granted limit 1), a.wait_event) || ' in: ' || left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60)
      when a.state = 'active' then 'running statement' || coalesce(' (' || a.wait_event_type || ':' || a.wait_event || ')', '')
      else a.state end as what
    from pg_stat_activity a where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'`);
  samples++;
  for (const row of r.rows) counts.set(row.what, (counts.get(row.what) ?? 0) + 1);
  await new Promise((res) => setTimeout(res, 50));
}
const dl = await c.query<{ deadlocks: string }>('select deadlocks from pg_stat_database where datname = current_database()');
await c.end();
for (const [what, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${(n / samples).toFixed(2)} connections on average: ${what}`);
console.log(`${samples} samples; deadlocks broken in this database so far: ${dl.rows[0]?.deadlocks}`);
