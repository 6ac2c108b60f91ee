import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import { migrateToLatest, type DatabaseHandle } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const url = process.env.DATABASE_URL;

// The runtime role must update tickets (that is its work) but cannot touch the event log: a row it
// rewrites is caught by comparing it with that log. Roles are PostgreSQL's; PGlite has one superuser.
describe.skipIf(!url)('PostgreSQL roles: a ticket row rewritten with the app’s own credentials (skipped without DATABASE_URL)', () => {
  const id = randomBytes(4).toString('hex');
  const [owner, runtime, schema] = [`gz_towner_${id}`, `gz_tapp_${id}`, `gz_troles_${id}`];
  const handles: DatabaseHandle[] = [];
  const connect = (role: string) => openDatabase({ url: Object.assign(new URL(url!), { username: role, password: '' }).toString(), schema, poolSize: 2 });
  const roles = () =>
    execFileSync('psql', [url!, '-X', '-q', '-v', `owner=${owner}`, '-v', `runtime=${runtime}`, '-v', `schema=${schema}`, '-f', new URL('../../deploy/postgres-roles.sql', import.meta.url).pathname]);

  afterAll(async () => {
    for (const h of handles) await h.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    for (const r of [runtime, owner]) await c.query(`drop owned by ${r}`).then(() => c.query(`drop role if exists ${r}`), () => undefined);
    await c.end();
  });

  it('names the ticket whose status and rating the runtime role rewrote, though it could not touch the events', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    roles();
    const asOwner = await connect(owner);
    handles.push(asOwner);
    await migrateToLatest(asOwner.db);
    roles();
    const app = await connect(runtime);
    handles.push(app);
    const clock = createTestClock('2026-11-23T02:00:00Z');
    const rt = await createTestRuntime(app, { now: clock.now, env: { GONGZHI_MIGRATE: '0' } });
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    await rt.services.pipeline.receive(localMessage('lidian', '/认领 1'));
    await rt.services.pipeline.receive(localMessage('lidian', '/办结 1 已接通'));
    expect(await verifyTicketStates(app.db)).toMatchObject({ ok: true, tickets: 1 });

    await expect(sql`update ticket_events set data = '{}'`.execute(app.db)).rejects.toThrow(/permission denied/);
    await sql`update tickets set status = 'closed', close_reason = 'satisfied', rating = 5`.execute(app.db);
    const t = await app.db.selectFrom('tickets').select('number').executeTakeFirstOrThrow();
    const r = await verifyTicketStates(app.db);
    expect(r).toMatchObject({ ok: false, disagreeing: 1, listed: [{ number: t.number }] });
    expect(r.listed[0]!.fields).toEqual(
      expect.arrayContaining([
        { field: 'status', row: 'closed', history: 'resolved' },
        { field: 'rating', row: '5', history: 'null' },
        { field: 'close_reason', row: 'satisfied', history: 'null' },
      ]),
    );
    await rt.close();
  }, 60_000);
});
