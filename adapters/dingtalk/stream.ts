import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type WebSocket from 'ws';
import { z } from 'zod';
import type { Logger } from '../../src/logger';
import { errorReason } from '../../src/node/error-reason';

/**
 * Largest frame we accept from the gateway (ws closes the socket with 1009 above it, and the
 * supervisor reconnects). Robot messages carry text and download codes, never the files:
 * a few KB; the ws default of 100 MiB would let one frame take that much memory.
 */
export const MAX_STREAM_FRAME_BYTES = 1024 * 1024;

/** The envelope every downstream frame has; anything else is logged and dropped. */
const downstreamFrame = z.object({
  specVersion: z.string().default('1.0'),
  type: z.string(),
  headers: z.looseObject({ topic: z.string(), messageId: z.string().optional() }),
  data: z.string().default(''),
});

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

interface SdkInternals {
  socket?: WebSocket;
  dw_url?: string;
}

/**
 * The SDK hard-codes the gateway URL inside getEndpoint(); overriding that one method is the
 * supported seam (it is public and the SDK calls it on every connect). The override also
 * uses fetch instead of axios and reports a server `disconnect` frame to the supervisor.
 */
export class GatewayDWClient extends DWClient {
  constructor(
    opts: { clientId: string; clientSecret: string },
    private readonly gatewayUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly onServerDisconnect: () => void,
    private readonly onBadFrame: (error: string) => void = () => undefined,
  ) {
    // We supervise the connection ourselves: the SDK's own reconnect and keep-alive are off.
    super({ ...opts, keepAlive: false });
    this.config.autoReconnect = false;
    const internals = this as unknown as { sslopts: Record<string, unknown> };
    internals.sslopts = { ...internals.sslopts, maxPayload: MAX_STREAM_FRAME_BYTES };
  }

  /**
   * 2.1.5 parses the frame with a bare JSON.parse inside the socket's 'message' handler: a
   * frame that is not JSON (or JSON of another shape) threw out of the event emitter and took
   * the process down. Here it is a log line and the socket stays in use.
   */
  override onDownStream(data: string): void {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return this.onBadFrame('not JSON');
    }
    const frame = downstreamFrame.safeParse(json);
    if (!frame.success) return this.onBadFrame(`not a downstream frame: ${frame.error.issues.slice(0, 3).map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const msg = frame.data as unknown as DWClientDownStream;
    try {
      if (msg.type === 'SYSTEM') this.onSystem(msg);
      // A callback is acked by its messageId: without one it cannot be answered.
      else if (msg.type === 'CALLBACK') msg.headers.messageId ? this.onCallback(msg) : this.onBadFrame('callback without messageId');
      // EVENT frames are for subscriptions we never make; other types are newer than this client.
      else this.onBadFrame(`unexpected frame type ${msg.type.slice(0, 40)}`);
    } catch (e) {
      this.onBadFrame((e as Error).message);
    }
  }

  override async getEndpoint(): Promise<this> {
    const res = await this.fetchImpl(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: 'gongzhi', subscriptions: this.config.subscriptions }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => null)) as { endpoint?: string; ticket?: string; code?: unknown; message?: unknown } | null;
    if (!res.ok || !body?.endpoint || !body.ticket) {
      const hint = res.status === 401 || res.status === 403 ? ': check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET and that Stream mode is enabled for the robot' : '';
      // The gateway's own code and message go to the log with the status (errorReason), as the reason.
      throw Object.assign(new Error(`DingTalk gateway refused the connection (HTTP ${res.status})${hint}`), { response: { status: res.status, data: body } });
    }
    (this as unknown as SdkInternals).dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override onSystem(downstream: DWClientDownStream): void {
    super.onSystem(downstream);
    // 2.1.5 only clears two flags here; the server then stops pushing on this socket.
    if (downstream.headers.topic === 'disconnect') this.onServerDisconnect();
  }

  currentSocket(): WebSocket | undefined {
    return (this as unknown as SdkInternals).socket;
  }
}

export interface StreamReceiverOptions {
  clientId: string;
  clientSecret: string;
  gatewayUrl: string;
  logger: Logger;
  /** Handles one robot message (the frame's data, a JSON string). Called after the ack. */
  onRobotMessage: (data: string) => Promise<void>;
  /** Card button clicks, where interactive cards are configured. */
  onCardCallback?: (data: string, frameId: string) => Promise<unknown>;
  fetch?: typeof fetch;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  heartbeatMs?: number;
  /**
   * Reconnect when no frame at all (not even the server's SYSTEM ping) arrived for this long: a
   * socket can answer ws pings while the gateway has stopped pushing on it.
   */
  silenceMs?: number;
  random?: () => number;
}

export interface StreamReceiver {
  start(): void;
  stop(): Promise<void>;
  state(): { connected: boolean; connects: number; liveSockets: number; heartbeats: number; nextDelayMs: number | null };
}

/**
 * Supervises one DingTalk Stream connection: capped exponential backoff with jitter, never
 * more than one connect in flight and one live socket, its own heartbeat (one timer, per
 * socket, cleared on close) and an immediate reconnect when the server says `disconnect`.
 */
export function createStreamReceiver(opts: StreamReceiverOptions): StreamReceiver {
  const initial = opts.initialBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 60_000;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const silenceMs = opts.silenceMs ?? 120_000;
  const random = opts.random ?? Math.random;
  let stopped = true;
  let connecting = false;
  let failures = 0;
  let connects = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let nextDelayMs: number | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let live: WebSocket | null = null;

  const client = new GatewayDWClient({ clientId: opts.clientId, clientSecret: opts.clientSecret }, opts.gatewayUrl, opts.fetch ?? fetch, () => {
    opts.logger.warn('dingtalk.stream.server_disconnect', { hint: 'the gateway asked us to reconnect' });
    failures = 0;
    dropSocket();
  }, (error) => opts.logger.warn('dingtalk.stream.bad_frame', { error: error.slice(0, 200) }));

  client.registerCallbackListener(TOPIC_ROBOT, (msg: DWClientDownStream) => {
    // Ack first: DingTalk re-pushes unacked messages, and de-duplication handles the rest.
    client.socketCallBackResponse(msg.headers.messageId, { response: null });
    void opts.onRobotMessage(msg.data).catch((e) => opts.logger.error('dingtalk.stream.handle_failed', { error: (e as Error).message }));
  });
  if (opts.onCardCallback) {
    const onCard = opts.onCardCallback;
    client.registerCallbackListener(TOPIC_CARD, (msg: DWClientDownStream) => {
      // The answer is wrapped like every callback's ({ response: { cardUpdateOptions, cardData } }),
      // as the official SDKs send it (Node socketCallBackResponse, Python CallbackHandler.raw_process);
      // unwrapped, DingTalk ignores it and the card keeps its old state.
      void onCard(msg.data, msg.headers.messageId)
        .then((result) => client.socketCallBackResponse(msg.headers.messageId, result ?? {}))
        .catch((e) => {
          client.socketCallBackResponse(msg.headers.messageId, {});
          opts.logger.error('dingtalk.stream.card_failed', { error: (e as Error).message });
        });
    });
  }

  function clearHeartbeat() {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  }

  function dropSocket() {
    const s = live;
    live = null;
    clearHeartbeat();
    s?.terminate();
    schedule(0);
  }

  function schedule(delay?: number) {
    if (stopped || reconnectTimer || connecting) return;
    const base = Math.min(max, initial * 2 ** Math.min(failures, 30));
    const wait = delay ?? Math.round(base / 2 + (random() * base) / 2);
    nextDelayMs = wait;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      nextDelayMs = null;
      void connect();
    }, wait);
  }

  function watch(socket: WebSocket) {
    live = socket;
    let alive = true;
    // Elapsed time on the monotonic clock (not the injected one): it measures this socket's silence.
    let lastFrame = performance.now();
    socket.on('pong', () => (alive = true));
    socket.on('message', () => (lastFrame = performance.now()));
    clearHeartbeat();
    const tick = Math.max(20, Math.min(heartbeatMs, Math.floor(silenceMs / 4)));
    let sinceTick = 0;
    heartbeat = setInterval(() => {
      if (socket !== live) return;
      if (performance.now() - lastFrame > silenceMs) {
        opts.logger.warn('dingtalk.stream.silent', { silentForMs: Math.round(performance.now() - lastFrame), hint: 'no frame, not even a SYSTEM ping: reconnecting' });
        failures = 0;
        dropSocket();
        return;
      }
      sinceTick += tick;
      if (sinceTick < heartbeatMs) return;
      sinceTick = 0;
      if (!alive) {
        opts.logger.warn('dingtalk.stream.heartbeat_lost', {});
        dropSocket();
        return;
      }
      alive = false;
      socket.ping();
    }, tick);
    heartbeat.unref?.();
    socket.on('close', (code: number, reason: Buffer) => {
      if (socket !== live) return;
      live = null;
      clearHeartbeat();
      opts.logger.warn('dingtalk.stream.closed', { code, ...(reason?.length ? { reason: reason.toString('utf8').slice(0, 200) } : {}) });
      schedule();
    });
  }

  async function connect() {
    if (stopped || connecting || live) return;
    connecting = true;
    try {
      await client.getEndpoint();
      await client._connect();
      const socket = client.currentSocket();
      if (!socket) throw new Error('no socket after connect');
      if (stopped) {
        socket.terminate();
        return;
      }
      failures = 0;
      connects++;
      watch(socket);
      opts.logger.info('dingtalk.stream.connected', { connects });
    } catch (e) {
      failures++;
      opts.logger.warn('dingtalk.stream.connect_failed', { failures, ...errorReason(e) });
      client.currentSocket()?.terminate();
    } finally {
      connecting = false;
    }
    if (!live) schedule();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void connect();
    },
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      clearHeartbeat();
      const s = live;
      live = null;
      if (s) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.terminate();
          setTimeout(resolve, 1000).unref?.();
        });
      }
    },
    state: () => ({ connected: !!live, connects, liveSockets: live ? 1 : 0, heartbeats: heartbeat ? 1 : 0, nextDelayMs }),
  };
}
