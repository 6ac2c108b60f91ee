import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASES } from '../helpers/databases';
import { startDingtalkStreamRuntime, type DingtalkStreamRuntime } from '../helpers/dingtalk-stream';
import { eventually } from '../helpers/serve';
import { robotPayload } from '../fakes/dingtalk-api';
import { platformEnvProblems } from '../../src/config/platform-env';
import { createTestRuntime } from '../helpers/runtime';
import { platformConfig } from '../helpers/platform-config';

const POWER = '我们厂新建的厂房申请用电报装一个月了还没接通';

/**
 * A card click names the clicker's organisation (corpId) but not the robot's: without
 * DINGTALK_CORP_ID there was nothing to compare it with, and a member of another organisation
 * whose userid equals our staff's (dt-lidian) claimed the ticket from its card.
 */
describe('attack: DingTalk card click from another organisation, no DINGTALK_CORP_ID', () => {
  it('refuses to start Stream mode with card buttons but without DINGTALK_CORP_ID, naming the variable', async () => {
    const base = { DINGTALK_CLIENT_ID: 'ding-robot-code', DINGTALK_CLIENT_SECRET: 'dt-secret-for-tests', DINGTALK_MODE: 'stream', DINGTALK_CARD_TEMPLATE_ID: 'tpl-gongzhi-ticket.schema' };
    expect(platformEnvProblems(base).join('\n')).toMatch(/DINGTALK_CORP_ID 未设置/);
    expect(platformEnvProblems({ ...base, DINGTALK_CORP_ID: 'ding-corp' })).toEqual([]);
    // HTTP mode sends no cards (clicks arrive on the Stream topic only): nothing to check there.
    expect(platformEnvProblems({ ...base, DINGTALK_MODE: 'http' })).toEqual([]);
    const db = await TEST_DATABASES[0]!.open();
    try {
      await expect(createTestRuntime(db, { config: await platformConfig(['dingtalk']), rawEnv: base })).rejects.toThrow(/DINGTALK_CORP_ID 未设置/);
    } finally {
      await db.close();
    }
  });

  describe.each(TEST_DATABASES)('a click that arrives anyway (no card template, no DINGTALK_CORP_ID) on $kind', (database) => {
    let f: DingtalkStreamRuntime;
    beforeAll(async () => {
      f = await startDingtalkStreamRuntime(await database.open());
    });
    afterAll(async () => f?.close());
    const ticket = () => f.rt.services.db.selectFrom('tickets').selectAll().where('content', '=', POWER).executeTakeFirst();

    it('an outsider’s card click with our staff’s userid does not claim the ticket', async () => {
      const { dt } = f;
      dt.pushRobot(robotPayload({ msgId: 'atk-report', staffId: 'hengtong-zhang', text: POWER, sessionWebhook: `${dt.base}/robot/sendBySession?session=a0` }));
      const t = await eventually(async () => (await ticket())?.status === 'dispatched' && ticket());
      const foreign = dt.pushCardClick(`gz-ticket-${t!.id}`, 'dt-lidian', ['claim'], {}, 'ding-other-corp');
      await eventually(() => dt.acks(foreign)[0]);
      expect((await ticket())!.status).toBe('dispatched');
      // With no organisation of ours to compare, a click is nobody's staff, whatever corp it names.
      const ours = dt.pushCardClick(`gz-ticket-${t!.id}`, 'dt-lidian', ['claim']);
      await eventually(() => dt.acks(ours)[0]);
      expect((await ticket())!.status).toBe('dispatched');
      expect((await ticket())!.assignee_id).toBeNull();
    });
  });
});
