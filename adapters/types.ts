import type { InboundMessage, OutboundMessage, Platform } from '../src/domain/message';

/** How a failed send should be retried; the drainer turns this into a schedule. */
export type SendFailure =
  | { ok: false; retry: 'transient'; error: string }
  /** The platform throttled us: wait at least this long before trying again. */
  | { ok: false; retry: 'throttled'; retryAfterMs: number; error: string }
  /** Retrying cannot help (bad target, revoked key): dead-letter at once. */
  | { ok: false; retry: 'never'; error: string };
/**
 * `card`: the post went out as an interactive card the platform can update later, under `ref`
 * (the drainer records it, and every later change of the ticket updates that card).
 */
export type SendResult = { ok: true; card?: { ref: string } } | SendFailure;

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
 * One inbound HTTP endpoint of a platform. `verify` is pure (clock injected) and returns the
 * authenticated payload; `parse` is pure and turns it into the common message (null for
 * callbacks that carry nothing to handle); `ack` is what the platform wants back.
 */
export interface InboundEndpoint {
  readonly platform: Platform;
  readonly name: string;
  /** GET URL verification, where the platform has one: the body to answer with. */
  handshake?(req: RawRequest, now: Date): VerifyResult<string> | Promise<VerifyResult<string>>;
  /** May be async: Web Crypto (used so the same code runs on Workers) only has async AES. */
  verify(req: RawRequest, now: Date): VerifyResult<string> | Promise<VerifyResult<string>>;
  parse(verified: string, receivedAt: Date): InboundMessage | null;
  /**
   * For a signature that does not cover the body (DingTalk's): a key for it and how long it is
   * accepted. The webhook then accepts each key with one message id only.
   */
  signatureKey?(req: RawRequest): SignatureKey | null;
  ack(message: InboundMessage | null): { body: string; contentType: string };
}

export interface SignatureKey {
  key: string;
  validForMs: number;
  /**
   * A timestamp-only signature is the same for every callback sent in one millisecond, so up to
   * `max` messages may share it, but only while it is fresh (`until`); later it vouches for the
   * messages it already came with and nothing else, so a captured pair cannot inject new ones.
   */
  shared?: { max: number; until: Date };
}

/** Sign-in to the web console with a platform identity (WeCom 扫码/网页授权, DingTalk 扫码). */
export interface WebLogin {
  readonly platform: Platform;
  /** The button's label, e.g. 企业微信. */
  readonly label: string;
  /** Where to send the browser; `userAgent` picks the in-app flow inside the platform's own client. */
  authorizeUrl(redirectUri: string, state: string, userAgent: string): string;
  /** The query parameter the platform returns the code in. */
  readonly codeParam: string;
  /** Exchanges the one-time code for the platform user id (what `staff[].accounts` holds). */
  userIdFromCode(code: string): Promise<string>;
}

/** The platform refused a sign-in code (expired, reused, not a member of the organisation). */
export class LoginRefusedError extends Error {}
