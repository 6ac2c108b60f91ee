import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import type { Runtime } from '../bootstrap';
import { startDingtalkStream } from './dingtalk-stream';
import { createLeader, type Leader } from './leader';
import { startWecomLongConnection, type LongConnectionTimings, type WecomLongConnection } from './wecom-long-connection';

const pollSchema = z.coerce.number().int().min(100).max(600_000).default(5000);

export interface PlatformConnections {
  leader: Leader;
  stop(): Promise<void>;
  /** The connections this instance holds now (none while it follows). */
  held(): { wecom: WecomLongConnection | null; dingtalk: { stop(): Promise<void> } | null };
}

/**
 * The platforms' outbound sockets (WeCom AI-bot long connection, DingTalk Stream): each bot
 * allows one connection, so with several instances only the leader holds them; when it dies
 * another instance takes them over within one poll interval (GONGZHI_LEADER_POLL_MS, default 5 s).
 * Messages pushed meanwhile are redelivered by the platforms and de-duplicated by msgid.
 */
export function startPlatformConnections(
  runtime: Pick<Runtime, 'services' | 'platforms'>,
  env: { DATABASE_URL?: string | undefined },
  rawEnv: Record<string, string | undefined>,
  opts: { pollMs?: number; wecom?: LongConnectionTimings } = {},
): PlatformConnections | null {
  const { services, platforms } = runtime;
  const dingtalk = platforms.dingtalk?.mode === 'stream' ? platforms.dingtalk : null;
  const wecom = platforms.wecomLongConnection;
  if (!dingtalk && !wecom) return null;
  const poll = pollSchema.safeParse(rawEnv.GONGZHI_LEADER_POLL_MS === '' ? undefined : rawEnv.GONGZHI_LEADER_POLL_MS);
  if (!poll.success) throw new Error('GONGZHI_LEADER_POLL_MS 须为 100–600000 之间的毫秒数');
  if (wecom?.caFile) {
    // Checked at start-up: on election it would fail again at every poll.
    try {
      accessSync(wecom.caFile, constants.R_OK);
    } catch {
      throw new Error(`WECOM_BOT_WS_CA: 无法读取证书文件 ${wecom.caFile}`);
    }
  }
  let held: { wecom: WecomLongConnection | null; dingtalk: { stop(): Promise<void> } | null } = { wecom: null, dingtalk: null };
  const leader = createLeader({
    databaseUrl: env.DATABASE_URL,
    // One lock per set of bots: two deployments with different bots sharing a database do not wait for each other.
    name: `connections:${wecom?.botId ?? '-'}:${dingtalk?.clientId ?? '-'}`,
    pollMs: opts.pollMs ?? poll.data,
    logger: services.logger,
    onElected() {
      held = {
        wecom: wecom ? startWecomLongConnection(services, wecom, opts.wecom) : null,
        dingtalk: dingtalk ? startDingtalkStream(services, dingtalk) : null,
      };
    },
    async onDemoted() {
      const h = held;
      held = { wecom: null, dingtalk: null };
      await Promise.allSettled([h.wecom?.stop(), h.dingtalk?.stop()]);
    },
  });
  leader.start();
  return { leader, stop: () => leader.stop(), held: () => held };
}
