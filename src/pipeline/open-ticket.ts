import type { Classification } from '../domain/classifier/types';
import type { AdvisedClassification } from './second-opinion';
import { chinaDateCompact } from '../domain/china-time';
import { matchFaq } from '../domain/faq';
import { routeTicket } from '../domain/routing';
import { DUPLICATE_THRESHOLD, DUPLICATE_WINDOW_DAYS, textSimilarity } from '../domain/similarity';
import { OPEN_STATUSES, type Actor, type TicketEventDraft } from '../domain/ticket';
import { routingFor } from '../domain/regions';
import { formatTicketNumber } from '../domain/ticket-number';
import { templates } from '../domain/templates';
import type { Category, IssueType, Urgency } from '../domain/taxonomy';
import { addSupporter, appendEvents, insertTicket, nextTicketSeq, ticketView } from '../repo/tickets';
import { deferredNumbering } from '../repo/ticket-numbers';
import { announce, notifyDirect, reply, type MessageContext } from './context';
import { ticketCard } from './cards';
import { hasOutbound } from './notify';

export type OpenOutcome = { kind: 'ticket'; ticketId: number; number: string } | { kind: 'attached'; ticketId: number; number: string };

async function findDuplicate(ctx: MessageContext, category: Category, text: string) {
  if (!ctx.group) return null;
  const since = new Date(ctx.now.getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000);
  const requesterId = ctx.requester?.id ?? -1;
  const candidates = await ctx.tx
    .selectFrom('tickets')
    .selectAll()
    .where('group_id', '=', ctx.group.id)
    // Another enterprise's private report is never matched: the match would reveal it to the newcomer.
    .where((eb) => eb.or([eb('is_private', '=', false), eb('requester_id', '=', requesterId)]))
    .where('category', '=', category)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('received_at', '>=', since)
    .orderBy('received_at', 'desc')
    .limit(50)
    .execute();
  let best: (typeof candidates)[number] | null = null;
  let bestScore = 0;
  for (const c of candidates) {
    const score = textSimilarity(c.content, text);
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return bestScore >= DUPLICATE_THRESHOLD ? best : null;
}

/** An issue from an enterprise: attach to the same open problem, or open, route and announce a ticket. */
export async function openTicket(ctx: MessageContext, text: string, c: (Classification | AdvisedClassification) & { isIssue: true }): Promise<OpenOutcome> {
  const { tx, msg, now, deps } = ctx;
  // receive() registers every non-staff sender before anything else runs.
  const requester = ctx.requester;
  if (!requester) throw new Error('openTicket needs the requester that receive() registers');
  const type = c.type as IssueType;
  const category = c.category as Category;
  const urgency = c.urgency as Urgency;

  const duplicate = await findDuplicate(ctx, category, text);
  if (duplicate) {
    if (duplicate.requester_id !== requester.id && (await addSupporter(tx, duplicate.id, requester.id))) {
      await appendEvents(tx, duplicate.id, [
        { kind: 'supporter_added', fromStatus: null, toStatus: null, actor: ctx.actor, at: now, data: { requesterId: requester.id, text } },
      ]);
    }
    reply(ctx, templates.duplicateAttached(await ticketView(tx, duplicate, deps.directory)), { ticketId: duplicate.id });
    return { kind: 'attached', ticketId: duplicate.id, number: duplicate.number };
  }

  // 咨询 that the knowledge base answers: answered at once, pending the requester's confirmation.
  const faq = type === 'consult' || /[?？吗]|怎么|如何|哪些|多久/.test(text) ? matchFaq(deps.config.faq, text) : null;

  // One instant is "received": when the pipeline accepted the message (receive()/accept() stamp it
  // from the injected clock). Number, received_at, the SLA start and the first event all use it,
  // so a message processed late (recovery after a crash, a slow batch) keeps the day it came in.
  const receivedAt = msg.receivedAt;
  const day = chinaDateCompact(receivedAt);
  // The region the ticket comes from: its group's; a one-to-one report, the department it goes to.
  const org = deps.directory.org;
  const groupRegion = ctx.group?.region ? org.groupRegion(ctx.group.region) : null;
  const routing = routingFor(deps.config.routing, deps.config.regions ?? [], org, groupRegion ?? org.root.id);
  const routed = routeTicket(routing, { category, type, urgency, text, region: ctx.group?.region ?? undefined });
  const regionId = groupRegion ?? org.departmentRegion(routed.departmentId);
  const prefix = org.ticketPrefix(deps.config.deployment.ticketPrefix, regionId);
  // In a batch the number is given at its end (repo/ticket-numbers.ts), so the day's counter is
  // locked only while the batch commits; alone (the report page), it is taken here.
  const numbering = deferredNumbering(tx);
  const placeholder = numbering?.reserve({ day, prefix, receivedAt });
  const seq = placeholder ? placeholder.seq : await nextTicketSeq(tx, day);
  const number = placeholder ? placeholder.token : formatTicketNumber(prefix, receivedAt, seq);
  const route = faq?.entry.department ? { departmentId: faq.entry.department, rule: null } : routed;
  // Low confidence waits for a person at 营商办 rather than landing on the wrong desk.
  // An LLM's answer (classifier.llm) routes by the deployment's choice, since it carries no calibrated probability.
  const llm = 'llm' in c ? c.llm : undefined;
  const autoDispatch = !!faq || c.confidence >= deps.config.classifier.minConfidence || llm?.autoDispatch === true;
  const { signDueAt, resolveDueAt } = deps.sla.dueDates({ type, category, urgency }, receivedAt);
  const isPrivate = msg.chatType === 'direct' || ctx.privateReport === true;

  const row = await insertTicket(tx, {
    number,
    day: placeholder ? placeholder.token : day,
    seq,
    status: faq ? 'resolved' : autoDispatch ? 'dispatched' : 'received',
    type,
    category,
    urgency,
    confidence: c.confidence,
    content: text,
    group_id: ctx.group?.id ?? null,
    origin_platform: msg.platform,
    origin_chat_id: msg.chatId,
    origin_chat_type: msg.chatType,
    requester_id: requester.id,
    is_private: isPrivate,
    region_id: org.declared ? regionId : null,
    department_id: autoDispatch ? route.departmentId : null,
    received_at: receivedAt,
    dispatched_at: autoDispatch ? now : null,
    sign_due_at: signDueAt,
    resolve_due_at: resolveDueAt,
    updated_at: now,
    ...(faq ? { resolved_at: now, resolution: faq.entry.answer, kb_entry: faq.entry.id } : {}),
  });
  if (placeholder) numbering!.bind(placeholder, row.id);
  // The deadlines as set at opening, so an audit rebuilding the ticket from its events can check
  // them (src/domain/ticket-history.ts reads signDueAt/resolveDueAt wherever an event states them).
  // The dispatch at opening restarts the deadlines for that rebuild, so it states them too.
  const deadlines = { signDueAt: signDueAt.toISOString(), resolveDueAt: resolveDueAt.toISOString() };
  const system: Actor = { kind: 'system', id: 'classifier', name: '共治助手' };
  const events: TicketEventDraft[] = [
    {
      kind: 'received',
      fromStatus: null,
      toStatus: 'received',
      actor: ctx.actor,
      at: receivedAt,
      data: {
        messageId: msg.messageId,
        platform: msg.platform,
        classification: { type, category, urgency, confidence: c.confidence, ...(llm ? { source: 'llm', local: llm.local, fields: llm.fields } : {}) },
        // The region column as written, so the audit can hold the row to it (it never changes after opening).
        regionId: row.region_id ?? null,
        ...deadlines,
      },
    },
  ];
  if (autoDispatch) {
    events.push({ kind: 'dispatched', fromStatus: 'received', toStatus: 'dispatched', actor: system, at: now, data: { departmentId: route.departmentId, rule: route.rule, ...deadlines } });
  }
  if (faq) {
    events.push({ kind: 'resolved', fromStatus: 'dispatched', toStatus: 'resolved', actor: system, at: now, data: { knowledgeBase: faq.entry.id, score: Math.round(faq.score * 100) / 100 } });
  }
  await appendEvents(tx, row.id, events, { newTicket: true });

  const view = await ticketView(tx, row, deps.directory);
  if (faq) {
    reply(ctx, templates.kbAnswer(view, faq.entry.answer, faq.entry.source), { ticketId: row.id });
    return { kind: 'ticket', ticketId: row.id, number };
  }
  reply(ctx, isPrivate ? templates.acceptedPrivate(view) : templates.accepted(view), { ticketId: row.id });

  // The department learns of it in the group (with @-mentions) or, for private reports, one-to-one.
  const noticeText = autoDispatch ? templates.dispatchNotice(view) : templates.manualQueueNotice(view);
  const noticePlatform = ctx.group?.platform ?? msg.platform;
  const mentions = autoDispatch ? deps.directory.departmentAccounts(route.departmentId, noticePlatform) : deps.directory.ticketRoleAccounts('dispatcher', row, noticePlatform);
  if (!isPrivate && hasOutbound(ctx.group)) {
    await announce(ctx, row, noticeText, { mentions });
    // Where cards are on, the dispatch notice carries 认领/办结 buttons; other platforms use the text.
    const notice = ctx.posts.at(-1);
    if (autoDispatch && notice?.target.kind === 'group') notice.payload.card = ticketCard(view, row.id);
  } else {
    notifyDirect(ctx, noticePlatform, mentions, noticeText, row.id);
  }
  return { kind: 'ticket', ticketId: row.id, number };
}
