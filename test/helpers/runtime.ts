import { startRuntime, type Runtime } from '../../src/bootstrap';
import { parseEnv } from '../../src/config/env';
import { loadConfigFile } from '../../src/config/load';
import type { DatabaseHandle } from '../../src/db/database';
import type { InboundMessage } from '../../src/domain/message';
import { createMemoryLogger } from '../../src/logger';
import type { OutboundAdapter } from '../../adapters/types';
import type { Platform } from '../../src/domain/message';
import type { GongzhiConfig } from '../../src/config/schema';

export const EXAMPLE = new URL('../../config/example.yaml', import.meta.url).pathname;

/** A settable clock: tests move time explicitly. */
export function createTestClock(start = '2026-11-23T02:00:00Z') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (iso: string) => void (t = new Date(iso).getTime()),
    advance: (ms: number) => void (t += ms),
  };
}

export async function createTestRuntime(
  database: DatabaseHandle,
  opts: {
    now?: () => Date;
    adapters?: Partial<Record<Platform, OutboundAdapter>>;
    config?: GongzhiConfig;
    env?: Record<string, string>;
    /** Platform credentials; tests never read the developer's real environment. */
    rawEnv?: Record<string, string>;
  } = {},
): Promise<Runtime & { logger: ReturnType<typeof createMemoryLogger> }> {
  const logger = createMemoryLogger();
  const config = opts.config ?? (await loadConfigFile(EXAMPLE));
  const runtime = await startRuntime({
    env: parseEnv({ NODE_ENV: 'test', GONGZHI_PLAYGROUND: '1', ...(opts.env ?? {}) }),
    logger,
    config,
    database,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.adapters ? { adapters: opts.adapters } : {}),
    rawEnv: opts.rawEnv ?? {},
  });
  return { ...runtime, logger };
}

let counter = 0;
/** A group message in the local playground group `county` from `userId`. */
export function localMessage(userId: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  counter++;
  return {
    platform: 'local',
    messageId: `t-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`,
    chatType: 'group',
    chatId: 'county',
    chatTitle: '青山县营商环境共商共治群',
    sender: { userId, name: userId },
    text,
    // Deliberately not the wall clock: the pipeline stamps its own (injected) clock on acceptance.
    receivedAt: new Date(0),
    ...extra,
  };
}
