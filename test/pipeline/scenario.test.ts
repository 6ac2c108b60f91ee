import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestRuntime, localMessage } from '../helpers/runtime';
import { eventually, serveApp } from '../helpers/serve';
import { startFakeWecom } from '../fakes/wecom-api';
import { robotPayload, startFakeDingtalk } from '../fakes/dingtalk-api';
import { aibotRequest, aibotTextPayload, WECOM_BOT } from '../fakes/wecom-callbacks';

/** One way into the bot (a platform) and out of it (what that platform received). */
interface Channel {
  name: string;
  groupId: string;
  /** A staff member's user id on this platform. */
  staff(id: string): string;
  send(userId: string, text: string): Promise<void>;
  /** Every text the platform received from the bot, in order. */
  received(): string[];
}

let n = 0;
const DINGTALK = { clientId: 'ding-robot-code', clientSecret: 'dt-secret' };

describe('the 12345 loop from the chat, on every platform', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  const channels: Channel[] = [];

  beforeAll(async () => {
    wecom = await startFakeWecom();
    dt = await startFakeDingtalk(DINGTALK);
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      // The whole month's loop runs in seconds here; the real limit (15 a minute) is tested in test/outbox.
      config: { ...(await platformConfig(['wecom', 'dingtalk'])), delivery: { perMinute: 20, coalesceAt: 50 } },
      rawEnv: {
        WECOM_BOT_TOKEN: WECOM_BOT.token,
        WECOM_BOT_AES_KEY: WECOM_BOT.aesKey,
        WECOM_API_BASE: wecom.base,
        DINGTALK_CLIENT_ID: DINGTALK.clientId,
        DINGTALK_CLIENT_SECRET: DINGTALK.clientSecret,
        DINGTALK_API_BASE: dt.base,
        DINGTALK_OAPI_BASE: dt.base,
      },
    });
    http = await serveApp(rt.app);
    const drained = async () => rt.services.drainer.drainOnce();
    channels.push(
      {
        name: 'local playground',
        groupId: 'county',
        staff: (id) => id,
        async send(userId, text) {
          await rt.services.pipeline.receive(localMessage(userId, text));
          await drained();
        },
        received: () => rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text),
      },
      {
        name: 'WeCom (fake)',
        groupId: 'county-wecom',
        staff: (id) => id,
        async send(userId, text) {
          const r = aibotRequest(http.base, aibotTextPayload({ msgid: `sc-${++n}`, userid: userId, text: `@共治助手 ${text}`, responseUrl: `${wecom.base}/cgi-bin/aibot/response?response_code=sc${n}` }));
          expect((await fetch(r.href, r.init)).status).toBe(200);
          await drained();
        },
        received: () =>
          wecom.requests
            .filter((q) => q.method === 'POST' && (q.path === '/cgi-bin/webhook/send' || q.path === '/cgi-bin/aibot/response'))
            .map((q) => {
              const b = q.body as { text?: { content: string }; markdown?: { content: string } };
              return b.text?.content ?? b.markdown?.content ?? '';
            }),
      },
      {
        name: 'DingTalk (fake)',
        groupId: 'county-dingtalk',
        staff: (id) => `dt-${id}`,
        async send(userId, text) {
          // Each callback its own millisecond, as DingTalk's are: a signed pair serves one message.
          const ts = String(Date.now() + n);
          const body = JSON.stringify(robotPayload({ msgId: `sc-${++n}`, staffId: userId, text, sessionWebhook: `${dt.base}/robot/sendBySession?session=sc${n}` }));
          const res = await fetch(`${http.base}/webhooks/dingtalk`, { method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(DINGTALK.clientSecret, ts) }, body });
          expect(res.status).toBe(200);
          await drained();
        },
        received: () =>
          dt.requests
            .filter((q) => q.method === 'POST' && (q.path === '/robot/sendBySession' || q.path === '/v1.0/robot/groupMessages/send'))
            .map((q) => {
              const b = q.body as { text?: { content: string }; msgParam?: string };
              return b.text?.content ?? (b.msgParam ? (JSON.parse(b.msgParam) as { content: string }).content : '');
            }),
      },
    );
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await wecom?.close();
    await dt?.close();
  });

  for (const name of ['local playground', 'WeCom (fake)', 'DingTalk (fake)']) {
    it(`runs the scripted scenario through ${name}`, async () => {
      const ch = channels.find((c) => c.name === name)!;
      const db = rt.services.db;
      const tag = name.slice(0, 2);
      const enterprise = `ent-a-${tag}`;
      const other = `ent-b-${tag}`;
      const lastPost = () => ch.received().at(-1) ?? '';
      const kinds = async (id: number) => (await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).orderBy('id').execute()).map((e) => e.kind);
      const step = async (user: string, text: string, expectPost: RegExp) => {
        const before = ch.received().length;
        await ch.send(user, text);
        await eventually(() => ch.received().length > before);
        expect(ch.received().slice(before).join('\n')).toMatch(expectPost);
      };

      // An enterprise reports; the ticket is routed to the power company.
      await step(enterprise, '我们厂区的变压器经常跳闸，车间的生产线三天两头停下来', /已受理|【派单】/);
      const t = await db.selectFrom('tickets').selectAll().where('group_id', '=', ch.groupId).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(t).toMatchObject({ status: 'dispatched', department_id: 'power', category: 'utilities' });
      const ref = t.number;

      // Two staff claim at once: one wins, the other is told who has it.
      const before = ch.received().length;
      await Promise.all([ch.send(ch.staff('lidian'), `/认领 ${ref}`), ch.send(ch.staff('majun'), `/认领 ${ref}`)]);
      await eventually(() => ch.received().length >= before + 2);
      const claimPosts = ch.received().slice(before).join('\n');
      expect(claimPosts).toMatch(/签收，正在办理/);
      expect(claimPosts).toMatch(/无需重复认领/);

      await step(enterprise, `/办结 ${ref} 自己好了`, /企业不能使用该命令/);
      await step(other, `/附议 ${ref}`, /已记录您的附议/);
      await step(ch.staff('wangmin'), `/转派 ${ref} 供水公司 先排查厂区供水泵房`, /【转派】/);
      await step(ch.staff('gaoshui'), `/协办 ${ref} 供电公司`, /【协同办理】/);
      await step(ch.staff('gaoshui'), `/认领 ${ref}`, /签收/);
      await step(ch.staff('gaoshui'), `/办结 ${ref} 已更换泵房电机并调整启动方式`, /【办结】/);
      await step(enterprise, `/评价 ${ref} 2 还是会跳闸`, /挂牌督办/);
      expect(await db.selectFrom('tickets').select(['status', 'supervised']).where('id', '=', t.id).executeTakeFirstOrThrow()).toEqual({ status: 'dispatched', supervised: true });
      await step(ch.staff('gaoshui'), `/认领 ${ref}`, /签收/);
      await step(ch.staff('gaoshui'), `/办结 ${ref} 已加装软启动器，连续三天无跳闸`, /待营商办确认/);
      await step(ch.staff('wangmin'), `/确认办结 ${ref}`, /【办结】/);
      await step(enterprise, `/评价 ${ref} 5`, /已评价 5 分，工单关闭/);

      expect(await db.selectFrom('tickets').select(['status', 'rating', 'close_reason']).where('id', '=', t.id).executeTakeFirstOrThrow()).toEqual({ status: 'closed', rating: 5, close_reason: 'satisfied' });
      expect(await kinds(t.id)).toEqual([
        'received', 'dispatched', 'claimed', 'supporter_added', 'reassigned', 'co_handling_added', 'claimed', 'resolved',
        'rated', 'reopened', 'supervised', 'claimed', 'resolution_submitted', 'confirmed', 'rated', 'closed',
      ]);

      // /帮助 shows exactly what the caller's role may use.
      await step(enterprise, '/帮助', /\/评价/);
      expect(lastPost()).not.toMatch(/\/认领/);
      await step(ch.staff('wangmin'), '/帮助', /\/派单/);
    });
  }
});
