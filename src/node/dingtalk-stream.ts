import { createStreamReceiver, type StreamReceiver } from '../../adapters/dingtalk/stream';
import { parseDingtalkRobot } from '../../adapters/dingtalk/inbound';
import { BadPayloadError } from '../../adapters/http-util';
import type { Platforms } from '../platforms';
import type { Services } from '../services';

/** Retries for a message we already acked: the platform will not send it again. */
const PROCESS_RETRIES_MS = [1000, 2000, 5000, 15_000, 60_000];

/** Stream mode (Node only): the second receiver feeding the same receive(). */
export function startDingtalkStream(services: Services, settings: NonNullable<Platforms['dingtalk']>, fetchImpl?: typeof fetch): StreamReceiver {
  const { logger } = services;
  const receiver = createStreamReceiver({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    gatewayUrl: `${settings.apiBase.replace(/\/+$/, '')}/v1.0/gateway/connections/open`,
    logger,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    async onRobotMessage(data) {
      let message;
      try {
        message = parseDingtalkRobot(data, services.now());
      } catch (e) {
        if (e instanceof BadPayloadError) return logger.warn('dingtalk.stream.bad_payload', { error: e.message });
        throw e;
      }
      if (!message) return;
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await services.pipeline.receive(message);
          logger.info('dingtalk.stream.received', { messageId: message.messageId, status: r.status });
          return;
        } catch (e) {
          const wait = PROCESS_RETRIES_MS[attempt];
          if (wait === undefined) {
            logger.error('dingtalk.stream.lost', { messageId: message.messageId, error: (e as Error).message });
            return;
          }
          logger.warn('dingtalk.stream.retry', { messageId: message.messageId, retryInMs: wait, error: (e as Error).message });
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    },
  });
  receiver.start();
  return receiver;
}
