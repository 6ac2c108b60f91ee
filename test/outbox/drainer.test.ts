import { beforeAll, expect, it } from 'vitest';
import type { OutboundAdapter, SendResult } from '../../adapters/types';
import type { DatabaseHandle } from '../../src/db/database';
import type { OutboundMessage } from '../../src/domain/message';
import { createMemoryLogger } from '../../src/logger';
import { backoffMs, createOutboxDrainer } from '../../src/outbox/drainer';
import { claimDuePosts, enqueueOutbox, listDeadLetters, requeue } from '../../src/repo/outbox';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock } from '../helpers/runtime';

/** A platform that answers from a script, and records what it was sent. */
function scriptedPlatform(script: SendResult[]) {
  const sent: OutboundMessage[] = [];
  const adapter: OutboundAdapter = {
    platform: 'local',
    async send(m) {
      const r = script.shift() ?? { ok: true };
      if (r.ok) sent.push(m);
      return r;
    },
  };
  return { adapter, sent };
}

const post = (text: string) => ({
  platform: 'local' as const,
  kind: 'notice' as const,
  target: { kind: 'group' as const, chatId: 'county' },
  payload: { format: 'text' as const, text, mentions: [] },
});

describeOnDatabases('outbox', (database) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = database();
  });

  const enqueue = (texts: string[], now: Date) => h.db.transaction().execute((tx) => enqueueOutbox(tx, texts.map(post), now));
  const statusOf = async () => (await h.db.selectFrom('outbox').select(['id', 'status', 'attempts']).orderBy('id').execute());

  it('retries transient failures with backoff, honours throttling, and keeps later posts behind an earlier failed one', async () => {
    await h.db.deleteFrom('outbox').execute();
    const clock = createTestClock();
    const { adapter, sent } = scriptedPlatform([
      { ok: false, retry: 'transient', error: 'HTTP 502' },
      { ok: false, retry: 'throttled', retryAfterMs: 600_000, error: '45009 api freq out of limit' },
    ]);
    const logger = createMemoryLogger();
    const drainer = createOutboxDrainer({ db: h.db, adapters: { local: adapter }, now: clock.now, logger, random: () => 0.5 });
    await enqueue(['one', 'two'], clock.now());
    await drainer.drainOnce();
    expect(sent).toEqual([]);
    expect(logger.lines.filter((l) => l.event === 'outbox.retry').map((l) => l.retryInMs)).toEqual([backoffMs(1, () => 0.5)]);
    // "two" waits behind "one" instead of overtaking it.
    clock.advance(backoffMs(1, () => 0.5));
    await drainer.drainOnce();
    expect(sent).toEqual([]);
    expect(logger.lines.filter((l) => l.event === 'outbox.retry').map((l) => l.retryInMs)).toEqual([backoffMs(1, () => 0.5), 600_000]);
    clock.advance(600_000);
    await drainer.drainOnce();
    expect(sent.map((m) => m.payload.text)).toEqual(['one', 'two']);
    expect((await statusOf()).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('dead-letters a post that cannot succeed, and re-sends it on request', async () => {
    await h.db.deleteFrom('outbox').execute();
    const clock = createTestClock();
    const { adapter, sent } = scriptedPlatform([{ ok: false, retry: 'never', error: '93006 invalid chatid' }]);
    const drainer = createOutboxDrainer({ db: h.db, adapters: { local: adapter }, now: clock.now, logger: createMemoryLogger() });
    await enqueue(['lost?'], clock.now());
    await drainer.drainOnce();
    const dead = await listDeadLetters(h.db);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.last_error).toContain('93006');
    expect(await requeue(h.db, dead[0]!.id, clock.now())).toBe(true);
    await drainer.drainOnce();
    expect(sent.map((m) => m.payload.text)).toEqual(['lost?']);
  });

  it('two drainers never take the same post; a dead drainer’s lease expires and the post is taken over', async () => {
    await h.db.deleteFrom('outbox').execute();
    const clock = createTestClock();
    await enqueue(Array.from({ length: 20 }, (_, i) => `p${i}`), clock.now());
    const [a, b] = await Promise.all([
      claimDuePosts(h.db, { now: clock.now(), limit: 15, leaseMs: 60_000 }),
      claimDuePosts(h.db, { now: clock.now(), limit: 15, leaseMs: 60_000 }),
    ]);
    const ids = [...a, ...b].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
    // Nobody marks them sent (the process "died"): nothing is due until the lease runs out.
    expect(await claimDuePosts(h.db, { now: clock.now(), limit: 50, leaseMs: 60_000 })).toHaveLength(0);
    clock.advance(60_001);
    expect(await claimDuePosts(h.db, { now: clock.now(), limit: 50, leaseMs: 60_000 })).toHaveLength(20);
  });
});
