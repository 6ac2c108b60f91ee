import { readFileSync } from 'node:fs';
import { WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import { AIBOT_CMD, parseAibotFrame, parseCardButtonKey, ticketTemplateCard, type CardClick, type ParsedAibotFrame } from '../../adapters/wecom/aibot-frames';
import type { AibotAck, AibotConnection } from '../../adapters/wecom/aibot-sender';
import type { WecomLongConnectionSettings } from '../../adapters/wecom/index';
import { BadPayloadError } from '../../adapters/http-util';
import { InvalidMessageError, type InboundMessage } from '../domain/message';
import { clickMayAct, FOREIGN_CARD_NOTICE, ticketCardParams } from '../pipeline/cards';
import { getTicket, ticketView } from '../repo/tickets';
import type { Services } from '../services';
import { errorReason } from './error-reason';

export interface LongConnectionTimings {
  /** First reconnect delay; doubles per failure up to 30 s (the SDK's cap). */
  reconnectBaseMs?: number;
  /** Heartbeat (ping) interval; two unanswered pings count the socket dead. */
  heartbeatMs?: number;
  /** How long the server may take to answer aibot_subscribe before we drop the socket and retry. */
  authTimeoutMs?: number;
  /**
   * After disconnected_event (another connection for this bot took over) we stay off this long,
   * doubling each time, so two processes holding the same secret cannot knock each other off
   * in a loop. Our own instances never compete: only the leader connects.
   */
  replacedBackoffMs?: number;
  /** Frames handled at once (each stores and processes one message); the rest wait in order. */
  concurrency?: number;
  /** Frames held in memory (handled or waiting) before new ones are refused with a log line. */
  maxPending?: number;
  /** Of those, how many one sender may hold: a flood from one account cannot crowd out the others. */
  maxPendingPerSender?: number;
  /** Roughly how many bytes of message text those frames may hold in all (default 64 MB). */
  maxPendingBytes?: number;
}

export interface WecomLongConnection {
  stop(): Promise<void>;
  state(): { connected: boolean; connects: number; authenticated: number; replaced: number; authTimeouts: number; nextDelayMs: number | null; pending: number; peakPending: number; refused: number };
}

/** Retries for a message we could not store yet (database briefly away): the server will not resend it. */
const STORE_RETRIES_MS = [1000, 2000, 5000, 15_000, 60_000];
const MAX_RECONNECT_MS = 30_000;
const MAX_REPLACED_MS = 10 * 60_000;
/**
 * Largest frame we read (ws closes with 1009 above it; the SDK reconnects). Callbacks carry text
 * and media URLs, never the media: a few KB. The ws default is 100 MiB per frame.
 */
export const MAX_AIBOT_FRAME_BYTES = 1024 * 1024;

/** SDK log lines carry message bodies at debug level: only its warnings reach our log, without arguments. */
function sdkLogger(services: Services) {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => services.logger.warn('wecom.aibot.sdk', { message: String(message).slice(0, 200) }),
    error: (message: string) => services.logger.warn('wecom.aibot.sdk', { message: String(message).slice(0, 200) }),
  };
}

/**
 * The AI bot's long connection (Node only): frames feed the same pipeline as the webhook
 * (stored first, then handled; duplicates by msgid caught by the inbound de-dup), replies and
 * proactive posts go out through the outbox and the connection attached to the sender's channel.
 */
export function startWecomLongConnection(services: Services, settings: WecomLongConnectionSettings, timings: LongConnectionTimings = {}): WecomLongConnection {
  const { logger } = services;
  const base = timings.reconnectBaseMs ?? 1000;
  const authTimeoutMs = timings.authTimeoutMs ?? 10_000;
  const replacedBase = timings.replacedBackoffMs ?? 60_000;
  const client = new WSClient({
    botId: settings.botId,
    secret: settings.secret,
    ...(settings.wsUrl ? { wsUrl: settings.wsUrl } : {}),
    wsOptions: { maxPayload: MAX_AIBOT_FRAME_BYTES, ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}) },
    reconnectInterval: base,
    maxReconnectAttempts: -1,
    maxAuthFailureAttempts: -1,
    heartbeatInterval: timings.heartbeatMs ?? 30_000,
    logger: sdkLogger(services),
  });
  const conn: AibotConnection = {
    reply: (reqId, body, cmd) => client.reply({ headers: { req_id: reqId } }, body, cmd) as Promise<AibotAck>,
    send: (chatId, body) => client.sendMessage(chatId, body as unknown as Parameters<WSClient['sendMessage']>[1]) as Promise<AibotAck>,
  };
  const st = { connected: false, connects: 0, authenticated: 0, replaced: 0, authTimeouts: 0, nextDelayMs: null as number | null, peakPending: 0, refused: 0 };
  let stopped = false;
  let authTimer: ReturnType<typeof setTimeout> | null = null;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  let ownFailures = 0;
  let replacedInARow = 0;
  const work = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    work.add(p);
    void p.finally(() => work.delete(p));
  };

  const clearAuthTimer = () => {
    if (authTimer) clearTimeout(authTimer);
    authTimer = null;
  };
  /** Our own restarts (auth timeout, replaced): the SDK does not reconnect after disconnect(). */
  function restartIn(ms: number): void {
    if (stopped) return;
    if (restartTimer) clearTimeout(restartTimer);
    st.nextDelayMs = ms;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      st.nextDelayMs = null;
      if (!stopped) client.connect();
    }, ms);
    restartTimer.unref?.();
  }

  client.on('connected', () => {
    st.connects++;
    clearAuthTimer();
    // The SDK waits for the subscribe ack forever; without one the socket is useless.
    authTimer = setTimeout(() => {
      authTimer = null;
      st.authTimeouts++;
      ownFailures++;
      const delay = Math.min(base * 2 ** (ownFailures - 1), MAX_RECONNECT_MS);
      logger.warn('wecom.aibot.auth_timeout', { afterMs: authTimeoutMs, retryInMs: delay, hint: 'no answer to aibot_subscribe: check WECOM_BOT_WS_URL and the network path to it' });
      client.disconnect();
      restartIn(delay);
    }, authTimeoutMs);
    authTimer.unref?.();
  });
  client.on('authenticated', () => {
    clearAuthTimer();
    ownFailures = 0;
    st.authenticated++;
    st.connected = true;
    settings.channel.attach(conn);
    logger.info('wecom.aibot.connected', { connects: st.connects });
    // Posts that waited for the connection go now.
    services.drainer.kick();
  });
  client.on('disconnected', (reason: string) => {
    clearAuthTimer();
    st.connected = false;
    settings.channel.detach(conn);
    if (!stopped) logger.warn('wecom.aibot.disconnected', { reason: String(reason).slice(0, 200) });
  });
  client.on('error', (e: Error) => {
    if (/Authentication failed/.test(e.message)) logger.error('wecom.aibot.auth_failed', { ...errorReason(e), hint: 'check WECOM_BOT_ID and WECOM_BOT_SECRET against the bot in the WeCom admin console (API 模式: 长连接)' });
    // Any other failure (TLS, DNS, refused, a closed socket) with its reason: the SDK reconnects by itself.
    else logger.warn('wecom.aibot.error', errorReason(e));
  });

  /*
   * The server pushes as fast as it likes and never waits for us, so what we hold is bounded
   * here: a few frames are handled at once, the rest wait in arrival order, and beyond the
   * limits (in all, per sender) a frame is refused before anything is stored, with a log line
   * naming it. A frame taken into the queue is handled to the end (stored, then processed).
   */
  const concurrency = Math.max(1, timings.concurrency ?? 4);
  const maxPending = Math.max(concurrency, timings.maxPending ?? 1000);
  // A mixed message may join 50 text parts of 20,000 characters: bytes are bounded too, not only frames.
  const maxBytes = timings.maxPendingBytes ?? 64 * 1024 * 1024;
  let heldBytes = 0;
  const sizeOf = (p: ParsedAibotFrame) => 1024 + (p.kind === 'message' ? 2 * (p.message.text.length + (p.message.quotedText?.length ?? 0)) : 0);
  // Generous: the server never resends a refused frame, so only a real flood from one account should meet it.
  const maxPerSender = Math.max(1, timings.maxPendingPerSender ?? 250);
  const queue: Array<{ parsed: ParsedAibotFrame; sender: string; bytes: number }> = [];
  const bySender = new Map<string, number>();
  let running = 0;
  const pending = () => queue.length + running;
  const senderOf = (p: Extract<ParsedAibotFrame, { kind: 'message' | 'card-click' }>) => (p.kind === 'message' ? p.message.sender.userId : p.click.userId);

  function pump(): void {
    while (running < concurrency && queue.length) {
      const next = queue.shift()!;
      running++;
      track(
        handleFrame(next.parsed)
          .catch((e) => logger.error('wecom.aibot.frame_failed', { error: (e as Error).message }))
          .finally(() => {
            running--;
            heldBytes -= next.bytes;
            const left = (bySender.get(next.sender) ?? 1) - 1;
            if (left > 0) bySender.set(next.sender, left);
            else bySender.delete(next.sender);
            pump();
          }),
      );
    }
  }

  const onFrame = (frame: WsFrame) => {
    let parsed: ParsedAibotFrame;
    try {
      parsed = parseAibotFrame(frame, services.now());
    } catch (e) {
      if (e instanceof BadPayloadError) return logger.warn('wecom.aibot.bad_frame', { error: e.message });
      return logger.error('wecom.aibot.frame_failed', { error: (e as Error).message });
    }
    if (parsed.kind === 'ignored') return;
    // Being replaced is about the socket, not a message: acted on at once, never queued behind a flood.
    if (parsed.kind === 'replaced') return void track(handleFrame(parsed));
    const sender = senderOf(parsed);
    const mine = bySender.get(sender) ?? 0;
    const bytes = sizeOf(parsed);
    const full = pending() >= maxPending || heldBytes + bytes > maxBytes;
    if (full || mine >= maxPerSender) {
      st.refused++;
      const messageId = parsed.kind === 'message' ? parsed.message.messageId : parsed.click.msgid;
      // Not stored, so not lost silently either: the operator sees who flooded and what was dropped.
      return logger.warn('wecom.aibot.overloaded', { messageId, sender, pending: pending(), senderPending: mine, reason: full ? 'queue_full' : 'sender_limit' });
    }
    bySender.set(sender, mine + 1);
    heldBytes += bytes;
    queue.push({ parsed, sender, bytes });
    st.peakPending = Math.max(st.peakPending, pending());
    pump();
  };
  client.on('message', onFrame);
  client.on('event', onFrame);

  async function handleFrame(parsed: ParsedAibotFrame): Promise<void> {
    if (parsed.kind === 'replaced') {
      // The SDK has closed this socket and will not reconnect by itself.
      st.replaced++;
      replacedInARow++;
      st.connected = false;
      settings.channel.detach(conn);
      const delay = Math.min(replacedBase * 2 ** (replacedInARow - 1), MAX_REPLACED_MS);
      logger.warn('wecom.aibot.replaced', { retryInMs: delay, hint: 'another connection for this bot took over (disconnected_event): another deployment or a developer machine is using WECOM_BOT_SECRET' });
      restartIn(delay);
      return;
    }
    if (parsed.kind === 'ignored') return;
    if (parsed.kind === 'card-click') return handleClick(parsed.click);
    await receive(parsed.message);
  }

  async function receive(message: InboundMessage): Promise<void> {
    let accepted;
    for (let attempt = 0; ; attempt++) {
      try {
        accepted = await services.pipeline.accept(message);
        break;
      } catch (e) {
        if (e instanceof InvalidMessageError) return logger.warn('wecom.aibot.bad_frame', { error: e.message });
        const wait = STORE_RETRIES_MS[attempt];
        if (wait === undefined || stopped) return logger.error('wecom.aibot.lost', { messageId: message.messageId, error: (e as Error).message });
        logger.warn('wecom.aibot.retry', { messageId: message.messageId, retryInMs: wait, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (accepted.status === 'duplicate') return logger.info('wecom.aibot.duplicate', { messageId: message.messageId });
    // Stored: a failure from here on is finished by recoverAccepted (the minute job).
    const r = await services.pipeline.process(accepted.inboundId, accepted.message);
    logger.info('wecom.aibot.received', { messageId: message.messageId, status: r.status });
  }

  /**
   * A 认领/办结 button acts exactly like the typed command (same pipeline, same rule table);
   * the answer to the click event replaces the card with the ticket's new state (within the 5 s
   * aibot_respond_update_msg allows).
   */
  async function handleClick(click: CardClick): Promise<void> {
    const key = parseCardButtonKey(click.eventKey);
    if (!key) return;
    const row = await getTicket(services.db, key.ticketId);
    // The card's own task id names its ticket too: a button key for another ticket is not ours.
    const sameCard = click.taskId.startsWith(`gz-ticket-${key.ticketId}-`);
    if (!row || !sameCard || !clickMayAct(row, { platform: 'wecom', ...click }, services.config.groups)) {
      logger.warn('wecom.aibot.card_click_refused', { ticketId: key.ticketId, chatType: click.chatType, reason: !row ? 'no_ticket' : !sameCard ? 'task_id_mismatch' : 'other_chat' });
      // The answer to a click may only update the card (101031), and we do not know this one's
      // contents: the clicker is told in the chat instead, without naming the ticket.
      try {
        await conn.send(click.chatId, { msgtype: 'markdown', markdown: { content: FOREIGN_CARD_NOTICE } });
      } catch (e) {
        logger.warn('wecom.aibot.card_notice_failed', { error: e instanceof Error ? e.message : JSON.stringify(e).slice(0, 200) });
      }
      return;
    }
    const text = key.action === 'claim' ? `/认领 ${row.number}` : key.action === 'resolve' ? `/办结 ${row.number} 已办结（卡片操作）` : `/进度 ${row.number}`;
    await services.pipeline.receive({
      platform: 'wecom',
      messageId: `card:${click.msgid}`,
      chatType: click.chatType,
      chatId: click.chatId,
      sender: { userId: click.userId },
      text,
      receivedAt: services.now(),
    });
    const after = (await getTicket(services.db, key.ticketId))!;
    const template_card = ticketTemplateCard(key.ticketId, ticketCardParams(await ticketView(services.db, after)), click.taskId);
    try {
      await conn.reply(click.reqId, { response_type: 'update_template_card', template_card }, AIBOT_CMD.respondUpdate);
    } catch (e) {
      logger.warn('wecom.aibot.card_update_failed', { ticketId: key.ticketId, error: e instanceof Error ? e.message : JSON.stringify(e).slice(0, 200) });
    }
  }

  // A connection that stays up a while ends a run of replacements.
  client.on('authenticated', () => {
    const t = setTimeout(() => {
      if (st.connected) replacedInARow = 0;
    }, replacedBase);
    t.unref?.();
  });

  client.connect();
  return {
    state: () => ({ ...st, pending: pending() }),
    async stop() {
      stopped = true;
      clearAuthTimer();
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      settings.channel.detach(conn);
      try {
        client.disconnect();
      } catch {
        // Not connected: nothing to close.
      }
      st.connected = false;
      await Promise.allSettled([...work]);
    },
  };
}
