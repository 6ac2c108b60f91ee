import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { diffDirectory } from '../../src/directory/diff';
import { insertRevision } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { startFakeDingtalk } from '../fakes/dingtalk-api';

/**
 * Started with no DingTalk group and no DingTalk app: a custom-robot group added later through the
 * live directory (what the console writes) gets its posts at once, without a restart.
 */
describeOnDatabases('DingTalk late groups', (db) => {
  it('a DingTalk custom-robot group added while running is posted to without a restart', async () => {
    const dingtalk = await startFakeDingtalk({ clientId: 'unused', clientSecret: 'unused' });
    const clock = createTestClock();
    const runtime = await createTestRuntime(db(), { now: clock.now, rawEnv: { DINGTALK_OAPI_BASE: dingtalk.base, GONGZHI_GROUP_KEY_DT_LATE: 'late-token' } });
    try {
      const live = runtime.services.liveDirectory;
      expect(live.config.groups.some((g) => g.platform === 'dingtalk')).toBe(false);
      const sender = runtime.platforms.senders.dingtalk;
      expect(sender).toBeDefined();
      const groups = [...live.config.groups, { id: 'county-dingtalk', name: '钉钉群', platform: 'dingtalk', chatId: 'cid-late', outbound: { kind: 'dingtalk-custom-robot', accessToken: '${GONGZHI_GROUP_KEY_DT_LATE}' } }];
      const w = await live.write({ directory: { ...live.snapshot, groups }, base: live.revision, author: 'zhaolei', source: 'console' });
      expect(w).toMatchObject({ ok: true, written: true });
      const r = await sender!.send({ platform: 'dingtalk', target: { kind: 'group', chatId: 'cid-late' }, payload: { format: 'text', text: '【派单】测试', mentions: [] } });
      expect(r).toEqual({ ok: true });
      const posts = dingtalk.posts('/robot/send');
      expect(posts).toHaveLength(1);
      // The directory holds the reference; the token is read from the environment for the post.
      expect(posts[0]!.query.access_token).toBe('late-token');
      expect(JSON.stringify((await sql`select * from directory_revisions`.execute(runtime.services.db)).rows)).not.toContain('late-token');
      expect(posts[0]!.body).toMatchObject({ msgtype: 'text', text: { content: '【派单】测试' } });
      // An app-robot group needs the app: without DINGTALK_CLIENT_ID/SECRET the post fails with the reason, not a token error.
      // (This instance refuses to save one; another instance, with the app, wrote it.)
      const appGroup = [...groups, { id: 'county-dingtalk-app', name: '钉钉应用群', platform: 'dingtalk', chatId: 'cid-app', outbound: { kind: 'dingtalk-robot' } }];
      const next = { ...live.snapshot, groups: appGroup };
      await runtime.services.db.transaction().execute((tx) => insertRevision(tx, { base: live.revision, author: 'other-instance', source: 'console', directory: next, changes: diffDirectory(live.snapshot, next) }, clock.now()));
      clock.advance(5_000);
      await live.catchUp();
      expect(live.config.groups.some((g) => g.id === 'county-dingtalk-app')).toBe(true);
      const app = await sender!.send({ platform: 'dingtalk', target: { kind: 'group', chatId: 'cid-app' }, payload: { format: 'text', text: '测试', mentions: [] } });
      expect(app).toMatchObject({ ok: false, retry: 'never', error: expect.stringContaining('DINGTALK_CLIENT_ID') });
      expect(dingtalk.posts('/v1.0/oauth2/accessToken')).toHaveLength(0);
    } finally {
      await runtime.close();
      await dingtalk.close();
    }
  });
});
