import { createDingtalkClient } from '../../adapters/dingtalk/client';
import { createDingtalkEndpoint } from '../../adapters/dingtalk/index';
import { createDingtalkSender } from '../../adapters/dingtalk/sender';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { createLocalAdapter } from '../../adapters/local/local-adapter';
import { createLocalEndpoint } from '../../adapters/local/local-endpoint';
import { createWecomClient } from '../../adapters/wecom/client';
import { createAibotEndpoint } from '../../adapters/wecom/index';
import { createWecomSender } from '../../adapters/wecom/sender';
import { createMemoryLogger } from '../../src/logger';
import { robotPayload, startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';
import { aibotTextPayload, signedCallback, WECOM_APP, WECOM_BOT } from '../fakes/wecom-callbacks';
import { adapterContract, type ContractMessage } from './adapter-contract';

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

adapterContract('local playground', async () => {
  const local = createLocalAdapter({ botName: '共治助手' });
  const request = (m: ContractMessage) => ({
    method: 'POST',
    url: new URL('http://localhost/playground/api/messages'),
    headers: new Headers({ 'content-type': 'application/json' }),
    body: JSON.stringify({ messageId: m.messageId, chat: m.chatType, chatId: m.chatId, userId: m.userId, name: m.userId, text: m.text }),
  });
  return {
    endpoint: createLocalEndpoint(),
    sender: local,
    groupChatId: 'county',
    request,
    forged: () => null,
    replyHandle: (tag) => ({ kind: 'local', url: `local:${tag}`, expiresAt: inAnHour() }),
    delivered: async (marker) => {
      const e = [...local.transcript('county', 0), ...local.directTranscript('lidian', 0)].find((x) => x.text.includes(marker));
      return e && { text: e.text, mentions: e.mentions };
    },
    throttleNextGroupPost: null,
    close: async () => undefined,
  };
});

adapterContract('WeCom AI bot', async () => {
  const wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
  const settings = { token: WECOM_BOT.token, encodingAesKey: WECOM_BOT.aesKey, receiveId: '', settingNames: { token: 'WECOM_BOT_TOKEN', aesKey: 'WECOM_BOT_AES_KEY' } };
  const request = (m: ContractMessage, token = WECOM_BOT.token) => {
    const plaintext = aibotTextPayload({ msgid: m.messageId, chatid: m.chatId, userid: m.userId, text: `@共治助手 ${m.text}`, responseUrl: `${wecom.base}/cgi-bin/aibot/response?response_code=x`, chattype: m.chatType === 'group' ? 'group' : 'single' });
    const cb = signedCallback({ token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext });
    return { method: 'POST', url: new URL(`https://bot.example/webhooks/wecom?${cb.query}`), headers: new Headers(), body: JSON.stringify({ encrypt: cb.encrypted }) };
  };
  const client = createWecomClient({ apiBase: wecom.base, app: { corpId: WECOM_APP.corpId, secret: WECOM_APP.secret, agentId: 1000002 } });
  return {
    endpoint: createAibotEndpoint(settings),
    sender: createWecomSender({ client, webhookKeyFor: (chatId) => (chatId === 'wr-county-chat' ? 'group-key' : null), logger: createMemoryLogger(), replyHosts: [new URL(wecom.base).host] }),
    groupChatId: 'wr-county-chat',
    request: (m) => request(m),
    forged: (m) => request(m, 'not-the-token'),
    replyHandle: (tag) => ({ kind: 'wecom-response-url', url: `${wecom.base}/cgi-bin/aibot/response?response_code=${tag}`, expiresAt: inAnHour() }),
    delivered: async (marker) => {
      const r = wecom.requests.find((x) => x.method === 'POST' && JSON.stringify(x.body).includes(marker));
      if (!r) return undefined;
      const b = r.body as { text?: { content: string; mentioned_list?: string[] }; markdown?: { content: string } };
      return { text: b.text?.content ?? b.markdown?.content ?? '', mentions: b.text?.mentioned_list ?? [] };
    },
    throttleNextGroupPost: () => wecom.failNext('/cgi-bin/webhook/send', { errcode: 45009, errmsg: 'api freq out of limit' }),
    close: () => wecom.close(),
  };
});

adapterContract('DingTalk robot', async () => {
  const app = { clientId: 'ding-robot-code', clientSecret: 'dt-secret' };
  const dt = await startFakeDingtalk(app);
  const request = (m: ContractMessage, now: Date, secret = app.clientSecret) => {
    const ts = String(now.getTime());
    const body = robotPayload({ msgId: m.messageId, staffId: m.userId, text: m.text, conversationId: m.chatType === 'group' ? m.chatId : 'cid-direct', group: m.chatType === 'group', sessionWebhook: `${dt.base}/robot/sendBySession?session=c` });
    return { method: 'POST', url: new URL('https://bot.example/webhooks/dingtalk'), headers: new Headers({ timestamp: ts, sign: dingtalkSign(secret, ts) }), body: JSON.stringify(body) };
  };
  const client = createDingtalkClient({ apiBase: dt.base, oapiBase: dt.base, ...app });
  return {
    endpoint: createDingtalkEndpoint(app.clientSecret),
    sender: createDingtalkSender({
      client,
      outboundFor: (chatId) => (chatId === 'cid-county==' ? { kind: 'dingtalk-custom-robot', accessToken: 'custom-token', secret: 'SEC-custom' } : null),
      logger: createMemoryLogger(),
      replyHosts: [new URL(dt.base).host],
    }),
    groupChatId: 'cid-county==',
    request,
    forged: (m, now) => request(m, now, 'wrong'),
    replyHandle: (tag) => ({ kind: 'dingtalk-session', url: `${dt.base}/robot/sendBySession?session=${tag}`, expiresAt: inAnHour() }),
    delivered: async (marker) => {
      const r = dt.requests.find((x) => x.method === 'POST' && JSON.stringify(x.body).includes(marker));
      if (!r) return undefined;
      const b = r.body as { text?: { content: string }; at?: { atUserIds?: string[] }; msgParam?: string };
      return { text: b.text?.content ?? (b.msgParam ? JSON.parse(b.msgParam).content : ''), mentions: b.at?.atUserIds ?? [] };
    },
    throttleNextGroupPost: () => dt.failNext('/robot/send', { status: 200, json: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } }),
    close: () => dt.close(),
  };
});
