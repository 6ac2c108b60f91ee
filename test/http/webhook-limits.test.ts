import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { signedCallback, WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';

const DT_SECRET = 'dt-limits-secret';

describe('callback bodies before any work', () => {
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      now: clock.now,
      config: await platformConfig(['wecom', 'dingtalk']),
      rawEnv: { ...wecomRawEnv('http://127.0.0.1:9'), DINGTALK_CLIENT_ID: 'ding-limits', DINGTALK_CLIENT_SECRET: DT_SECRET, DINGTALK_API_BASE: 'http://127.0.0.1:9', DINGTALK_OAPI_BASE: 'http://127.0.0.1:9' },
    });
  });
  afterAll(async () => rt?.close());

  it('answers 413 to a 250 KB body of unclosed CDATA on the self-built app callback, without parsing it', async () => {
    const cb = signedCallback({ token: WECOM_APP.token, aesKey: WECOM_APP.aesKey, receiveId: WECOM_APP.corpId, plaintext: 'x' });
    const body = `<xml>${'<A><![CDATA['.repeat(Math.ceil(250_000 / 12))}</xml>`;
    const res = await rt.app.request(`/webhooks/wecom-app?${cb.query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large', limit: 32 * 1024 });
    // The operator sees the refusal (a real callback refused would otherwise vanish).
    expect(rt.logger.lines.at(-1)).toMatchObject({ level: 'warn', event: 'http.body_too_large', path: '/webhooks/wecom-app', limit: 32 * 1024 });
  });

  it('holds every callback to 32 KB, signed or not, with or without content-length', async () => {
    const ts = String(clock.now().getTime());
    const big = JSON.stringify({ msgId: 'm-big', msgtype: 'text', conversationId: 'c', conversationType: '2', senderStaffId: 'u', text: { content: 'x'.repeat(33 * 1024) } });
    const signed = await rt.app.request('/webhooks/dingtalk', { method: 'POST', body: big, headers: { 'content-type': 'application/json', timestamp: ts, sign: dingtalkSign(DT_SECRET, ts) } });
    expect(signed.status).toBe(413);
    const declared = await rt.app.request('/webhooks/wecom', { method: 'POST', body: big, headers: { 'content-type': 'application/json', 'content-length': String(big.length) } });
    expect(declared.status).toBe(413);
    expect(await rt.services.db.selectFrom('inbound_messages').select('id').where('message_id', '=', 'm-big').execute()).toEqual([]);
  });

  it('still takes an ordinary callback under the limit to the signature check', async () => {
    const res = await rt.app.request('/webhooks/wecom-app?msg_signature=x&timestamp=1&nonce=n', { method: 'POST', body: '<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>', headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(401);
  });
});
