import { hmacHex } from '../auth/tokens';
import type { GongzhiConfig } from '../config/schema';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import { maskPersonalData } from '../domain/mask';
import { publicWords } from '../domain/contact-details';
import { claimDueDeliveries, markDelivered, markDeliveryFailed, type ClaimedDelivery } from '../repo/webhooks';

export const SIGNATURE_HEADER = 'x-gongzhi-signature';
export const TIMESTAMP_HEADER = 'x-gongzhi-timestamp';


/**
 * `v1=` + hex HMAC-SHA-256 over "<unix seconds>.<raw body>" — the timestamp is signed too, so
 * a receiver can refuse replays older than a few minutes.
 */
export async function signWebhook(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

/** 30 s, 1 min, 2 min … capped at 6 h, ±20 % jitter so a recovering receiver is not hit in lockstep. */
export function webhookBackoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 6 * 3600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Event fields that hold what people wrote (/补充 text, 办结 summary, a rating comment, a reason or note). */
const FREE_TEXT_KEYS = new Set(['text', 'summary', 'comment', 'note', 'reason']);
/** A reason that is a code (satisfied, unsatisfied, invalid…), not words someone typed. */
const REASON_CODE = /^[a-z_]{1,32}$/;

/** Event data that names the person who reported or seconded a ticket. */
const PERSON_KEYS = new Set(['requesterId']);

/**
 * What a receiver gets: every ticket says whether it is private; a private ticket goes without
 * its content, without what people wrote in its events and without who reported or seconded it
 * (a requester's id and name — who complained of 吃拿卡要 is what private hides; staff stay named),
 * since number, status, department and deadlines are enough to follow it. A public one goes with
 * phone, ID and bank numbers masked, as in every group post, and a one-to-one report published
 * with /公开 without its contact details, as the group got it.
 */
export function webhookBody(d: ClaimedDelivery): string {
  const { isPrivate, content, originChatType, originPlatform, ...ticket } = d.ticket;
  const published = (text: string) => maskPersonalData(publicWords({ content: text, is_private: isPrivate, origin_chat_type: originChatType, origin_platform: originPlatform }));
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d.event.data)) {
    if (isPrivate && PERSON_KEYS.has(k)) continue;
    if (!FREE_TEXT_KEYS.has(k) || typeof v !== 'string') data[k] = v;
    else if (k === 'reason' && REASON_CODE.test(v)) data[k] = v;
    else if (!isPrivate) data[k] = published(v);
  }
  const { actor } = d.event;
  const named = !isPrivate || actor.kind === 'staff' || actor.kind === 'system';
  return JSON.stringify({
    delivery: d.id,
    event: { ...d.event, actor: named ? actor : { kind: actor.kind, id: null, name: null }, data },
    ticket: { ...ticket, private: isPrivate, content: isPrivate ? null : published(content) },
  });
}

export interface WebhookDispatcher {
  /** Sends what is due; resolves with the number delivered. Concurrent calls share one run. */
  deliverOnce(): Promise<number>;
}

export interface WebhookDispatcherOptions {
  db: Db;
  hooks: GongzhiConfig['webhooks'];
  now: () => Date;
  logger: Logger;
  fetch?: typeof fetch;
  /** After this many failed attempts (about 20 hours with the default back-off) a delivery is dead. */
  maxAttempts?: number;
  timeoutMs?: number;
}

export function createWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const doFetch = opts.fetch ?? fetch;
  const maxAttempts = opts.maxAttempts ?? 12;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const hooks = new Map(opts.hooks.map((h) => [h.id, h]));
  let running: Promise<number> | null = null;

  async function send(d: ClaimedDelivery): Promise<boolean> {
    const hook = hooks.get(d.endpointId);
    if (!hook) return false;
    const body = webhookBody(d);
    const timestamp = Math.floor(opts.now().getTime() / 1000);
    let error: string;
    try {
      const res = await doFetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gongzhi-webhooks/1',
          'x-gongzhi-event': d.event.kind,
          'x-gongzhi-delivery': String(d.id),
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: await signWebhook(hook.secret, timestamp, body),
        },
        body,
        // A receiver's 3xx could send the signed body anywhere, plain http:// included (the
        // https:// check runs on the configured URL only): a redirect is a failed delivery.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        error = `HTTP ${res.status || 'redirect'}, redirects are not followed: configure the final URL`;
      } else if (res.ok) {
        await markDelivered(opts.db, d.id, opts.now());
        return true;
      } else error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e as Error).message;
    }
    const dead = d.attempts >= maxAttempts;
    await markDeliveryFailed(opts.db, d.id, error, dead ? null : new Date(opts.now().getTime() + webhookBackoffMs(d.attempts)), opts.now());
    opts.logger[dead ? 'error' : 'warn'](dead ? 'webhook.dead' : 'webhook.retry', { endpoint: d.endpointId, delivery: d.id, attempt: d.attempts, error });
    return false;
  }

  async function run(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const batch = await claimDueDeliveries(opts.db, { now: opts.now(), limit: 50, leaseMs: timeoutMs * 3 });
      if (!batch.length) return delivered;
      // In event order per endpoint; endpoints do not wait for each other.
      const byEndpoint = new Map<string, ClaimedDelivery[]>();
      for (const d of batch) byEndpoint.set(d.endpointId, [...(byEndpoint.get(d.endpointId) ?? []), d]);
      const counts = await Promise.all(
        [...byEndpoint.values()].map(async (list) => {
          let n = 0;
          for (const d of list) if (await send(d)) n++;
          return n;
        }),
      );
      delivered += counts.reduce((a, b) => a + b, 0);
      if (batch.length < 50) return delivered;
    }
  }

  return {
    deliverOnce() {
      if (!hooks.size) return Promise.resolve(0);
      running ??= run().finally(() => (running = null));
      return running;
    },
  };
}
