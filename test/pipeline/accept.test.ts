import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describeOnDatabases('acknowledge first, work after', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const outcome = (id: number) => rt.services.db.selectFrom('inbound_messages').select(['outcome', 'ticket_id']).where('id', '=', id).executeTakeFirstOrThrow();

  it('stores each platform message once, however many copies arrive at once', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    const msg = localMessage('qs-jixie-liu', '@共治助手 园区东门外的路灯坏了两个月，晚上货车进出很危险');
    const results = await Promise.all(Array.from({ length: 5 }, () => rt.services.pipeline.accept(msg)));
    const accepted = results.filter((r) => r.status === 'accepted');
    expect(accepted).toHaveLength(1);
    const first = accepted[0]!;
    if (first.status !== 'accepted') throw new Error('unreachable');
    expect(first.message.text).toBe('园区东门外的路灯坏了两个月，晚上货车进出很危险');
    expect(await outcome(first.inboundId)).toEqual({ outcome: 'pending', ticket_id: null });
    // Two workers racing for it: one does the work.
    const [a, b] = await Promise.all([rt.services.pipeline.process(first.inboundId, first.message), rt.services.pipeline.process(first.inboundId, first.message)]);
    expect([a.status, b.status].sort()).toEqual(['duplicate', 'ticket']);
    expect((await outcome(first.inboundId)).outcome).toBe('ticket');
  });

  it('finishes a message acknowledged just before the process died', async () => {
    const msg = localMessage('lvyuan-chen', '@共治助手 我们的投标保证金半年了还没退', { receivedAt: clock.now() });
    const r = await rt.services.pipeline.accept(msg);
    if (r.status !== 'accepted') throw new Error('expected a new message');
    // (no process() call: the process "died" here)
    expect(await rt.services.pipeline.recoverAccepted(60_000)).toBe(0); // too recent: a live worker may still be on it
    clock.advance(2 * 60_000);
    expect(await rt.services.pipeline.recoverAccepted(60_000)).toBe(1);
    const done = await outcome(r.inboundId);
    expect(done.outcome).toBe('ticket');
    const t = await rt.services.db.selectFrom('tickets').select(['category', 'department_id']).where('id', '=', done.ticket_id!).executeTakeFirstOrThrow();
    expect(t).toEqual({ category: 'payment', department_id: 'jiaoyi' });
    expect(await rt.services.pipeline.recoverAccepted(0)).toBe(0);
    await rt.close();
  });
});
