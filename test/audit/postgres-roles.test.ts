import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain';
import { migrateToLatest, type DatabaseHandle } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const url = process.env.DATABASE_URL;
const SCRIPT = new URL('../../deploy/postgres-roles.sql', import.meta.url).pathname;

/** Runs deploy/postgres-roles.sql the way the README says, with psql. */
const psqlScript = (vars: Record<string, string>) =>
  new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
    const args = [url!, '-X', '-q', ...Object.entries(vars).flatMap(([k, v]) => ['-v', `${k}=${v}`]), '-f', SCRIPT];
    const child = spawn('psql', args);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });

const as = (role: string) => {
  const u = new URL(url!);
  u.username = role;
  u.password = '';
  return u.toString();
};

// Roles and grants are PostgreSQL's: PGlite runs as one superuser and has no second role to test.
describe.skipIf(!url)('PostgreSQL roles: a migration owner and an append-only runtime role (skipped without DATABASE_URL: PGlite has one superuser)', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `gz_owner_${suffix}`;
  const runtime = `gz_app_${suffix}`;
  const schema = `gz_roles_${suffix}`;
  const handles: DatabaseHandle[] = [];

  afterAll(async () => {
    for (const h of handles) await h.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    for (const r of [runtime, owner]) {
      await c.query(`drop owned by ${r}`).catch(() => undefined);
      await c.query(`drop role if exists ${r}`);
    }
    await c.end();
  });

  it('migrates as the owner, runs a report → claim → resolve as the runtime role, which cannot alter, truncate, update or delete events or the chain', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    const vars = { owner, runtime, schema };
    expect(await psqlScript(vars)).toMatchObject({ status: 0 });

    const asOwner = await openDatabase({ url: as(owner), schema, poolSize: 2 });
    handles.push(asOwner);
    await migrateToLatest(asOwner.db);
    // Again after the migration: grants on the tables it created.
    expect(await psqlScript(vars)).toMatchObject({ status: 0 });

    const asRuntime = await openDatabase({ url: as(runtime), schema, poolSize: 4 });
    handles.push(asRuntime);
    const clock = createTestClock('2026-11-23T02:00:00Z');
    const rt = await createTestRuntime(asRuntime, { now: clock.now, env: { GONGZHI_MIGRATE: '0' } });
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    expect(r).toMatchObject({ status: 'ticket' });
    await rt.services.pipeline.receive(localMessage('lidian', '/认领 1'));
    await rt.services.pipeline.receive(localMessage('lidian', '/办结 1 已接通'));
    const t = await asRuntime.db.selectFrom('tickets').select(['status', 'claimed_at', 'resolved_at']).executeTakeFirstOrThrow();
    expect(t.claimed_at).not.toBeNull();
    expect(t.resolved_at).not.toBeNull();
    expect(await verifyChain(asRuntime.db)).toMatchObject({ ok: true });

    const db = asRuntime.db;
    await expect(sql`update ticket_events set actor_name = 'x'`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`delete from ticket_events`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`truncate ticket_events cascade`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`alter table ticket_events disable trigger all`.execute(db)).rejects.toThrow(/must be owner/);
    await expect(sql`delete from audit_checkpoints`.execute(db)).rejects.toThrow(/permission denied/);
    // The chain itself (appended by the chainer after commit, as the runtime role): insert-only by
    // grant, and by its trigger for anyone who has the grants.
    expect(Number((await sql<{ n: string }>`select count(*) as n from audit_chain`.execute(db)).rows[0]!.n)).toBeGreaterThan(0);
    expect(await verifyChain(db)).toMatchObject({ ok: true, pending: 0 });
    await expect(sql`update audit_chain set hash = ${'0'.repeat(64)}`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`delete from audit_chain`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`truncate audit_chain`.execute(db)).rejects.toThrow(/permission denied/);
    // The chainer's queue: the trigger inserts as the writer and the chainer deletes what it chained
    // (it just did), but nothing rewrites or empties it wholesale.
    await expect(sql`update audit_chain_pending set event_id = event_id + 1`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`truncate audit_chain_pending`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`alter table audit_chain disable trigger all`.execute(db)).rejects.toThrow(/must be owner/);
    await expect(sql`create table ${sql.id(schema, 'sneaky')} (id int)`.execute(db)).rejects.toThrow(/permission denied/);
  }, 60_000);
});
