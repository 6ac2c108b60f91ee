import type { StreamReceiver } from '../../adapters/dingtalk/stream';
import type { DatabaseHandle } from '../../src/db/database';
import { startDingtalkStream } from '../../src/node/dingtalk-stream';
import { dingtalkRawEnv, startFakeDingtalk } from '../fakes/dingtalk-api';
import { platformConfig } from './platform-config';
import { createTestRuntime } from './runtime';
import { eventually } from './serve';

export const STREAM_APP = { clientId: 'ding-robot-code', clientSecret: 'dt-secret-for-tests' };

export interface DingtalkStreamRuntime {
  /** The loopback DingTalk: OpenAPI, gateway and Stream socket. */
  dt: Awaited<ReturnType<typeof startFakeDingtalk>>;
  rt: Awaited<ReturnType<typeof createTestRuntime>>;
  /** The supervised Stream client, connected. */
  stream: StreamReceiver;
  close(): Promise<void>;
}

/** A runtime in DingTalk Stream mode against the loopback DingTalk, its socket connected. */
export async function startDingtalkStreamRuntime(database: DatabaseHandle, env: Record<string, string> = {}): Promise<DingtalkStreamRuntime> {
  const dt = await startFakeDingtalk(STREAM_APP);
  const rt = await createTestRuntime(database, {
    config: await platformConfig(['dingtalk']),
    rawEnv: { ...dingtalkRawEnv(STREAM_APP, dt.base), DINGTALK_MODE: 'stream', ...env },
  });
  const stream = startDingtalkStream(rt.services, rt.platforms.dingtalk!);
  await eventually(() => stream.state().connected);
  return {
    dt,
    rt,
    stream,
    async close() {
      await stream.stop();
      await rt.close();
      await dt.close();
    },
  };
}
