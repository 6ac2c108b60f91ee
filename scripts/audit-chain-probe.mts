import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest } from '../src/db/database';
import { openDatabase } from '../src/db/open';
import { appendEvents } from '../src/repo/tickets';
import { chainHash, GENESIS_HASH } from '../src/audit/canonical';

const N = 400;
const url = process.env.DATABASE_URL;
const schema = `gz_probe_${randomBytes(4).toString('hex')}`;
if (url) { const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query(`create schema ${schema}`); await c.end(); }
const h = await openDatabase(url ? { url, schema, poolSize: 4 } : { dataDir: 'memory://' });
await migrateToLatest(h.db);
await h.db.insertInto('requesters').values({ platform: 'local', user_id: 'u', name: null, enterprise: null, phone: null }).execute();
const t = await h.db.insertInto('tickets').values({ number: 'GZ-1', day: '20261201', seq: 1, status: 'received', type: 'help', category: 'other', urgency: 'normal', confidence: 0.5, content: 'x', group_id: null, origin_platform: 'local', origin_chat_id: 'c', origin_chat_type: 'group', requester_id: 1, department_id: null, received_at: new Date(), updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
const ev = () => ({ kind: 'note', fromStatus: null, toStatus: null, actor: { kind: 'staff' as const, id: 'lidian', name: '李电' }, at: new Date('2026-12-01T02:00:00Z'), data: { text: '已联系企业，约定明日上门查看' } });
const plain = async () => { await h.db.transaction().execute(async (tx) => { const e = ev(); await tx.insertInto('ticket_events').values({ ticket_id: t.id, kind: e.kind, from_status: null, to_status: null, actor_kind: e.actor.kind, actor_id: e.actor.id, actor_name: e.actor.name, data: JSON.stringify(e.data), at: e.at }).execute(); }); };
const chained = async () => { await h.db.transaction().execute((tx) => appendEvents(tx, t.id, [ev() as never])); };
for (const [name, f] of [['chained', chained], ['chained', chained], ['verify', null], ['plain', plain], ['plain', plain]] as const) {
  const s = performance.now();
  if (!f) { const { verifyChain } = await import('../src/audit/chain'); const v = await verifyChain(h.db); console.log(`verify: ${v.ok} ${v.count} events in ${(performance.now() - s).toFixed(0)} ms`); continue; }
  for (let i = 0; i < N; i++) await f();
  console.log(`${h.kind} ${name}: ${((performance.now() - s) / N).toFixed(3)} ms/event (sequential, one event per transaction)`);
}
let s = performance.now();
for (let i = 0; i < 2000; i++) await chainHash(GENESIS_HASH, { id: i, ticket_id: 1, kind: 'note', from_status: null, to_status: null, actor_kind: 'staff', actor_id: 'x', actor_name: 'y', data: { text: 'abc' }, at: new Date(0) });
console.log(`hash only: ${((performance.now() - s) / 2000).toFixed(4)} ms/event`);
// Parallel appends on PostgreSQL: 8 connections competing for the head row.
if (url) {
  s = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < 50; i++) await chained(); }));
  console.log(`postgres chained, 8 concurrent writers: ${((performance.now() - s) / 400).toFixed(3)} ms/event wall`);
}
await h.close();
if (url) { const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query(`drop schema ${schema} cascade`); await c.end(); }
