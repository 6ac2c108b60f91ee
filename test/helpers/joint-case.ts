import { afterAll, beforeAll } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { DatabaseHandle } from '../../src/db/database';
import { createTestClock, createTestRuntime, EXAMPLE, localMessage } from './runtime';

/** One flooded road (纬三路), four enterprises in three groups, each in its own words. */
export const FLOODED_ROAD: ReadonlyArray<readonly [user: string, chat: string, text: string]> = [
  ['ent-a', 'county', '@共治助手 开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
  ['ent-b', 'park', '@共治助手 纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
  ['ent-c', 'zone', '@共治助手 我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水'],
  ['ent-d', 'zone', '@共治助手 纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
];

export interface JointCaseRuntime {
  h: DatabaseHandle;
  rt: Runtime;
  /** A message an hour after the last, then the outbox delivered; chat 'direct' is one-to-one. */
  say(userId: string, chatId: string, text: string): ReturnType<Runtime['services']['pipeline']['receive']>;
  /** What the bot posted in a group, or sent one-to-one to a user. */
  botIn(chatId: string): string[];
  botTo(userId: string): string[];
}

/** The example county with a third group (青山东区), for topics reported across groups. */
export async function startJointCaseRuntime(h: DatabaseHandle, clock: ReturnType<typeof createTestClock>): Promise<JointCaseRuntime> {
  const config = await loadConfigFile(EXAMPLE);
  config.groups.push({ id: 'zone', name: '青山东区企业服务群', region: '青山县', platform: 'local', chatId: 'zone', outbound: { kind: 'local' } });
  const rt = await createTestRuntime(h, { now: clock.now, config });
  const bot = (entries: ReturnType<NonNullable<Runtime['local']>['transcript']>) => entries.filter((e) => e.from.kind === 'bot').map((e) => e.text);
  return {
    h,
    rt,
    async say(userId, chatId, text) {
      clock.advance(3_600_000);
      const direct = chatId === 'direct';
      const r = await rt.services.pipeline.receive(localMessage(userId, text, direct ? { chatType: 'direct', chatId: userId, chatTitle: undefined } : { chatId, chatTitle: chatId }));
      await rt.services.drainer.drainOnce();
      return r;
    },
    botIn: (chatId) => bot(rt.local!.transcript(chatId, 0)),
    botTo: (userId) => bot(rt.local!.directTranscript(userId, 0)),
  };
}

/**
 * The suite's joint-case runtime, started before its tests and closed after; `say`, `botIn` and
 * `botTo` may be taken apart at once (they reach the runtime when called).
 */
export function useJointCaseRuntime(database: () => DatabaseHandle, clock: ReturnType<typeof createTestClock>): JointCaseRuntime {
  let started: JointCaseRuntime | undefined;
  const live = (): JointCaseRuntime => {
    if (!started) throw new Error('joint-case runtime not started yet');
    return started;
  };
  beforeAll(async () => {
    started = await startJointCaseRuntime(database(), clock);
  });
  afterAll(async () => started?.rt.close());
  return {
    get h() {
      return live().h;
    },
    get rt() {
      return live().rt;
    },
    say: (userId, chatId, text) => live().say(userId, chatId, text),
    botIn: (chatId) => live().botIn(chatId),
    botTo: (userId) => live().botTo(userId),
  };
}
