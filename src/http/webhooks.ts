import { Hono, type Context } from 'hono';
import type { InboundEndpoint, RawRequest, SignatureKey } from '../../adapters/types';
import { BadPayloadError } from '../../adapters/http-util';
import { InvalidMessageError } from '../domain/message';
import { callbackSignatureHeldBy, claimCallbackSignature } from '../repo/callback-signatures';
import type { Services } from '../services';

/**
 * Platforms drop a callback that is not answered in time (WeCom: 5 s) and send it again.
 * A verified message is stored (one INSERT shared by concurrent requests) and acknowledged;
 * the work — classify, ticket, outbox — follows at once in the background. A database that is
 * down gets a 503, so the platform retries; a process that dies after the acknowledgement
 * leaves the stored message for the scheduler's recovery pass.
 */
export const ACK_BUDGET_MS = 3500;

async function rawRequest(c: Context): Promise<RawRequest> {
  return { method: c.req.method, url: new URL(c.req.url), headers: c.req.raw.headers, body: c.req.method === 'GET' ? '' : await c.req.text() };
}

/**
 * One signature, one message — except that a shared signature (DingTalk's, the same for callbacks
 * in one millisecond) takes further slots `key#1`… while fresh; once stale, only a message that
 * already holds a slot (the platform's retry) gets through.
 */
async function claimSignature(services: Services, sig: SignatureKey, messageId: string, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + sig.validForMs);
  if (await claimCallbackSignature(services.db, sig.key, messageId, expiresAt, now)) return true;
  if (!sig.shared) return false;
  const fresh = now.getTime() <= sig.shared.until.getTime();
  for (let slot = 1; slot < sig.shared.max; slot++) {
    const key = `${sig.key}#${slot}`;
    if (fresh ? await claimCallbackSignature(services.db, key, messageId, expiresAt, now) : await callbackSignatureHeldBy(services.db, key, messageId, now)) return true;
  }
  return false;
}

export function createWebhookRoutes(endpoints: Record<string, InboundEndpoint>, services: Services): Hono {
  const app = new Hono();
  const { logger } = services;

  for (const [path, ep] of Object.entries(endpoints)) {
    const rejected = (c: Context, reason: string, hint: string) => {
      logger.warn('webhook.rejected', { endpoint: ep.name, reason, hint });
      return c.json({ error: 'unauthorized', reason }, 401);
    };

    if (ep.handshake) {
      app.get(`/${path}`, async (c) => {
        const v = await ep.handshake!(await rawRequest(c), services.now());
        if (!v.ok) return rejected(c, v.reason, v.hint);
        logger.info('webhook.verified', { endpoint: ep.name });
        return c.body(v.value, 200, { 'content-type': 'text/plain; charset=utf-8' });
      });
    }

    app.post(`/${path}`, async (c) => {
      const now = services.now();
      const req = await rawRequest(c);
      const v = await ep.verify(req, now);
      if (!v.ok) return rejected(c, v.reason, v.hint);
      let message;
      try {
        message = ep.parse(v.value, now);
      } catch (e) {
        if (e instanceof BadPayloadError) {
          logger.warn('webhook.bad_payload', { endpoint: ep.name, error: e.message });
          return c.json({ error: 'bad_payload', reason: e.message }, 400);
        }
        throw e;
      }
      const signature = message && ep.signatureKey?.(req);
      if (message && signature) {
        let fresh: boolean;
        try {
          fresh = await claimSignature(services, signature, message.messageId, now);
        } catch (e) {
          logger.error('webhook.store_failed', { endpoint: ep.name, messageId: message.messageId, error: (e as Error).message });
          return c.json({ error: 'temporarily_unavailable' }, 503);
        }
        if (!fresh) {
          return rejected(c, 'replayed_signature', 'this timestamp/sign pair already came with another message: a captured callback is being replayed (DingTalk signs a fresh timestamp for every callback); if not, check that nothing in front of this server rewrites bodies');
        }
      }
      const ack = ep.ack(message);
      if (!message) return c.body(ack.body, 200, { 'content-type': ack.contentType });

      let accepted;
      try {
        accepted = await services.pipeline.accept(message);
      } catch (e) {
        if (e instanceof InvalidMessageError) {
          logger.warn('webhook.bad_payload', { endpoint: ep.name, error: e.message });
          return c.json({ error: 'bad_payload', reason: e.message }, 400);
        }
        // Nothing was stored: the platform's retry will bring the message back.
        logger.error('webhook.store_failed', { endpoint: ep.name, messageId: message.messageId, error: (e as Error).message });
        return c.json({ error: 'temporarily_unavailable' }, 503);
      }
      if (accepted.status === 'accepted') {
        const { inboundId, message: stored } = accepted;
        const work = services.pipeline.process(inboundId, stored).then(
          (r) => logger.info('webhook.received', { endpoint: ep.name, messageId: stored.messageId, status: r.status }),
          // Stored, so not lost: the recovery pass retries it.
          (e) => logger.error('webhook.process_failed', { endpoint: ep.name, messageId: stored.messageId, error: (e as Error).message, hint: 'retried by the scheduler within a few minutes' }),
        );
        if (services.ackFirst) {
          services.defer(work);
        } else {
          // One embedded connection serves acknowledgements and work alike: finishing the work first
          // (within the platform's patience) is faster overall than queueing behind it.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ACK_BUDGET_MS)));
          if ((await Promise.race([work, late])) === 'late') services.defer(work);
          clearTimeout(timer);
        }
      }
      return c.body(ack.body, 200, { 'content-type': ack.contentType });
    });
  }
  return app;
}
