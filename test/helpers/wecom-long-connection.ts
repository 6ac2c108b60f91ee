import type { GongzhiConfig } from '../../src/config/schema';
import { startWecomLongConnection, type WecomLongConnection } from '../../src/node/wecom-long-connection';
import type { TEST_DATABASES } from './databases';
import { platformConfig } from './platform-config';
import { createTestRuntime } from './runtime';
import { eventually } from './serve';
import { startFakeAibot } from '../fakes/wecom-aibot-ws';

export const AIBOT = { botId: 'aibot-gongzhi', secret: 'aibot-secret-for-tests' };

/** The example county with its WeCom group reached over the long connection (no webhook key anywhere). */
export async function longConnectionConfig(): Promise<GongzhiConfig> {
  const cfg = await platformConfig(['wecom']);
  return { ...cfg, groups: cfg.groups.map((g) => (g.platform === 'wecom' ? { ...g, outbound: { kind: 'wecom-aibot' as const } } : g)) };
}

export interface LongConnectionFixture {
  fake: Awaited<ReturnType<typeof startFakeAibot>>;
  rt: Awaited<ReturnType<typeof createTestRuntime>>;
  lc: WecomLongConnection;
}

/** A runtime connected through the official SDK to a loopback AI-bot server, once subscribed. */
export async function openLongConnection(database: (typeof TEST_DATABASES)[number], timings: Parameters<typeof startWecomLongConnection>[2]): Promise<LongConnectionFixture> {
  const fake = await startFakeAibot(AIBOT);
  const rt = await createTestRuntime(await database.open(), {
    config: await longConnectionConfig(),
    rawEnv: { WECOM_BOT_ID: AIBOT.botId, WECOM_BOT_SECRET: AIBOT.secret, WECOM_BOT_WS_URL: fake.wsUrl },
  });
  const lc = startWecomLongConnection(rt.services, rt.platforms.wecomLongConnection!, timings);
  await eventually(() => lc.state().connected);
  return { fake, rt, lc };
}

export async function closeLongConnection(f: Partial<LongConnectionFixture>): Promise<void> {
  await f.lc?.stop();
  await f.rt?.close();
  await f.fake?.close();
}
