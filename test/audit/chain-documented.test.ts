import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { chainPending, chainSoon } from '../../src/audit/chainer';
import { verifyChain } from '../../src/audit/chain';
import type { Db } from '../../src/db/database';
import { runScheduledWork } from '../../src/jobs/digests';
import { appendEvents } from '../../src/repo/tickets';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

/*
 * The discipline commission re-implements the check from the README alone ("审计链" / "Audit
 * chain"). This file does the same from the README's words — its own JSON serializer, node's
 * SHA-256, the timestamp formatted by SQL — and never calls src/audit/canonical.ts, so a change
 * to the hash or the chain's layout that the README does not describe fails here.
 */

// README: keys sorted (UTF-16 code units) recursively, arrays in order, no whitespace, strings
// escaping only `"`, `\` and U+0000–U+001F (\b \t \n \f \r, else \u00xx lowercase), numbers as
// JavaScript prints them.
const SHORT: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
function str(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += SHORT[ch] ?? (c < 0x20 ? `\\u${c.toString(16).padStart(4, '0')}` : ch);
  }
  return `${out}"`;
}
function canon(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${str(k)}:${canon(o[k])}`)
    .join(',')}}`;
}

interface Row {
  seq: number;
  event_id: number;
  hash: string;
  id: number | null;
  ticket_id: number;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  data: string;
  at: string;
}

/** The README's algorithm, step by step: what an outsider with read access computes. */
async function outsiderCheck(db: Db) {
  const rows = (
    await sql<Row>`
      select c.seq, c.event_id, c.hash, e.id, e.ticket_id, e.kind, e.from_status, e.to_status, e.actor_kind, e.actor_id, e.actor_name,
             e.data::text as data, to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from audit_chain c left join ticket_events e on e.id = c.event_id order by c.seq`.execute(db)
  ).rows;
  let prev = '0'.repeat(64);
  const problems: string[] = [];
  rows.forEach((r, i) => {
    if (r.seq !== i + 1) problems.push(`seq ${r.seq} at row ${i + 1}`);
    if (r.id === null) problems.push(`event ${r.event_id} missing`);
    const canonical = canon({
      actor: { id: r.actor_id, kind: r.actor_kind, name: r.actor_name },
      at: r.at,
      data: JSON.parse(r.data ?? '{}'),
      from_status: r.from_status,
      id: r.id,
      kind: r.kind,
      ticket_id: r.ticket_id,
      to_status: r.to_status,
    });
    const hash = createHash('sha256').update(prev + canonical, 'utf8').digest('hex');
    if (hash !== r.hash) problems.push(`hash of seq ${r.seq}`);
    prev = hash;
  });
  const last = rows.at(-1);
  const head = (await sql<{ seq: number; hash: string; last_event_id: number }>`select seq, hash, last_event_id from audit_chain_head`.execute(db)).rows[0]!;
  if (head.seq !== rows.length || head.hash !== prev || head.last_event_id !== (last?.event_id ?? 0)) problems.push('head');
  const outside = (await sql<{ id: number }>`select id from ticket_events where id not in (select event_id from audit_chain) and id not in (select event_id from audit_chain_pending)`.execute(db)).rows;
  if (outside.length) problems.push(`outside: ${outside.map((o) => o.id).join(',')}`);
  const pending = (await sql<{ event_id: number }>`select event_id from audit_chain_pending where event_id in (select id from ticket_events)`.execute(db)).rows.length;
  // `gz1:<id of the event at seq N>:<N>:<its hash>`
  const checkpointAt = (n: number) => (n === 0 ? `gz1:0:0:${'0'.repeat(64)}` : `gz1:${rows[n - 1]!.event_id}:${n}:${rows[n - 1]!.hash}`);
  return { problems, count: rows.length, head: checkpointAt(rows.length), checkpointAt, rows, pending };
}

describeOnDatabases('the audit chain as the README documents it, checked by an independent implementation', (database, kind) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  afterAll(async () => rt?.close());

  it('recomputes every hash, the head, the stored checkpoint and the pending count from the README’s words', async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
    const db = rt.services.db;
    expect((await outsiderCheck(db)).head).toBe(`gz1:0:0:${'0'.repeat(64)}`);
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    await rt.services.pipeline.receive(localMessage('lidian', '/认领 1'));
    await rt.services.pipeline.receive(localMessage('lidian', '/办结 1 已接通，电费按“两部制”计'));
    const ticket = await db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();
    // Data that exercises every rule: nesting, unsorted keys, arrays, numbers, escapes, Chinese, an astral character.
    const tricky = { z: 1, a: { y: [3, { b: null, a: 'x' }], x: '引号"反斜杠\\换行\n制表\t\u0001\u001f/<>€😀' }, num: 0.875, neg: -2, big: 12345678901234, ok: true, empty: {}, list: [] };
    await db.transaction().execute((tx) => appendEvents(tx, ticket.id, [{ kind: 'note', fromStatus: null, toStatus: null, actor: { kind: 'staff', id: 'lidian', name: '李电' }, at: clock.now(), data: tricky }]));
    await chainSoon(db);

    clock.set('2026-11-23T16:01:00Z'); // the first tick of 24 Nov (China time) writes 23 Nov's checkpoint
    await runScheduledWork(rt.services);
    await chainSoon(db); // what that tick's sweep appended
    const o = await outsiderCheck(db);
    expect(o.problems).toEqual([]);
    expect(o.rows.some((r) => r.data.includes('😀'))).toBe(true);
    const v = await verifyChain(db);
    expect(v).toMatchObject({ ok: true, count: o.count, pending: 0 });
    expect(v.ok && `gz1:${v.head.lastEventId}:${v.head.count}:${v.head.hash}`).toBe(o.head);
    const cp = await db.selectFrom('audit_checkpoints').selectAll().where('date', '=', '2026-11-23').executeTakeFirstOrThrow();
    expect(`gz1:${cp.last_event_id}:${cp.seq}:${cp.hash}`).toBe(o.checkpointAt(cp.seq));
  });

  it('counts an event committed but not yet chained as pending, not broken', async () => {
    const db = rt.services.db;
    const ticket = await db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();
    await db.transaction().execute((tx) => appendEvents(tx, ticket.id, [{ kind: 'note', fromStatus: null, toStatus: null, actor: { kind: 'staff', id: 'lidian', name: '李电' }, at: clock.now(), data: { waiting: true } }]));
    const o = await outsiderCheck(db);
    expect(o).toMatchObject({ problems: [], pending: 1 });
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: o.count, pending: 1 });
    await chainPending(db);
    expect(await outsiderCheck(db)).toMatchObject({ problems: [], pending: 0, count: o.count + 1 });
  });

  if (kind !== 'postgres') {
    it.skip('chain order differs from id order when an earlier id commits later (PostgreSQL only: PGlite has one connection)', () => undefined);
    return;
  }

  it('goes by seq, not by id: an event whose transaction commits later is chained after a higher id', async () => {
    const db = rt.services.db;
    const ticket = await db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();
    const draft = (n: number) => [{ kind: 'note' as const, fromStatus: null, toStatus: null, actor: { kind: 'staff' as const, id: 'lidian', name: '李电' }, at: clock.now(), data: { n } }];
    let release!: () => void;
    let inserted!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = new Promise<void>((r) => (inserted = r));
    // A takes the lower id and commits last.
    const a = db.transaction().execute(async (tx) => {
      await appendEvents(tx, ticket.id, draft(1));
      inserted();
      await held;
    });
    await first;
    await db.transaction().execute((tx) => appendEvents(tx, ticket.id, draft(2)));
    await chainPending(db);
    release();
    await a;
    await chainPending(db);
    const o = await outsiderCheck(db);
    expect(o.problems).toEqual([]);
    const [x, y] = o.rows.slice(-2);
    expect(JSON.parse(y!.data)).toEqual({ n: 1 });
    expect(y!.event_id).toBeLessThan(x!.event_id);
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: o.count, pending: 0 });
  });
});
