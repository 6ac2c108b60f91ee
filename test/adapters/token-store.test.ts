import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDingtalkClient } from '../../adapters/dingtalk/client';
import { createWecomClient } from '../../adapters/wecom/client';
import type { DatabaseHandle } from '../../src/db/database';
import { createDbTokenStore } from '../../src/repo/platform-tokens';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock } from '../helpers/runtime';
import { startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';

const APP = { corpId: 'ww-test-corp', secret: 'app-secret', agentId: 1000002 };
const DT = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-tests' };

// Issue 17 fix 2: on Workers the clients are rebuilt for every request, so a token cached in a
// client's memory dies with the request. Each "request" below builds its own client and its own
// store object over the same database, exactly as src/worker.ts does.
describeOnDatabases('access tokens shared across requests through the database', (database) => {
  let h: DatabaseHandle;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const now = () => clock.now().getTime();

  beforeAll(async () => {
    h = database();
    wecom = await startFakeWecom();
    dt = await startFakeDingtalk(DT);
  });
  afterAll(async () => {
    await wecom?.close();
    await dt?.close();
  });

  const wecomRequest = () => createWecomClient({ apiBase: wecom.base, app: APP, now, tokens: createDbTokenStore(h.db, { now: clock.now, pollMs: 10 }) });
  const dingtalkRequest = () => createDingtalkClient({ apiBase: dt.base, oapiBase: dt.base, ...DT, now, tokens: createDbTokenStore(h.db, { now: clock.now, pollMs: 10 }) });

  it('twelve concurrent requests, each with fresh clients, cost one gettoken; all their messages go out', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => wecomRequest().sendAppText(`user${i}`, `第 ${i} 条`)));
    expect(results.map((r) => r.errcode)).toEqual(Array(12).fill(0));
    expect(wecom.tokenCalls()).toBe(1);
    // Later requests within the token's life fetch nothing.
    for (let i = 0; i < 5; i++) await wecomRequest().sendAppText('user0', '再来一条');
    expect(wecom.tokenCalls()).toBe(1);
  });

  it('fetches once more when the stored token is about to expire (five minutes before WeCom’s 7200 s)', async () => {
    clock.advance((7200 - 300 - 1) * 1000);
    await wecomRequest().sendAppText('user0', '快到期');
    expect(wecom.tokenCalls()).toBe(1);
    clock.advance(2000);
    await Promise.all(Array.from({ length: 6 }, () => wecomRequest().sendAppText('user1', '到期后')));
    expect(wecom.tokenCalls()).toBe(2);
  });

  it('a token WeCom refuses (42001) is replaced once, and the replacement serves the next requests', async () => {
    wecom.expireTokens();
    const results = await Promise.all(Array.from({ length: 4 }, () => wecomRequest().sendAppText('user2', '令牌被作废后')));
    expect(results.map((r) => r.errcode)).toEqual([0, 0, 0, 0]);
    // Every request saw 42001 and dropped the token it had used; one of them fetched the new one.
    const after = wecom.tokenCalls();
    expect(after).toBe(3);
    await Promise.all(Array.from({ length: 4 }, () => wecomRequest().sendAppText('user2', '之后')));
    expect(wecom.tokenCalls()).toBe(after);
  });

  it('DingTalk: ten concurrent requests share one accessToken call', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => dingtalkRequest().sendDirect([`dt-user${i}`], 'sampleText', { content: '通知' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(dt.posts('/v1.0/oauth2/accessToken')).toHaveLength(1);
  });

  it('a failed fetch releases the lease at once: the next request fetches instead of waiting it out', async () => {
    clock.advance(3 * 3600_000);
    dt.failNext('/v1.0/oauth2/accessToken', { status: 500, json: { code: 'ServiceUnavailable', message: 'busy' } });
    await expect(dingtalkRequest().sendDirect(['dt-a'], 'sampleText', { content: 'x' })).rejects.toThrow(/accessToken failed/);
    const r = await dingtalkRequest().sendDirect(['dt-a'], 'sampleText', { content: 'x' });
    expect(r.ok).toBe(true);
    expect(dt.posts('/v1.0/oauth2/accessToken')).toHaveLength(3);
  });
});
