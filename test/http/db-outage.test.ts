import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { migrateToLatest } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { robotPayload } from '../fakes/dingtalk-api';
import { platformConfig } from '../helpers/platform-config';
import { createTestRuntime } from '../helpers/runtime';
import { eventually, serveApp } from '../helpers/serve';

const url = process.env.DATABASE_URL;
const SECRET = 'dt-outage-secret';
const APP_NAME = `gz_outage_${randomBytes(3).toString('hex')}`;

describe.skipIf(!url)('a database outage during ingest (PostgreSQL; skipped without DATABASE_URL)', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  const schema = `gz_outage_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(url!);
    u.searchParams.set('application_name', APP_NAME);
    const h = await openDatabase({ url: u.toString(), schema, poolSize: 4, onPoolError: () => undefined });
    await migrateToLatest(h.db);
    rt = await createTestRuntime(h, {
      config: await platformConfig(['dingtalk']),
      rawEnv: { DINGTALK_CLIENT_ID: 'ding-outage', DINGTALK_CLIENT_SECRET: SECRET, DINGTALK_API_BASE: 'http://127.0.0.1:9', DINGTALK_OAPI_BASE: 'http://127.0.0.1:9' },
    });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  // DingTalk signs the timestamp alone, and a (timestamp, sign) pair is accepted for one message
  // only: each callback carries its own millisecond, as the platform's do.
  let tick = 0;
  const post = (i: number) => {
    const ts = String(Date.now() + tick++);
    const body = JSON.stringify(robotPayload({ msgId: `outage-${i}`, staffId: `ent-${i}`, text: `我们厂的第${i}号车间用电报装申请一个月了还没接通`, sessionWebhook: 'http://127.0.0.1:9/s' }));
    return fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(SECRET, ts) }, body });
  };

  it('answers 503 while the database is gone, stores nothing half-way, and the platform’s retries land once', async () => {
    const statuses = new Map<number, number>();
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    // Three waves of ten concurrent callbacks; each wave's connections are killed while in flight.
    for (let wave = 0; wave < 3; wave++) {
      const inFlight = Array.from({ length: 10 }, (_, k) => wave * 10 + k).map(async (i) => {
        const res = await post(i);
        statuses.set(i, res.status);
        await res.text();
      });
      await new Promise((r) => setTimeout(r, 5 + wave * 5));
      await killer.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [APP_NAME]);
      await Promise.all(inFlight);
    }
    await killer.end();
    const failed = [...statuses.entries()].filter(([, s]) => s !== 200);
    // Whatever did not make it was refused with 503 (so the platform retries), never a 500.
    expect(failed.filter(([, s]) => s !== 503)).toEqual([]);
    expect(await (await fetch(`${http.base}/healthz`)).json()).toMatchObject({ ok: true });
    // The platform re-sends what was not acknowledged (and, to be sure, everything once more).
    for (let i = 0; i < 30; i++) {
      const res = await post(i);
      expect(res.status).toBe(200);
      await res.text();
    }
    const db = rt.services.db;
    // What was acknowledged but whose processing died with its connection is still stored: the
    // scheduler's recovery pass finishes it.
    const unfinished = async () => db.selectFrom('inbound_messages').select('id').where('outcome', 'in', ['pending', 'processing']).execute();
    await eventually(async () => {
      await rt.services.pipeline.recoverAccepted(0);
      return (await unfinished()).length === 0;
    }, 20_000);
    const inbound = await db.selectFrom('inbound_messages').select(['message_id', 'outcome']).execute();
    expect(inbound).toHaveLength(30);
    const tickets = await db.selectFrom('tickets').select('id').execute();
    const attached = inbound.filter((r) => r.outcome === 'attached').length;
    expect(tickets.length + attached).toBe(30);
    const events = await db.selectFrom('ticket_events').select('ticket_id').where('kind', '=', 'received').execute();
    expect(events).toHaveLength(tickets.length);
  }, 60_000);
});
