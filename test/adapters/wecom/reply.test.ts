import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomClient } from '../../../adapters/wecom/client';
import { createWecomSender } from '../../../adapters/wecom/sender';
import type { OutboundMessage } from '../../../src/domain/message';
import { createMemoryLogger } from '../../../src/logger';
import { startFakeServer } from '../../fakes/http-server';
import { startFakeWecom } from '../../fakes/wecom-api';
import { WECOM_APP } from '../../fakes/wecom-callbacks';
import { createTestClock } from '../../helpers/runtime';

describe('WeCom replies through response_url', () => {
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let attacker: Awaited<ReturnType<typeof startFakeServer>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const logger = createMemoryLogger();
  let sender: ReturnType<typeof createWecomSender>;

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret });
    attacker = await startFakeServer(() => ({ json: { errcode: 0 } }));
    const client = createWecomClient({ apiBase: wecom.base, app: null });
    sender = createWecomSender({ client, webhookKeyFor: (chatId) => (chatId === 'wr-county' ? 'group-key' : null), logger, now: clock.now, replyHosts: [new URL(wecom.base).host] });
  });
  afterAll(async () => {
    await wecom?.close();
    await attacker?.close();
  });

  const reply = (url: string, text: string, mentions: string[] = []): OutboundMessage => ({
    platform: 'wecom',
    target: { kind: 'reply', chatType: 'group', chatId: 'wr-county', handle: { kind: 'wecom-response-url', url, expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() } },
    payload: { format: 'text', text, mentions },
  } as OutboundMessage);

  it('shows echoed user text literally: no links, mentions or formatting smuggled into the markdown', async () => {
    const url = `${wecom.base}/cgi-bin/aibot/response?response_code=md-1`;
    const echoed = 'GZ-20261123-0001 诉求：[点此领取补贴](http://evil.example/) <@all> **紧急** <font color="warning">假通知</font>\n# 标题\n> 引用 `code`';
    expect(await sender.send(reply(url, echoed, ['caojun']))).toEqual({ ok: true });
    const post = wecom.posts('/cgi-bin/aibot/response').find((p) => p.query.response_code === 'md-1')!;
    const content = (post.body as { markdown: { content: string } }).markdown.content;
    expect(content).not.toMatch(/\]\(|<@all>|\*\*|<font|^#|^>|`/m);
    expect(content).toContain('点此领取补贴');
    expect(content).toContain('假通知');
    // Our own mention stays a mention.
    expect(content.endsWith('<@caojun>')).toBe(true);
  });

  it('never posts to a response_url outside the WeCom API host; the group carries the reply', async () => {
    const r = await sender.send(reply(`${attacker.base}/cgi-bin/aibot/response?response_code=evil`, 'GZ-20261123-0002 已受理'));
    expect(r).toEqual({ ok: true });
    expect(attacker.requests).toEqual([]);
    expect(wecom.posts('/cgi-bin/webhook/send').some((p) => JSON.stringify(p.body).includes('GZ-20261123-0002 已受理'))).toBe(true);
    expect(logger.lines.find((l) => l.event === 'wecom.response_url_refused')).toBeTruthy();
  });
});
