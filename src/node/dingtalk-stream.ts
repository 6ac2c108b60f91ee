import { createStreamReceiver, type StreamReceiver } from '../../adapters/dingtalk/stream';
import { parseDingtalkRobot } from '../../adapters/dingtalk/inbound';
import { BadPayloadError } from '../../adapters/http-util';
import { z } from 'zod';
import { InvalidMessageError } from '../domain/message';
import { ticketCardParams, ticketIdFromTrackId } from '../pipeline/cards';
import { getTicket, ticketView } from '../repo/tickets';
import { setCardParams } from '../repo/ticket-cards';
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
    onCardCallback: (data, frameId) => handleCardClick(services, data, frameId, settings.corpId),
    async onRobotMessage(data) {
      let message;
      try {
        message = parseDingtalkRobot(data, services.now(), { corpId: settings.corpId });
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
          if (e instanceof InvalidMessageError) return logger.warn('dingtalk.stream.bad_payload', { error: e.message });
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

const cardCallback = z.object({
  outTrackId: z.string(),
  /** The clicker's organisation: a click from another one than DINGTALK_CORP_ID is nobody's staff. */
  corpId: z.string().optional(),
  userId: z.string().min(1),
  value: z.string(),
});
const cardValue = z.object({
  cardPrivateData: z.object({ actionIds: z.array(z.string()).min(1), params: z.record(z.string(), z.unknown()).default({}) }),
});

/**
 * A card button acts exactly like the typed command (same pipeline, same permission checks);
 * the answer updates the card in place with the ticket's new status.
 */
export async function handleCardClick(services: Services, data: string, frameId: string, corpId?: string): Promise<unknown> {
  const parsed = cardCallback.safeParse(JSON.parse(data));
  if (!parsed.success) return {};
  const value = cardValue.safeParse(JSON.parse(parsed.data.value));
  const ticketId = ticketIdFromTrackId(parsed.data.outTrackId);
  if (!value.success || ticketId === null) return {};
  const row = await getTicket(services.db, ticketId);
  if (!row) return {};
  const action = value.data.cardPrivateData.actionIds[0];
  const summary = String(value.data.cardPrivateData.params.summary ?? '').trim() || '已办结（卡片操作）';
  const text = action === 'claim' ? `/认领 ${row.number}` : action === 'resolve' ? `/办结 ${row.number} ${summary}` : null;
  if (!text) return {};
  await services.pipeline.receive({
    platform: 'dingtalk',
    messageId: `card:${frameId}`,
    chatType: row.origin_chat_type === 'group' ? 'group' : 'direct',
    chatId: row.origin_chat_id,
    // As in parseDingtalkRobot: another organisation's userid may equal one of our staff's. A click
    // carries no chatbotCorpId to stand in for ours, so without DINGTALK_CORP_ID (required with a card
    // template, see platformEnvProblems) nobody clicking is staff.
    sender: { userId: !corpId || parsed.data.corpId !== corpId ? `ext:${(parsed.data.corpId ?? 'unknown').slice(0, 64)}:${parsed.data.userId.slice(0, 180)}` : parsed.data.userId },
    text,
    receivedAt: services.now(),
  });
  const after = (await getTicket(services.db, ticketId))!;
  const params = ticketCardParams(await ticketView(services.db, after));
  // The answer updates the card, so the queued update for this change has nothing left to do.
  await setCardParams(services.db, 'dingtalk', parsed.data.outTrackId, params, services.now());
  return { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: params } };
}
