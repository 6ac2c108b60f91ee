import { randomToken, sha256Hex } from '../auth/tokens';
import type { InboundMessage } from '../domain/message';
import type { GroupRecord } from '../repo/directory';
import { claimInbound, finishInbound } from '../repo/inbound';
import { enqueueOutbox } from '../repo/outbox';
import { webRequester } from '../repo/requesters';
import { createMessageContext, type PipelineDeps } from './context';
import { openTicket } from './open-ticket';

export interface WebReport {
  /** The human check's nonce: a double-tapped submit is one report. */
  submissionId: string;
  group: GroupRecord;
  enterprise: string;
  contact: string;
  /** Canonical digits (normalisePhone). */
  phone: string;
  text: string;
  location: string | null;
  photos: Array<{ contentType: string; bytes: Uint8Array; sha256: string }>;
  /** The requester agreed to a notice in the group (contact details are never posted). */
  publicNotice: boolean;
}

export type WebReportResult =
  | { status: 'ticket' | 'attached'; number: string; link: string; messages: string[] }
  | { status: 'duplicate' };

/**
 * A report from the report page becomes a ticket through the same steps as a chat report —
 * classification, duplicate check, routing, deadlines, the group notice — in one transaction
 * with its photos and the requester's private link, so nothing is ever half-saved.
 */
export async function submitWebReport(deps: PipelineDeps, report: WebReport): Promise<WebReportResult> {
  const result = await deps.db.transaction().execute(async (tx): Promise<WebReportResult & { posted?: boolean }> => {
    const now = deps.now();
    const text = report.location ? `${report.text}\n（地点：${report.location}）` : report.text;
    // A fresh requester per submission (see webRequester); the phone is never a platform id (that reaches posts).
    const requester = await webRequester(tx, report.phone, { name: report.contact, enterprise: report.enterprise });
    const msg: InboundMessage = {
      platform: 'web',
      messageId: `report:${report.submissionId}`,
      chatType: report.publicNotice ? 'group' : 'direct',
      chatId: report.publicNotice ? report.group.chatId : `web:${requester.id}`,
      chatTitle: report.group.name,
      sender: { userId: requester.userId, name: `${report.contact}（${report.enterprise}）` },
      text,
      receivedAt: now,
    };
    const inboundId = await claimInbound(tx, msg);
    if (inboundId === null) return { status: 'duplicate' };
    const ctx = createMessageContext({ deps, tx, msg, now, group: report.group, staff: null, requester, replies: [], privateReport: !report.publicNotice }, msg.sender.name!);
    // Someone who fills in a report form means to report: chatter-like text still becomes a
    // ticket, for a person at 营商办 to look at (confidence 0 keeps it off any department's desk).
    const c = deps.classifier.classify(text);
    const issue = c.isIssue ? c : { ...c, isIssue: true as const, type: c.type ?? 'help', category: c.category ?? 'other', urgency: c.urgency ?? 'normal', confidence: 0 };
    const opened = await openTicket(ctx, text, issue as typeof c & { isIssue: true });
    if (opened.kind === 'ticket') {
      await tx.updateTable('tickets').set({ reporter_name: report.contact, reporter_enterprise: report.enterprise }).where('id', '=', opened.ticketId).execute();
    }
    for (const p of report.photos) {
      await tx
        .insertInto('attachments')
        .values({ ticket_id: opened.ticketId, requester_id: requester.id, content_type: p.contentType, bytes: p.bytes.length, sha256: p.sha256, data: p.bytes, created_at: now })
        .execute();
    }
    const link = randomToken();
    await tx.insertInto('ticket_links').values({ token_hash: await sha256Hex(link), ticket_id: opened.ticketId, requester_id: requester.id, created_at: now }).execute();
    await enqueueOutbox(tx, ctx.posts, now);
    await finishInbound(tx, inboundId, opened.kind, opened.ticketId);
    // Chat replies name chat commands a report-page user cannot send: the page says what they can do.
    // Who handles it is what a reporter wants to know first; a ticket in the manual queue says so.
    const handler = (await tx.selectFrom('tickets').select('department_id').where('id', '=', opened.ticketId).executeTakeFirstOrThrow()).department_id;
    const handlerName = handler ? deps.directory.departmentName(handler) : null;
    const messages = [
      opened.kind === 'attached'
        ? '已有企业反映了相同问题，您已登记为附议企业，办理进展同步可见。'
        : handlerName
          ? `已受理，已派给 ${handlerName} 办理，营商办将按时限督办。`
          : '已受理，营商办将尽快确定承办单位并按时限督办。',
    ];
    return { status: opened.kind, number: opened.number, link, messages, posted: ctx.posts.length > 0 };
  });
  if ('posted' in result && result.posted) deps.onOutbox?.();
  if (result.status === 'duplicate') return result;
  const { posted: _posted, ...rest } = result as WebReportResult & { posted?: boolean };
  return rest;
}
