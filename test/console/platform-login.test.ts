import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { disableConsoleAccount } from '../../src/repo/console-accounts';
import { startFakeDingtalk } from '../fakes/dingtalk-api';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestRuntime } from '../helpers/runtime';

const DINGTALK = { clientId: 'ding-login-app', clientSecret: 'ding-login-secret' };

describe('console sign-in with WeCom and DingTalk', () => {
  let rt: Runtime;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  const wecomCodes: Record<string, string> = {};
  const dingCodes: Record<string, string> = {};

  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret, loginCodes: wecomCodes });
    // platformConfig gives every staff member the DingTalk user id "dt-<id>".
    dt = await startFakeDingtalk({ ...DINGTALK, loginCodes: dingCodes, unionIds: { 'union-wangmin': 'dt-wangmin', 'union-stranger': 'dt-nobody' } });
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      config: await platformConfig(['wecom', 'dingtalk']),
      rawEnv: { ...wecomRawEnv(wecom.base), DINGTALK_CLIENT_ID: DINGTALK.clientId, DINGTALK_CLIENT_SECRET: DINGTALK.clientSecret, DINGTALK_API_BASE: dt.base, DINGTALK_OAPI_BASE: dt.base },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
    await dt?.close();
  });

  /** Starts sign-in the way the button does and returns the platform URL and the state cookie. */
  async function start(platform: string, userAgent = 'Mozilla/5.0 Chrome/156') {
    const res = await rt.app.request(`/console/login/${platform}?next=/console/tickets`, { headers: { 'user-agent': userAgent } });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return { to, cookie, state: to.searchParams.get('state')! };
  }
  const callback = (platform: string, cookie: string, query: Record<string, string>) =>
    rt.app.request(`/console/login/${platform}/callback?${new URLSearchParams(query)}`, { headers: { cookie } });

  it('offers both platforms on the sign-in page', async () => {
    const html = await (await rt.app.request('/console/login')).text();
    expect(html).toContain('用企业微信登录');
    expect(html).toContain('用钉钉登录');
  });

  it('signs a WeCom member in by QR code, and silently inside the WeCom client', async () => {
    const { to, cookie, state } = await start('wecom');
    expect(`${to.origin}${to.pathname}`).toBe('https://login.work.weixin.qq.com/wwlogin/sso/login');
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ login_type: 'CorpApp', appid: WECOM_APP.corpId, agentid: String(WECOM_APP.agentId), redirect_uri: 'http://localhost/console/login/wecom/callback' });
    wecomCodes['code-1'] = 'wangmin';
    const res = await callback('wecom', cookie, { code: 'code-1', state });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/tickets');
    const session = res.headers.getSetCookie().find((c) => c.startsWith('gz_console='))!.split(';')[0]!;
    const page = await rt.app.request('/console', { headers: { cookie: session } });
    expect(await page.text()).toContain('王敏（营商办派单员）');

    const inApp = await start('wecom', 'Mozilla/5.0 wxwork/4.1.22 MicroMessenger/7.0.1');
    expect(inApp.to.href).toMatch(/^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?.*scope=snsapi_base.*#wechat_redirect$/);
  });

  it('signs a DingTalk member in through unionId → userid', async () => {
    const { to, cookie, state } = await start('dingtalk');
    expect(`${to.origin}${to.pathname}`).toBe('https://login.dingtalk.com/oauth2/auth');
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ client_id: DINGTALK.clientId, response_type: 'code', scope: 'openid', prompt: 'consent' });
    dingCodes['auth-1'] = 'union-wangmin';
    const res = await callback('dingtalk', cookie, { authCode: 'auth-1', state });
    expect(res.status).toBe(303);
    expect(dt.posts('/topapi/user/getbyunionid')).toHaveLength(1);
  });

  it('refuses a forged or replayed state, a used code, outsiders and disabled accounts, saying why', async () => {
    const a = await start('wecom');
    wecomCodes['code-2'] = 'wangmin';
    expect((await callback('wecom', a.cookie, { code: 'code-2', state: 'forged' })).status).toBe(400);
    expect((await callback('wecom', '', { code: 'code-2', state: a.state })).status).toBe(400);
    const b = await start('wecom');
    expect((await callback('wecom', b.cookie, { code: 'used-or-unknown', state: b.state })).status).toBe(401);

    const c = await start('wecom');
    wecomCodes['code-3'] = 'openid:o-outsider';
    const outsider = await callback('wecom', c.cookie, { code: 'code-3', state: c.state });
    expect(outsider.status).toBe(401);
    expect(await outsider.text()).toContain('该企业微信账号不是本单位成员');

    const d = await start('dingtalk');
    dingCodes['auth-2'] = 'union-stranger';
    const stranger = await callback('dingtalk', d.cookie, { authCode: 'auth-2', state: d.state });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('您的钉钉账号（dt-nobody）未登记为工作人员');

    await disableConsoleAccount(rt.services.db, 'wangmin', new Date());
    const e = await start('wecom');
    wecomCodes['code-4'] = 'wangmin';
    const disabled = await callback('wecom', e.cookie, { code: 'code-4', state: e.state });
    expect(disabled.status).toBe(403);
    expect(await disabled.text()).toContain('该账号已停用');
  });
});
