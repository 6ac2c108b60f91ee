import { stripBotMention } from '../domain/classifier/normalise';
import { addressedToBot, messageLanguage, QUIET_KINDS } from '../domain/classifier/language';
import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { parseCommand } from '../domain/commands';
import { InvalidMessageError, inboundMessageSchema, type InboundMessage } from '../domain/message';
import { templates } from '../domain/templates';
import { ensureGroup, type GroupRecord } from '../repo/directory';
import { acceptInbound, claimAccepted, claimInbound, finishInbound, pendingInbound, type InboundOutcome } from '../repo/inbound';
import { enqueueOutbox } from '../repo/outbox';
import { requesterKey, upsertRequester, upsertRequesters, type Requester } from '../repo/requesters';
import { handleCommand } from './commands';
import { createMessageContext, reply, type PipelineDeps } from './context';
import { openTicket } from './open-ticket';
import { adviseBatch, type AdvisedClassification } from './second-opinion';
import { performWebCommand, type WebCommand, type WebCommandResult } from './perform';
import { submitWebReport, type WebReport, type WebReportResult } from './web-report';

export type ReceiveResult =
  | { status: 'duplicate' }
  | { status: InboundOutcome; ticketId: number | null; ticketNumber: string | null };

export interface Pipeline {
  /** Handles one inbound message exactly once per platform message id; safe to call again on redelivery. */
  receive(message: InboundMessage): Promise<ReceiveResult>;
  /**
   * Stores a verified message durably and returns at once (a webhook acknowledges after this);
   * `process` does the work. Concurrent calls share one INSERT.
   */
  accept(message: InboundMessage): Promise<{ status: 'accepted'; inboundId: number; message: InboundMessage } | { status: 'duplicate' }>;
  /** Handles an accepted message; a no-op when another worker got to it first. */
  process(inboundId: number, message: InboundMessage): Promise<ReceiveResult>;
  /** Finishes accepted messages left unprocessed (a crash between acknowledgement and work). */
  recoverAccepted(olderThanMs?: number): Promise<number>;
  /** A command from a web page (console, ticket page), handled by the chat's own rules; see performWebCommand. */
  perform(command: WebCommand): Promise<WebCommandResult>;
  /** A report from the report page: see submitWebReport. */
  submitReport(report: WebReport): Promise<WebReportResult>;
}

interface Pending {
  msg: InboundMessage;
  /** Set when the message was accepted (stored) before processing. */
  inboundId?: number;
  attempts?: number;
  /** The classification asked for before the first try, kept so a retried message does not ask the LLM again. */
  advice?: { value: AdvisedClassification | undefined };
  resolve: (r: ReceiveResult) => void;
  reject: (e: unknown) => void;
}

export interface PipelineOptions {
  /** Messages handled in one transaction at most (they share one commit). */
  maxBatch?: number;
  /** Transactions in flight at once (PostgreSQL pool; PGlite has one connection). */
  concurrency?: number;
}

/**
 * Group commit: a message that arrives while a transaction is running waits for the next
 * one, which takes everything queued. A lone message goes straight in; under load, one WAL
 * flush serves many messages. Each message runs under its own savepoint, so one that fails
 * is rolled back alone and its caller gets the error (the webhook answers 503 and the platform
 * retries); a failed commit fails the whole batch the same way, and nothing is half-stored.
 */
export function createPipeline(deps: PipelineDeps, opts: PipelineOptions = {}): Pipeline {
  const maxBatch = opts.maxBatch ?? 64;
  const concurrency = opts.concurrency ?? 2;
  const queue: Pending[] = [];
  let running = 0;
  // Groups never disappear (tickets point at them): once known, no query is needed to find one again.
  const knownGroups = new Map<string, GroupRecord>();

  /** Rows a batch registered up front (see flush), so each message need not look them up again. */
  interface BatchRows {
    groups: Map<string, GroupRecord>;
    requesters: Map<string, Requester>;
  }

  async function processOne(tx: Tx, msg: InboundMessage, acceptedId?: number, known?: BatchRows, advised?: AdvisedClassification): Promise<ReceiveResult & { posted: boolean }> {
    const inboundId = acceptedId === undefined ? await claimInbound(tx, msg) : await claimAccepted(tx, acceptedId);
    if (inboundId === null) return { status: 'duplicate', posted: false };
    const now = deps.now();
    let group = null;
    if (msg.chatType === 'group') {
      const key = `${msg.platform}:${msg.chatId}`;
      group = knownGroups.get(key) ?? known?.groups.get(key) ?? (await ensureGroup(tx, msg.platform, msg.chatId, msg.chatTitle, now));
      if (group.configured) knownGroups.set(key, group);
    }
    const staff = deps.directory.staffByAccount(msg.platform, msg.sender.userId);
    // One statement finds or registers the enterprise (and keeps its display name current).
    const requester = staff ? null : (known?.requesters.get(requesterKey(msg.platform, msg.sender.userId)) ?? (await upsertRequester(tx, msg.platform, msg.sender.userId, { name: msg.sender.name })));
    const actorName = staff?.name ?? msg.sender.name ?? requester?.name ?? msg.sender.userId;
    const ctx = createMessageContext({ deps, tx, msg, now, group, staff, requester }, actorName);

    let outcome: InboundOutcome = 'ignored';
    let ticketId: number | null = null;
    let ticketNumber: string | null = null;

    if (msg.event === 'enter_chat') {
      reply(ctx, templates.welcome(deps.config.deployment.botName));
      outcome = 'event';
    } else {
      const parsed = parseCommand(msg.text);
      if (parsed.kind === 'command') {
        outcome = 'command';
        ticketId = await handleCommand(ctx, parsed.command);
      } else if (parsed.kind === 'usage_error') {
        outcome = 'command';
        reply(ctx, parsed.message);
      } else if (parsed.kind === 'unknown_command') {
        outcome = 'command';
        reply(ctx, templates.unknownCommand(parsed.word, parsed.suggestion ? `/${parsed.suggestion.zh[0]}` : null));
      } else if (staff) {
        // Staff replies and notices are not issues (taxonomy §1); point them to the commands.
        if (msg.chatType === 'direct') reply(ctx, templates.help(staff.role));
      } else {
        if (!advised) await deps.learning?.catchUp(tx);
        const c = advised ?? deps.classifier.classify(msg.text);
        if (c.isIssue) {
          const opened = await openTicket(ctx, msg.text, c as typeof c & { isIssue: true });
          outcome = opened.kind === 'ticket' ? 'ticket' : 'attached';
          ticketId = opened.ticketId;
          ticketNumber = opened.number;
        } else if (c.nonIssueKind === 'greeting') {
          reply(ctx, templates.greetingHint());
        } else if (addressedToBot(msg) && !QUIET_KINDS.has(c.nonIssueKind ?? 'chatter')) {
          // Never silently ignore the bot's own correspondent: say how to report, in their language.
          reply(ctx, templates.directChatterHint(messageLanguage(msg.text)));
        }
      }
    }

    if (ticketId !== null && ticketNumber === null) {
      ticketNumber = (await tx.selectFrom('tickets').select('number').where('id', '=', ticketId).executeTakeFirst())?.number ?? null;
    }
    await enqueueOutbox(tx, ctx.posts, now);
    await finishInbound(tx, inboundId, outcome, ticketId);
    return { status: outcome, ticketId, ticketNumber, posted: ctx.posts.length > 0 };
  }

  /** A deadlock or serialization failure says nothing about the message: it goes round again (three times). */
  function retryOrReject(item: Pending, error: unknown): void {
    const code = (error as { code?: unknown }).code;
    if ((code === '40P01' || code === '40001') && (item.attempts ?? 0) < 3) {
      queue.push({ ...item, attempts: (item.attempts ?? 0) + 1 });
      return;
    }
    item.reject(error);
  }

  async function flush(): Promise<void> {
    const batch = queue.splice(0, maxBatch);
    const fresh = batch.filter((b) => !b.advice);
    const asked = await adviseBatch(deps, deps.llm, fresh.map((b) => b.msg));
    fresh.forEach((b, i) => (b.advice = { value: asked[i] }));
    const results: Array<{ ok: true; value: ReceiveResult & { posted: boolean } } | { ok: false; error: unknown }> = [];
    try {
      await deps.db.transaction().execute(async (tx) => {
        // Lock order, the same as one message takes them: new groups, then enterprises (sorted, in
        // one statement), then the day's ticket counter — so concurrent batches cannot deadlock.
        let known: BatchRows | undefined;
        if (batch.length > 1) {
          const newGroups = new Map(batch.filter((b) => b.msg.chatType === 'group' && !knownGroups.has(`${b.msg.platform}:${b.msg.chatId}`)).map((b) => [`${b.msg.platform}:${b.msg.chatId}`, b.msg]));
          const groups = new Map<string, GroupRecord>();
          for (const key of [...newGroups.keys()].sort()) {
            const m = newGroups.get(key)!;
            groups.set(key, await ensureGroup(tx, m.platform, m.chatId, m.chatTitle, deps.now()));
          }
          const people = batch.filter((b) => !deps.directory.staffByAccount(b.msg.platform, b.msg.sender.userId)).map((b) => ({ platform: b.msg.platform, userId: b.msg.sender.userId, name: b.msg.sender.name }));
          known = { groups, requesters: await upsertRequesters(tx, people) };
        }
        for (const item of batch) {
          if (batch.length > 1) await sql`savepoint one_message`.execute(tx);
          try {
            results.push({ ok: true, value: await processOne(tx, item.msg, item.inboundId, known, item.advice?.value) });
            if (batch.length > 1) await sql`release savepoint one_message`.execute(tx);
          } catch (error) {
            if (batch.length === 1) throw error;
            await sql`rollback to savepoint one_message`.execute(tx);
            results.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) retryOrReject(item, error);
      return;
    }
    let posted = false;
    batch.forEach((item, i) => {
      const r = results[i]!;
      if (!r.ok) return retryOrReject(item, r.error);
      posted ||= r.value.posted;
      const { posted: _posted, ...rest } = r.value;
      item.resolve(rest.status === 'duplicate' ? { status: 'duplicate' } : rest);
    });
    if (posted) deps.onOutbox?.();
  }

  function pump(): void {
    while (running < concurrency && queue.length > 0) {
      running++;
      void flush().finally(() => {
        running--;
        pump();
      });
    }
  }

  const validate = (input: InboundMessage): InboundMessage => {
    const checked = inboundMessageSchema.safeParse(input);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new InvalidMessageError(`${issue?.path.join('.')}: ${issue?.message}`);
    }
    // The pipeline, not the caller, says when a message was received: the injected clock at
    // acceptance is the one instant a ticket's number, received_at and deadlines start from.
    return { ...checked.data, text: stripBotMention(checked.data.text, deps.config.deployment.botName), receivedAt: deps.now() };
  };
  const enqueue = (msg: InboundMessage, inboundId?: number) =>
    new Promise<ReceiveResult>((resolve, reject) => {
      queue.push({ msg, resolve, reject, ...(inboundId !== undefined ? { inboundId } : {}) });
      pump();
    });

  // Group commit for acknowledgements: requests that arrive while an INSERT runs share the next one.
  const accepting: Array<{ msg: InboundMessage; resolve: (id: number | null) => void; reject: (e: unknown) => void }> = [];
  let acceptRunning = 0;
  function pumpAccepts(): void {
    while (acceptRunning < concurrency && accepting.length > 0) {
      const batch = accepting.splice(0, 256);
      acceptRunning++;
      acceptInbound(deps.db, batch.map((b) => b.msg))
        .then((ids) => batch.forEach((b, i) => b.resolve(ids[i] ?? null)), (e) => batch.forEach((b) => b.reject(e)))
        .finally(() => {
          acceptRunning--;
          pumpAccepts();
        });
    }
  }

  return {
    async accept(input) {
      const msg = validate(input);
      const inboundId = await new Promise<number | null>((resolve, reject) => {
        accepting.push({ msg, resolve, reject });
        pumpAccepts();
      });
      return inboundId === null ? { status: 'duplicate' } : { status: 'accepted', inboundId, message: msg };
    },
    process: (inboundId, message) => enqueue(message, inboundId),
    async recoverAccepted(olderThanMs = 60_000) {
      const rows = await pendingInbound(deps.db, new Date(deps.now().getTime() - olderThanMs), 500);
      const work: Promise<unknown>[] = [];
      for (const r of rows) {
        const parsed = inboundMessageSchema.safeParse({ ...(r.payload as Record<string, unknown>), receivedAt: new Date(String((r.payload as { receivedAt?: unknown }).receivedAt)) });
        if (!parsed.success) {
          await deps.db.updateTable('inbound_messages').set({ outcome: 'ignored' }).where('id', '=', r.id).execute();
          continue;
        }
        work.push(enqueue(parsed.data, r.id));
      }
      await Promise.allSettled(work);
      return rows.length;
    },
    perform: (command) => performWebCommand(deps, command),
    submitReport: (report) => submitWebReport(deps, report),
    receive(input: InboundMessage): Promise<ReceiveResult> {
      let msg: InboundMessage;
      try {
        msg = validate(input);
      } catch (e) {
        return Promise.reject(e);
      }
      return enqueue(msg);
    },
  };
}
