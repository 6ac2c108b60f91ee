import { stripBotMention } from '../domain/classifier/normalise';
import { sql } from 'kysely';
import { InvalidMessageError, inboundMessageSchema, type InboundMessage, type OutboundPayload } from '../domain/message';
import { ensureGroup, findGroups, type GroupRecord } from '../repo/directory';
import { acceptInbound, claimInbound, finishInboundMany, lockAccepted, pendingInbound, type InboundOutcome } from '../repo/inbound';
import { enqueueOutbox, type OutboxEntry } from '../repo/outbox';
import { upsertRequesters } from '../repo/requesters';
import { deferTicketNumbers } from '../repo/ticket-numbers';
import { chainSoon } from '../audit/chainer';
import { createBatcher, type Settled } from './batcher';
import type { PipelineDeps } from './context';
import { handleMessage, type KnownRows } from './handle-message';
import { adviseBatch, type AdvisedClassification } from './second-opinion';
import { fetchBatchPhotos, type ChatPhoto } from './attachments';
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
  /** The classification asked for before the first try, kept so a retried message does not ask the LLM again. */
  advice?: { value: AdvisedClassification | undefined };
  /** Chat photos downloaded before the first try (src/pipeline/attachments.ts); a retry does not fetch again. */
  photos?: { value: ChatPhoto[] | undefined };
}

export interface PipelineOptions {
  /** Messages handled in one transaction at most (they share one commit). */
  maxBatch?: number;
  /** Transactions in flight at once (PostgreSQL pool; PGlite has one connection). */
  concurrency?: number;
}

/** A post rendered from a ticket numbered at the batch's end, with its number (texts and card alike). */
function numberedPayload(payload: OutboundPayload, numbered: (text: string) => string): OutboundPayload {
  const json = JSON.stringify(payload);
  const done = numbered(json);
  return done === json ? payload : (JSON.parse(done) as OutboundPayload);
}

/** A deadlock or serialization failure says nothing about the message: it goes round again. */
const retryable = (error: unknown) => ['40P01', '40001'].includes(String((error as { code?: unknown }).code));

/**
 * Two group commits (see createBatcher): acknowledgements share one INSERT, and the work shares
 * one transaction per batch (processBatch).
 */
export function createPipeline(deps: PipelineDeps, opts: PipelineOptions = {}): Pipeline {
  const concurrency = opts.concurrency ?? 2;
  // Groups never disappear (tickets point at them): once known, no query is needed to find one again.
  const knownGroups = new Map<string, GroupRecord>();
  const work = createBatcher<Pending, ReceiveResult>({ maxBatch: opts.maxBatch ?? 64, concurrency, retryable, run: (batch) => processBatch(deps, knownGroups, batch) });
  const accepts = createBatcher<InboundMessage, number | null>({
    maxBatch: 256,
    concurrency,
    run: async (msgs) => (await acceptInbound(deps.db, msgs)).map((value) => ({ ok: true, value })),
  });

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
  // Accepted messages this process holds, so its own recovery pass does not queue them a second time.
  const inFlight = new Set<number>();
  const enqueue = (msg: InboundMessage, inboundId?: number) => {
    if (inboundId === undefined) return work.add({ msg });
    inFlight.add(inboundId);
    return work.add({ msg, inboundId }).finally(() => inFlight.delete(inboundId));
  };

  return {
    async accept(input) {
      const msg = validate(input);
      const inboundId = await accepts.add(msg);
      return inboundId === null ? { status: 'duplicate' } : { status: 'accepted', inboundId, message: msg };
    },
    process: (inboundId, message) => enqueue(message, inboundId),
    // 15 s: far longer than a message waits in a healthy instance's queue, short enough that the
    // messages of an instance that died are finished by the next pass of a survivor.
    async recoverAccepted(olderThanMs = 15_000) {
      const rows = (await pendingInbound(deps.db, new Date(deps.now().getTime() - olderThanMs), 500)).filter((r) => !inFlight.has(r.id));
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

/**
 * One transaction for a batch of messages (new chats' group rows are committed just before it).
 * Locks are taken in one order — the accepted rows, then enterprises (sorted, in one statement), then per message its ticket's row,
 * and last, for the batch's new tickets, the day's ticket counter (numbers are given at the end:
 * repo/ticket-numbers.ts). The audit chain is not among them (chained after commit: chainSoon), so
 * batches run side by side and wait for each other only at the counter, for their last three
 * statements and the commit. A holder of the counter takes no other contended lock after it, so
 * it cannot close a cycle; any deadlock PostgreSQL does break (40P01) sends the loser round again
 * (`retryable`). A message that fails is rolled back alone — the batch runs again with a
 * savepoint per message (see below) — and its caller gets the error (the webhook
 * answers 503 and the platform retries; an accepted one stays pending for recovery); a failed
 * commit fails the whole batch the same way, and nothing is half-stored. The posts and outcomes of
 * the whole batch are written with one statement each at the end.
 */
async function processBatch(deps: PipelineDeps, knownGroups: Map<string, GroupRecord>, batch: Pending[]): Promise<Array<Settled<ReceiveResult>>> {
  const fresh = batch.filter((b) => !b.advice);
  const asked = await adviseBatch(deps, deps.llm, fresh.map((b) => b.msg));
  fresh.forEach((b, i) => (b.advice = { value: asked[i] }));
  // Photos are downloaded here too, outside the transaction: platform URLs must not hold row locks.
  const unfetched = batch.filter((b) => !b.photos);
  const fetched = await fetchBatchPhotos(deps.photos, unfetched.map((b) => b.msg));
  unfetched.forEach((b, i) => (b.photos = { value: fetched[i] }));
  const groupKey = (m: InboundMessage) => `${m.platform}:${m.chatId}`;
  const known: KnownRows = { groups: new Map(), requesters: new Map() };
  for (const b of batch) if (b.msg.chatType === 'group' && knownGroups.has(groupKey(b.msg))) known.groups.set(groupKey(b.msg), knownGroups.get(groupKey(b.msg))!);
  if (batch.length > 1) {
    // Chats seen for the first time get their row in a short transaction of its own, committed
    // before the batch's: a new group inserted inside the batch made every other batch naming that
    // chat wait on it until commit (measured: ~4 of 8 connections waiting on `insert into groups`
    // while a fresh database met its 200 chats). Groups are never deleted, so one left by a batch
    // that then fails is only what the next delivery would create anyway.
    // The chats not cached (unconfigured groups are not: the console may configure them any
    // moment) are looked up in one statement; only the missing ones are inserted.
    const unknown = new Map(batch.filter((b) => b.msg.chatType === 'group' && !known.groups.has(groupKey(b.msg))).map((b) => [groupKey(b.msg), b.msg]));
    if (unknown.size) {
      for (const [key, group] of await findGroups(deps.db, [...unknown.values()])) {
        known.groups.set(key, group);
        unknown.delete(key);
      }
    }
    if (unknown.size) {
      await deps.db.transaction().execute(async (tx) => {
        for (const key of [...unknown.keys()].sort()) {
          const m = unknown.get(key)!;
          known.groups.set(key, await ensureGroup(tx, m.platform, m.chatId, m.chatTitle, deps.now()));
        }
      });
    }
  }
  // A batch first runs without a savepoint per message (two round trips each, a quarter of a
  // message's statements); if one of its messages fails, it is rolled back and run again with
  // them, so the failure stays that message's alone. Nothing outside the database is done twice:
  // advice and photos were fetched above, and posts leave only with the commit.
  const many = batch.length > 1;
  try {
    return await runBatch(deps, knownGroups, batch, known, many ? 'optimistic' : 'alone');
  } catch (error) {
    if (!(error instanceof RetryWithSavepoints)) throw error;
    return runBatch(deps, knownGroups, batch, known, 'savepoints');
  }
}

/** Thrown to roll a batch back when a message fails in its first, savepoint-free run. */
class RetryWithSavepoints extends Error {}

async function runBatch(
  deps: PipelineDeps,
  knownGroups: Map<string, GroupRecord>,
  batch: Pending[],
  known: KnownRows,
  mode: 'alone' | 'optimistic' | 'savepoints',
): Promise<Array<Settled<ReceiveResult>>> {
  const results: Array<Settled<ReceiveResult>> = [];
  let posted = false;
  const groupKey = (m: InboundMessage) => `${m.platform}:${m.chatId}`;
  await deps.db.transaction().execute(async (tx) => {
    const taken = await lockAccepted(tx, batch.flatMap((b) => (b.inboundId === undefined ? [] : [b.inboundId])));
    if (batch.length > 1) {
      const people = batch.filter((b) => !deps.directory.staffByAccount(b.msg.platform, b.msg.sender.userId)).map((b) => ({ platform: b.msg.platform, userId: b.msg.sender.userId, name: b.msg.sender.name }));
      known.requesters = await upsertRequesters(tx, people);
    }
    const posts: OutboxEntry[] = [];
    const finished: Array<{ id: number; outcome: InboundOutcome; ticketId: number | null }> = [];
    const savepoints = mode === 'savepoints';
    const numbering = deferTicketNumbers(tx);
    for (const item of batch) {
      if (item.inboundId !== undefined && !taken.has(item.inboundId)) {
        results.push({ ok: true, value: { status: 'duplicate' } });
        continue;
      }
      const mark = numbering.mark();
      if (savepoints) await sql`savepoint one_message`.execute(tx);
      try {
        const inboundId = item.inboundId ?? (await claimInbound(tx, item.msg));
        if (inboundId === null) {
          results.push({ ok: true, value: { status: 'duplicate' } });
        } else {
          const h = await handleMessage(deps, tx, item.msg, known, item.advice?.value, item.photos?.value);
          if (h.group?.configured) knownGroups.set(groupKey(item.msg), h.group);
          posts.push(...h.posts);
          finished.push({ id: inboundId, outcome: h.outcome, ticketId: h.ticketId });
          results.push({ ok: true, value: { status: h.outcome, ticketId: h.ticketId, ticketNumber: h.ticketNumber } });
        }
        if (savepoints) await sql`release savepoint one_message`.execute(tx);
      } catch (error) {
        if (mode === 'optimistic') throw new RetryWithSavepoints();
        if (!savepoints) throw error;
        await sql`rollback to savepoint one_message`.execute(tx);
        numbering.discard(mark);
        results.push({ ok: false, error });
      }
    }
    // The batch's new tickets get their numbers here, last: the day's counter is held only for
    // these three statements and the commit (see repo/ticket-numbers.ts).
    const numbered = await numbering.finish(tx);
    for (const p of posts) p.payload = numberedPayload(p.payload, numbered);
    for (const r of results) if (r.ok && 'ticketNumber' in r.value && r.value.ticketNumber) r.value.ticketNumber = numbered(r.value.ticketNumber);
    await enqueueOutbox(tx, posts, deps.now());
    await finishInboundMany(tx, finished);
    posted = posts.length > 0;
  });
  if (posted) deps.onOutbox?.();
  // The batch's events are chained after its commit, outside any message's transaction. A failure
  // here loses nothing: they stay queued for the next run (the scheduler's tick runs one too).
  await chainSoon(deps.db).catch(() => undefined);
  return results;
}
