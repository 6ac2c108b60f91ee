import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAM_FRAME_BYTES } from '../../adapters/dingtalk/stream';
import { TEST_DATABASES } from '../helpers/databases';
import { startDingtalkStreamRuntime, type DingtalkStreamRuntime } from '../helpers/dingtalk-stream';
import { eventually } from '../helpers/serve';
import { robotPayload } from '../fakes/dingtalk-api';

/**
 * Frames nobody should send, on a real loopback Stream socket: each is a log line, nothing is
 * stored, and the same socket (or, after an oversized frame, a new one) still takes messages.
 */
describe.each(TEST_DATABASES.map((d) => [d.kind, d] as const))('DingTalk Stream under hostile frames on %s', (_kind, database) => {
  let f: DingtalkStreamRuntime;
  let dt: DingtalkStreamRuntime['dt'];
  let rt: DingtalkStreamRuntime['rt'];
  let stream: DingtalkStreamRuntime['stream'];
  let n = 0;

  beforeAll(async () => {
    f = await startDingtalkStreamRuntime(await database.open());
    ({ dt, rt, stream } = f);
  });
  afterAll(async () => f?.close());

  const inboundCount = async () => Number((await rt.services.db.selectFrom('inbound_messages').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const badFrames = () => rt.logger.lines.filter((l) => l.event === 'dingtalk.stream.bad_frame' || l.event === 'dingtalk.stream.bad_payload').length;
  /** A real message is still received and stored afterwards. */
  async function stillWorks() {
    const messageId = `after-hostile-${++n}`;
    dt.pushRobot(robotPayload({ msgId: messageId, staffId: 'hengtong-zhang', text: `厂区门口的路灯坏了三个月没人修（第 ${n} 次反映）`, sessionWebhook: `${dt.base}/robot/sendBySession?session=h${n}` }));
    await eventually(() => rt.logger.lines.some((l) => l.event === 'dingtalk.stream.received' && l.messageId === messageId), 20_000);
  }

  it('logs malformed JSON, wrong shapes, binary and deeply nested frames, stores nothing, and keeps the socket', async () => {
    const connects = stream.state().connects;
    const before = await inboundCount();
    const logged = badFrames();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const hostile: Array<[string | Buffer, boolean?]> = [
      ['{"type":"CALLBACK",'],
      ['null'],
      ['42'],
      ['{"type":"CALLBACK","headers":null}'],
      [JSON.stringify({ type: 'CALLBACK', headers: { topic: '/v1.0/im/bot/messages/get' }, data: '{}' })],
      [JSON.stringify({ type: 'EVENT', headers: { topic: 'x', messageId: 'e1' }, data: '{}' })],
      [deep],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]), true],
    ];
    for (const [data, binary] of hostile) dt.pushRaw(data, { binary: binary ?? false });
    // A valid envelope whose robot data is garbage, or of the wrong shape.
    dt.pushRobotData('{not json');
    dt.pushRobotData(JSON.stringify({ msgId: 'x', text: 42 }));
    dt.pushRobotData('{"nested":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001));
    await eventually(() => badFrames() - logged >= hostile.length + 2);
    await stillWorks();
    expect(stream.state().connects).toBe(connects);
    expect(await inboundCount()).toBe(before + 1);
  });

  it('closes the socket on a 50 MB frame without buffering it, then reconnects and works', async () => {
    const connects = stream.state().connects;
    // ws refuses it from the frame header's length (1009): the 50 MB are never read into our buffers.
    dt.pushRaw('x'.repeat(50 * 1024 * 1024));
    await eventually(() => rt.logger.lines.some((l) => l.event === 'dingtalk.stream.closed'), 10_000);
    await eventually(() => stream.state().connects > connects, 10_000);
    expect(MAX_STREAM_FRAME_BYTES).toBeLessThanOrEqual(1024 * 1024);
    await stillWorks();
  });

  it('takes a flood of frames, storing each distinct message once', async () => {
    const before = await inboundCount();
    const base = 'flood';
    for (let i = 0; i < 200; i++) {
      const msg = robotPayload({ msgId: `${base}-${i % 100}`, staffId: 'hengtong-zhang', text: `收到，谢谢 ${i % 100}`, sessionWebhook: `${dt.base}/robot/sendBySession?session=flood` });
      dt.pushRobot(msg);
      dt.pushRaw('{broken');
    }
    await eventually(async () => (await inboundCount()) === before + 100, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await inboundCount()).toBe(before + 100);
    await stillWorks();
  });
});
