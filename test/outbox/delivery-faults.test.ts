import { beforeAll, expect, it } from 'vitest';
import { createWecomClient } from '../../adapters/wecom/client';
import { createWecomSender } from '../../adapters/wecom/sender';
import type { DatabaseHandle } from '../../src/db/database';
import { createMemoryLogger } from '../../src/logger';
import { createOutboxDrainer } from '../../src/outbox/drainer';
import { enqueueOutbox } from '../../src/repo/outbox';
import { startFakeWecom } from '../fakes/wecom-api';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock } from '../helpers/runtime';

describeOnDatabases('delivery through a failing WeCom', (database) => {
  let h: DatabaseHandle;
  beforeAll(() => {
    h = database();
  });

  it('delivers every queued post exactly once, in order, at most 15 a minute, after 5xx, a timeout, a dropped connection and 45009', async () => {
    const wecom = await startFakeWecom();
    try {
      const clock = createTestClock();
      const logger = createMemoryLogger();
      const client = createWecomClient({ apiBase: wecom.base, timeoutMs: 500 });
      const sender = createWecomSender({ client, webhookKeyFor: () => 'group-key', logger, replyHosts: [new URL(wecom.base).host] });
      const drainer = createOutboxDrainer({ db: h.db, adapters: { wecom: sender }, now: clock.now, logger, random: () => 0.5 });
      const texts = Array.from({ length: 40 }, (_, i) => `通知 P${String(i + 1).padStart(2, '0')}`);
      await h.db.transaction().execute((tx) =>
        enqueueOutbox(tx, texts.map((text) => ({ platform: 'wecom' as const, kind: 'notice' as const, target: { kind: 'group' as const, chatId: 'wr-county-chat' }, payload: { format: 'text' as const, text, mentions: [] } })), clock.now()),
      );
      wecom.failNext('/cgi-bin/webhook/send', 'http500', 'http500', 'slow', 'drop', { errcode: 45009, errmsg: 'api freq out of limit' });

      for (let round = 0; round < 60; round++) {
        await drainer.drainOnce();
        const open = await h.db.selectFrom('outbox').select('id').where('status', 'in', ['pending', 'sending']).execute();
        if (open.length === 0) break;
        clock.advance(61_000);
      }

      const rows = await h.db.selectFrom('outbox').selectAll().orderBy('id').execute();
      expect(rows.every((r) => r.status === 'sent' || r.status === 'coalesced')).toBe(true);
      expect(rows.filter((r) => r.status === 'dead')).toEqual([]);
      // Every text arrived, once, in the order it was written.
      const arrived = wecom.delivered.flatMap((d) => ((d.body as { text: { content: string } }).text.content.match(/通知 P\d\d/g) ?? []));
      expect(arrived).toEqual(texts);
      // No minute of the clock saw more than 15 posts leave for this robot.
      const perMinute = new Map<number, number>();
      for (const r of rows.filter((x) => x.status === 'sent')) {
        const m = Math.floor(r.sent_at!.getTime() / 60_000);
        perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
      }
      expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(15);
      // The backlog was folded into summaries rather than dropped.
      expect(rows.filter((r) => r.status === 'coalesced').length).toBeGreaterThan(0);
      expect(logger.lines.some((l) => l.event === 'outbox.coalesced')).toBe(true);
    } finally {
      await wecom.close();
    }
  }, 60_000);
});
