import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AIBOT_FRAME_BYTES, type WecomLongConnection } from '../../src/node/wecom-long-connection';
import { TEST_DATABASES } from '../helpers/databases';
import { createTestRuntime } from '../helpers/runtime';
import { closeLongConnection, openLongConnection } from '../helpers/wecom-long-connection';
import { eventually } from '../helpers/serve';
import { aibotMessage, startFakeAibot } from '../fakes/wecom-aibot-ws';

const GROUP = 'wr-county-chat';
const TIMINGS = { reconnectBaseMs: 50, heartbeatMs: 60_000, authTimeoutMs: 2000, replacedBackoffMs: 2000 };


/**
 * Frames nobody should send, through the official SDK on a real loopback socket: each is a log
 * line, nothing is stored, the socket stays (or, after an oversized frame, comes back) and a
 * real message afterwards is received.
 */
describe.each(TEST_DATABASES.map((d) => [d.kind, d] as const))('WeCom long connection under hostile frames on %s', (_kind, database) => {
  let fake: Awaited<ReturnType<typeof startFakeAibot>>;
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let lc: WecomLongConnection;
  let n = 0;

  // Migrations and the classifier load first: slow on a shared machine.
  beforeAll(async () => void ({ fake, rt, lc } = await openLongConnection(database, TIMINGS)), 180_000);
  afterAll(() => closeLongConnection({ fake, rt, lc }));

  const inboundCount = async () => Number((await rt.services.db.selectFrom('inbound_messages').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const complaints = () => rt.logger.lines.filter((l) => l.event === 'wecom.aibot.sdk' || l.event === 'wecom.aibot.bad_frame' || l.event === 'wecom.aibot.frame_failed').length;
  async function stillWorks() {
    const msgid = `after-hostile-${++n}`;
    fake.pushMessage(aibotMessage({ userId: 'liuzong', chatId: GROUP, msgid, text: `收到，谢谢（第 ${n} 次）` }));
    await eventually(() => rt.logger.lines.some((l) => l.event === 'wecom.aibot.received' && l.messageId === msgid), 20_000);
  }

  it('logs malformed JSON, wrong shapes, binary and deeply nested frames, stores nothing, keeps the socket', async () => {
    const connects = lc.state().connects;
    const before = await inboundCount();
    const logged = complaints();
    const hostile: Array<string | Buffer> = [
      '{"cmd":"aibot_msg_callback",',
      'null',
      '"text"',
      JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 'r1' }, body: { msgid: 'm1' } }),
      JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 'r2' }, body: { msgid: 'm2', chattype: 'group', chatid: GROUP, from: {}, msgtype: 'text' } }),
      JSON.stringify({ cmd: 'aibot_msg_callback', headers: {}, body: {} }),
      '{"cmd":"aibot_msg_callback","headers":{"req_id":"r3"},"body":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001),
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]),
    ];
    for (const data of hostile) fake.pushRaw(data);
    await eventually(() => complaints() - logged >= 4);
    await stillWorks();
    expect(lc.state().connects).toBe(connects);
    expect(await inboundCount()).toBe(before + 1);
  });

  it('closes the socket on a 50 MB frame (maxPayload), reconnects and works', async () => {
    const connects = lc.state().connects;
    expect(MAX_AIBOT_FRAME_BYTES).toBeLessThanOrEqual(1024 * 1024);
    fake.pushRaw('x'.repeat(50 * 1024 * 1024));
    await eventually(() => lc.state().connects > connects && lc.state().connected, 15_000);
    expect(rt.logger.lines.some((l) => l.event === 'wecom.aibot.disconnected')).toBe(true);
    await stillWorks();
  });

  it('takes a flood of frames, storing each distinct message once', async () => {
    const before = await inboundCount();
    for (let i = 0; i < 200; i++) {
      fake.pushMessage(aibotMessage({ userId: 'liuzong', chatId: GROUP, msgid: `flood-${i % 100}`, text: `收到 ${i % 100}` }));
      fake.pushRaw('{broken');
    }
    await eventually(async () => (await inboundCount()) === before + 100, 30_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await inboundCount()).toBe(before + 100);
    await stillWorks();
  });
});
