import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { syncDirectory } from '../../src/repo/directory';
import { signWebhook, webhookBackoffMs } from '../../src/outbox/webhooks';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from '../helpers/runtime';
import { startFakeServer, type Recorded } from '../fakes/http-server';

const SECRET = 'oa-webhook-secret-0123456789';

describeOnDatabases('outgoing webhooks', (db) => {
  let rt: Runtime;
  let oa: Awaited<ReturnType<typeof startFakeServer>>;
  let failuresLeft = 0;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const received = () => oa.requests.filter((r) => r.path === '/events');

  it('posts each subscribed ticket event, signed, to the configured endpoint', async () => {
    oa = await startFakeServer((req) => {
      if (req.path !== '/events') return undefined;
      if (failuresLeft > 0) {
        failuresLeft--;
        return { status: 503, text: 'maintenance' };
      }
      return { status: 204, text: '' };
    });
    const config = await loadConfigFile(EXAMPLE);
    config.webhooks = [
      { id: 'oa', url: `${oa.base}/events`, secret: SECRET, events: ['received', 'dispatched', 'claimed', 'resolved'] },
      { id: 'gone', url: `${oa.base}/never`, secret: SECRET },
    ];
    rt = await createTestRuntime(db(), { now: clock.now, config });
    // A hook removed from the configuration stops at the next start (which syncs the directory).
    await syncDirectory(rt.services.db, { ...config, webhooks: config.webhooks.slice(0, 1) }, clock.now());

    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'));
    const number = (r as { ticketNumber: string }).ticketNumber;
    await rt.services.webhooks.deliverOnce();
    const got = received();
    expect(got.map((g) => (g.body as { event: { kind: string } }).event.kind)).toEqual(['received', 'dispatched']);
    for (const g of got) await expectSigned(g);
    const body = got[1]!.body as { delivery: number; event: { kind: string; data: { departmentId: string } }; ticket: { number: string; status: string } };
    expect(body.ticket).toMatchObject({ number, status: 'dispatched', departmentId: 'power' });
    expect(body.event.data.departmentId).toBe('power');
    expect(got[1]!.headers['x-gongzhi-event']).toBe('dispatched');
    expect(got[1]!.headers['x-gongzhi-delivery']).toBe(String(body.delivery));
    expect(oa.requests.some((q) => q.path === '/never')).toBe(false);
  });

  it('retries a failing receiver with back-off and delivers exactly once when it recovers', async () => {
    failuresLeft = 2;
    await rt.services.pipeline.receive(localMessage('lidian', '/认领 1'));
    await rt.services.webhooks.deliverOnce();
    expect(received()).toHaveLength(3);
    await rt.services.webhooks.deliverOnce();
    expect(received()).toHaveLength(3); // not due yet: the back-off holds it
    clock.advance(60_000);
    await rt.services.webhooks.deliverOnce();
    clock.advance(3 * 60_000);
    await rt.services.webhooks.deliverOnce();
    clock.advance(60 * 60_000);
    await rt.services.webhooks.deliverOnce();
    const claims = received().filter((g) => (g.body as { event: { kind: string } }).event.kind === 'claimed');
    expect(claims.map((c) => c.body)).toHaveLength(3); // two 503s, then the 204
    const rows = await rt.services.db.selectFrom('webhook_deliveries').select(['attempts', 'delivered_at', 'last_error']).orderBy('id').execute();
    expect(rows.at(-1)).toMatchObject({ attempts: 3, last_error: null });
    expect(rows.every((d) => d.delivered_at !== null)).toBe(true);
  });

  it('gives up after the last attempt and keeps the reason', async () => {
    failuresLeft = 1_000;
    await rt.services.pipeline.receive(localMessage('lidian', '/办结 1 已现场接通'));
    for (let i = 0; i < 14; i++) {
      await rt.services.webhooks.deliverOnce();
      clock.advance(7 * 3600_000);
    }
    const last = await rt.services.db.selectFrom('webhook_deliveries').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last.delivered_at).toBeNull();
    expect(last.dead_at).not.toBeNull();
    expect(last.attempts).toBe(12);
    expect(last.last_error).toBe('HTTP 503');
    await rt.close();
    await oa.close();
  });
});

it('backs off from 30 seconds to at most 6 hours, with jitter', () => {
  expect(webhookBackoffMs(1, () => 0.5)).toBe(30_000);
  expect(webhookBackoffMs(3, () => 0.5)).toBe(120_000);
  expect(webhookBackoffMs(30, () => 0.5)).toBe(6 * 3600_000);
  expect(webhookBackoffMs(1, () => 0)).toBe(24_000);
});

/** What a receiver does: recompute the HMAC over timestamp + raw body and compare. */
async function expectSigned(req: Recorded) {
  const ts = Number(req.headers['x-gongzhi-timestamp']);
  expect(req.headers['x-gongzhi-signature']).toBe(await signWebhook(SECRET, ts, req.raw));
  expect(req.headers['x-gongzhi-signature']).not.toBe(await signWebhook('another-secret-0123456789', ts, req.raw));
}

describeOnDatabases('webhook trigger switch', (db) => {
  it('runs the delivery trigger only while some endpoint is configured, switched by a row, never by ALTER TABLE', async () => {
    const { sql } = await import('kysely');
    const config = await loadConfigFile(EXAMPLE);
    const state = async () => ({
      trigger: (await sql<{ tgenabled: string }>`select tgenabled from pg_trigger where tgname = 'ticket_events_webhooks' and tgrelid = 'ticket_events'::regclass`.execute(db().db)).rows[0]?.tgenabled,
      on: (await db().db.selectFrom('runtime_switches').select('webhooks').executeTakeFirstOrThrow()).webhooks,
    });
    await syncDirectory(db().db, { ...config, webhooks: [] }, new Date('2026-11-23T02:00:00Z'));
    expect(await state()).toEqual({ trigger: 'O', on: false });
    await syncDirectory(db().db, { ...config, webhooks: [{ id: 'oa', url: 'http://127.0.0.1:9/e', secret: SECRET }] }, new Date('2026-11-23T02:00:00Z'));
    expect(await state()).toEqual({ trigger: 'O', on: true });
  });
});
