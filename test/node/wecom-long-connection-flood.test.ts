import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WecomLongConnection } from '../../src/node/wecom-long-connection';
import { TEST_DATABASES } from '../helpers/databases';
import { closeLongConnection, openLongConnection, type LongConnectionFixture } from '../helpers/wecom-long-connection';
import { eventually } from '../helpers/serve';
import { aibotMessage } from '../fakes/wecom-aibot-ws';

const GROUP = 'wr-county-chat';
const LIMITS = { reconnectBaseMs: 50, heartbeatMs: 150, authTimeoutMs: 300, replacedBackoffMs: 2000, concurrency: 1, maxPending: 6, maxPendingPerSender: 3 };

/** A flood over the AI-bot long connection: what is held in memory is bounded, and nothing taken in is lost. */
describe.each(TEST_DATABASES.map((d) => [d.kind, d] as const))('WeCom long connection under a flood on %s', (_kind, database) => {
  let fake: LongConnectionFixture['fake'];
  let rt: LongConnectionFixture['rt'];
  let lc: WecomLongConnection;
  beforeAll(async () => void ({ fake, rt, lc } = await openLongConnection(database, LIMITS)), 180_000);
  afterAll(() => closeLongConnection({ fake, rt, lc }));

  it('holds at most the limits, refuses the rest with a log line naming each, and stores every message it took in', async () => {
    const flood = Array.from({ length: 40 }, (_, i) => aibotMessage({ userId: 'flooder', chatId: GROUP, text: `收到 ${i}` }));
    const others = [aibotMessage({ userId: 'liuzong', chatId: GROUP, text: '收到，谢谢' }), aibotMessage({ userId: 'lidian', chatId: GROUP, text: '好的' })];
    for (const m of [...flood.slice(0, 20), ...others, ...flood.slice(20)]) fake.pushMessage(m);

    const ids = [...flood, ...others].map((m) => m.msgid as string);
    const refusedIds = () => rt.logger.lines.filter((l) => l.event === 'wecom.aibot.overloaded').map((l) => l.messageId as string);
    const stored = async () => (await rt.services.db.selectFrom('inbound_messages').select('message_id').where('message_id', 'in', ids).execute()).map((r) => r.message_id);
    // Every frame is either stored or refused by name, never both and never neither.
    const settled = await eventually(async () => {
      const s = await stored();
      return lc.state().pending === 0 && s.length + refusedIds().length === ids.length ? s : undefined;
    }, 30_000);
    expect(settled.filter((id) => refusedIds().includes(id))).toEqual([]);

    const state = lc.state();
    expect(state.peakPending).toBeLessThanOrEqual(LIMITS.maxPending);
    expect(state.refused).toBe(refusedIds().length);
    expect(state.refused).toBeGreaterThan(0);
    const reasons = rt.logger.lines.filter((l) => l.event === 'wecom.aibot.overloaded');
    expect(reasons.every((l) => l.sender === 'flooder')).toBe(true);
    expect(reasons.some((l) => l.reason === 'sender_limit')).toBe(true);
    // The flood from one account did not crowd out the others.
    for (const m of others) expect(settled).toContain(m.msgid);
  });
});
