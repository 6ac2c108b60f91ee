import { Agent } from 'undici';
import { decrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/bootstrap';
import { TEST_DATABASES } from '../../helpers/databases';
import { platformConfig } from '../../helpers/platform-config';
import { createTestRuntime } from '../../helpers/runtime';
import { eventually, serveApp } from '../../helpers/serve';
import { startFakeWecom } from '../../fakes/wecom-api';
import { aibotRequest, aibotTextPayload, signedCallback, WECOM_APP, WECOM_BOT, wecomRawEnv } from '../../fakes/wecom-callbacks';

describe('WeCom AI bot end to end', () => {
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let rt: Runtime & { logger: { lines: Array<Record<string, unknown>> } };
  let http: Awaited<ReturnType<typeof serveApp>>;
  let n = 0;

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      config: await platformConfig(['wecom']),
      env: {},
      rawEnv: wecomRawEnv(wecom.base),
    });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await wecom?.close();
  });

  const responseUrl = () => `${wecom.base}/cgi-bin/aibot/response?response_code=rc-${++n}`;
  const post = (plaintext: string, token?: string) => {
    const r = aibotRequest(http.base, plaintext, token ? { token } : {});
    return fetch(r.href, r.init);
  };

  it('answers the GET URL verification with the decrypted echostr as plain text', async () => {
    const cb = signedCallback({ token: WECOM_BOT.token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext: '6688123' });
    const res = await fetch(`${http.base}/webhooks/wecom?msg_signature=${cb.signature}&timestamp=${cb.timestamp}&nonce=${cb.nonce}&echostr=${encodeURIComponent(cb.encrypted)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('6688123');
  });

  it('makes one ticket from a report delivered three times; the reply reaches the response_url and the group gets the notice', async () => {
    const url = responseUrl();
    const plaintext = aibotTextPayload({ msgid: 'CAIQ16HMjQYY-streetlight', userid: 'qs-jixie-liu', text: '@共治助手 园区路灯坏了半年了没人修', responseUrl: url });
    const answers = await Promise.all([post(plaintext), post(plaintext), post(plaintext)]);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(await a.text()).toBe('');
    }
    const tickets = await rt.services.db.selectFrom('tickets').selectAll().where('content', '=', '园区路灯坏了半年了没人修').execute();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ category: 'environment', department_id: 'chengguan', origin_platform: 'wecom', group_id: 'county-wecom' });

    const reply = await eventually(() => wecom.posts('/cgi-bin/aibot/response').find((p) => p.query.response_code === url.split('=')[1]));
    expect(reply.body).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringMatching(/^GZ-\d{8}-\d{4} 已受理/) } });
    const notice = await eventually(() => wecom.posts('/cgi-bin/webhook/send').find((p) => JSON.stringify(p.body).includes('【派单】县城市管理局')));
    expect(notice.query.key).toBe('group-key-county');
    expect(notice.body).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['caojun'] } });
    // WeCom redelivers later too: still no second ticket, no second reply.
    await post(plaintext);
    expect(await rt.services.db.selectFrom('tickets').select('id').where('content', '=', '园区路灯坏了半年了没人修').execute()).toHaveLength(1);
    expect(wecom.posts('/cgi-bin/aibot/response').filter((p) => p.query.response_code === url.split('=')[1])).toHaveLength(1);
  });

  it('runs staff commands sent through WeCom, with the @mention stripped', async () => {
    const [ticket] = await rt.services.db.selectFrom('tickets').selectAll().where('origin_platform', '=', 'wecom').execute();
    const res = await post(aibotTextPayload({ msgid: 'claim-1', userid: 'caojun', text: `@共治助手 /认领 ${ticket!.seq}`, responseUrl: responseUrl() }));
    expect(res.status).toBe(200);
    const row = await rt.services.db.selectFrom('tickets').selectAll().where('id', '=', ticket!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'claimed', assignee_id: 'caojun' });
    await eventually(() => wecom.posts('/cgi-bin/webhook/send').find((p) => JSON.stringify(p.body).includes('曹军 签收')));
  });

  it('retries a group post that WeCom throttles with 45009, and delivers it once', async () => {
    wecom.failNext('/cgi-bin/webhook/send', { errcode: 45009, errmsg: 'api freq out of limit' });
    await post(aibotTextPayload({ msgid: 'throttled-1', userid: 'lvyuan-chen', text: '@共治助手 我们公司的出口退税申报三个月了还没到账', responseUrl: responseUrl() }));
    await eventually(() => rt.logger.lines.find((l) => l.event === 'outbox.retry' && String(l.error).includes('45009')));
    const pending = await rt.services.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').where('last_error', 'like', '45009%').execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(50_000);
    // Time passes; the next drain delivers it.
    await rt.services.db.updateTable('outbox').set({ next_attempt_at: new Date() }).where('id', '=', pending[0]!.id).execute();
    await rt.services.drainer.drainOnce();
    const delivered = wecom.posts('/cgi-bin/webhook/send').filter((p) => JSON.stringify(p.body).includes('出口退税'));
    expect(delivered.length).toBe(2); // the throttled attempt and the successful one
    expect((await rt.services.db.selectFrom('outbox').select('status').where('id', '=', pending[0]!.id).executeTakeFirstOrThrow()).status).toBe('sent');
  });

  it('rejects a bad signature with 401 and a log line that names the setting', async () => {
    const res = await post(aibotTextPayload({ msgid: 'forged', userid: 'x', text: 'hi', responseUrl: responseUrl() }), 'wrong-token');
    expect(res.status).toBe(401);
    expect(rt.logger.lines.find((l) => l.event === 'webhook.rejected' && l.reason === 'bad_signature')).toMatchObject({ hint: expect.stringContaining('WECOM_BOT_TOKEN') });
    expect(JSON.stringify(rt.logger.lines)).not.toContain(WECOM_BOT.token);
  });

  it('answers malformed bodies with 4xx and oversized ones with 413', async () => {
    const q = signedCallback({ token: WECOM_BOT.token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext: 'x' }).query;
    expect((await fetch(`${http.base}/webhooks/wecom?${q}`, { method: 'POST', body: '{"encrypt":' })).status).toBe(401);
    // Its own connection: the server closes it after the 413 without reading the rest.
    const huge = await fetch(`${http.base}/webhooks/wecom?${q}`, { method: 'POST', body: 'x'.repeat(2_000_000), dispatcher: new Agent({ pipelining: 0 }) } as RequestInit);
    expect(huge.status).toBe(413);
    // Correctly encrypted and signed, but not an AI-bot payload.
    const r = aibotRequest(http.base, JSON.stringify({ hello: 'world' }));
    const res = await fetch(r.href, r.init);
    expect(res.status).toBe(400);
  });

  it('welcomes a user who opens the bot chat with the passive reply to that callback, encrypted and signed, and nothing else', async () => {
    const url = responseUrl();
    const sendsBefore = wecom.requests.filter((r) => r.path === '/cgi-bin/message/send' || r.path === '/cgi-bin/aibot/response').length;
    const res = await post(JSON.stringify({ msgid: 'enter-1', aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'new-user' }, response_url: url, msgtype: 'event', event: { eventtype: 'enter_chat' } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const answer = (await res.json()) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
    expect(answer.msgsignature).toBe(getSignature(WECOM_BOT.token, String(answer.timestamp), answer.nonce, answer.encrypt));
    const { message, id } = decrypt(WECOM_BOT.aesKey, answer.encrypt);
    expect(id).toBe('');
    const welcome = JSON.parse(message) as { msgtype: string; text: { content: string } };
    expect(welcome.msgtype).toBe('text');
    // A one-to-one chat: a plain message is enough.
    expect(welcome.text.content).toContain('直接发消息说明情况即可（在群里请 @我）');
    // Not a second welcome from the app or the response_url once the event is processed.
    await eventually(async () => (await rt.services.db.selectFrom('inbound_messages').select('id').where('message_id', '=', 'enter-1').execute()).length === 1);
    await rt.services.drainer.drainOnce();
    expect(wecom.requests.filter((r) => r.path === '/cgi-bin/message/send' || r.path === '/cgi-bin/aibot/response')).toHaveLength(sendsBefore);
  });

  it('takes one-to-one reports through the self-built app, and answers by app message with a refreshed token', async () => {
    const xml = `<xml><ToUserName><![CDATA[${WECOM_APP.corpId}]]></ToUserName><FromUserName><![CDATA[xinghuo-wang]]></FromUserName><CreateTime>1763870400</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我们厂的用电增容申请提交两个月了一直没有回音]]></Content><MsgId>7123456789012345678</MsgId><AgentID>1000002</AgentID></xml>`;
    const cb = signedCallback({ token: WECOM_APP.token, aesKey: WECOM_APP.aesKey, receiveId: WECOM_APP.corpId, plaintext: xml });
    const body = `<xml><ToUserName><![CDATA[${WECOM_APP.corpId}]]></ToUserName><Encrypt><![CDATA[${cb.encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    wecom.expireTokens();
    const res = await fetch(`${http.base}/webhooks/wecom-app?${cb.query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
    const sent = await eventually(() => wecom.posts('/cgi-bin/message/send').find((p) => (p.body as { touser: string }).touser === 'xinghuo-wang'));
    expect(sent.body).toMatchObject({ msgtype: 'text', agentid: 1000002, text: { content: expect.stringContaining('不会在群内公开') } });
    // The department hears of it one-to-one too, never in the group.
    await eventually(() => wecom.posts('/cgi-bin/message/send').find((p) => (p.body as { touser: string }).touser === 'lidian'));
    expect(wecom.posts('/cgi-bin/webhook/send').some((p) => JSON.stringify(p.body).includes('用电增容'))).toBe(false);
  });
});
