import type { InboundMessage, OutboundMessage, Platform } from '../src/domain/message';

/** How a failed send should be retried; the drainer turns this into a schedule. */
export type SendFailure =
  | { ok: false; retry: 'transient'; error: string }
  /** The platform throttled us: wait at least this long before the next post to the same target. */
  | { ok: false; retry: 'throttled'; retryAfterMs: number; error: string }
  /** Retrying cannot help (bad target, revoked key): dead-letter at once. */
  | { ok: false; retry: 'never'; error: string };
export type SendResult = { ok: true } | SendFailure;

export interface OutboundAdapter {
  readonly platform: Platform;
  send(message: OutboundMessage): Promise<SendResult>;
}

/** An inbound HTTP request as every adapter sees it, independent of Hono and of the runtime. */
export interface RawRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export type VerifyResult<T> = { ok: true; value: T } | { ok: false; reason: string; hint: string };

/**
 * The small interface each platform implements: verify (pure, injectable clock), parse
 * (pure, raw payload → common message) and send.
 */
export interface PlatformAdapter<Verified = unknown> extends OutboundAdapter {
  verify(req: RawRequest, now: Date): VerifyResult<Verified>;
  parse(verified: Verified, receivedAt: Date): InboundMessage | null;
}
