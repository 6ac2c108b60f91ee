import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GongzhiConfig } from '../../src/config/schema';
import { loadConfigFile } from '../../src/config/load';
import { createMemoryLogger } from '../../src/logger';
import { createPlatforms } from '../../src/platforms';
import { EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';

/** Started with no WeCom group and no WeCom credentials: a webhook group added later in the console still gets its posts. */
let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
beforeAll(async () => void (wecom = await startFakeWecom()));
afterAll(async () => wecom?.close());

it('a WeCom group added while running is posted to without a restart', async () => {
  const example = await loadConfigFile(EXAMPLE);
  let config: GongzhiConfig = example;
  const platforms = createPlatforms({ WECOM_API_BASE: wecom.base }, () => config, createMemoryLogger());
  expect(config.groups.some((g) => g.platform === 'wecom')).toBe(false);
  // The console adds a WeCom group with its message-push key: the live directory's next config.
  config = { ...example, groups: [...example.groups, { id: 'county-wecom', name: '企业微信群', platform: 'wecom', chatId: 'wr-late', outbound: { kind: 'wecom-webhook', key: 'late-key' } }] };
  const sender = platforms.senders.wecom;
  expect(sender).toBeDefined();
  const r = await sender!.send({ platform: 'wecom', target: { kind: 'group', chatId: 'wr-late' }, payload: { format: 'text', text: '【派单】测试', mentions: [] } });
  expect(r.ok).toBe(true);
  const posts = wecom.posts('/cgi-bin/webhook/send');
  expect(posts).toHaveLength(1);
  expect(posts[0]!.query.key).toBe('late-key');
});
