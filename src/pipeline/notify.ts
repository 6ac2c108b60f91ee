import type { Db, Tx } from '../db/database';
import type { TicketRow } from '../db/schema';
import type { OutboundPayload, Platform } from '../domain/message';
import { getGroup, type GroupRecord } from '../repo/directory';
import type { DirectoryCache } from './directory-cache';
import type { OutboxEntry, OutboxKind } from '../repo/outbox';

export const textPayload = (text: string, mentions: string[] = []): OutboundPayload => ({ format: 'text', text, mentions });

export function hasOutbound(group: GroupRecord | null): group is GroupRecord {
  return !!group && group.outbound !== null && group.outbound !== undefined;
}

/** A post into the ticket's group, when that group has an outbound channel. */
export async function groupPostFor(
  db: Tx | Db,
  ticket: TicketRow,
  text: string,
  opts: { mentions?: string[]; kind?: OutboxKind; group?: GroupRecord | null } = {},
): Promise<OutboxEntry | null> {
  // A private report stays out of the group until its requester agrees (/公开).
  if (ticket.is_private) return null;
  const group = opts.group !== undefined && opts.group?.id === ticket.group_id ? opts.group : ticket.group_id ? await getGroup(db, ticket.group_id) : null;
  if (!hasOutbound(group)) return null;
  return {
    platform: group.platform,
    kind: opts.kind ?? 'notice',
    target: { kind: 'group', chatId: group.chatId },
    payload: textPayload(text, opts.mentions ?? []),
    ticketId: ticket.id,
    groupId: group.id,
  };
}

/** One-to-one posts to a department's staff on a platform (private reports, escalation documents). */
export function staffDirectPosts(directory: DirectoryCache, departmentId: string, platform: Platform, text: string, ticketId: number, kind: OutboxKind = 'direct'): OutboxEntry[] {
  const users = directory.departmentAccounts(departmentId, platform);
  return users.map((userId) => ({ platform, kind, target: { kind: 'direct' as const, userId }, payload: textPayload(text), ticketId, groupId: null }));
}

/** One-to-one posts to everyone with a role (dispatchers, supervisors) on a platform. */
export function roleDirectPosts(directory: DirectoryCache, role: 'dispatcher' | 'supervisor', platform: Platform, text: string, ticketId: number | null, kind: OutboxKind = 'direct'): OutboxEntry[] {
  const users = directory.roleAccounts(role, platform);
  return users.map((userId) => ({ platform, kind, target: { kind: 'direct' as const, userId }, payload: textPayload(text), ticketId, groupId: null }));
}
