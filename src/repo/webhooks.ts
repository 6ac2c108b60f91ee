import { sql } from 'kysely';
import type { GongzhiConfig } from '../config/schema';
import type { Db } from '../db/database';

/** The configured endpoints, mirrored for the database trigger that queues deliveries; removed ones stop. */
export async function syncWebhookEndpoints(db: Db, hooks: GongzhiConfig['webhooks']): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const h of hooks) {
      const row = { url: h.url, events: h.events ? JSON.stringify(h.events) : null, active: true };
      await tx.insertInto('webhook_endpoints').values({ id: h.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
    }
    let off = tx.updateTable('webhook_endpoints').set({ active: false });
    if (hooks.length) off = off.where('id', 'not in', hooks.map((h) => h.id));
    await off.execute();
    // The trigger costs every ticket event a lookup (a quarter of a report's time on PGlite): it
    // does its work only while some endpoint listens. A row, not ALTER TABLE, switches it, so the
    // runtime role needs no ownership of ticket_events.
    await tx.updateTable('runtime_switches').set({ webhooks: hooks.length > 0 }).where('id', '=', 1).execute();
  });
}

export interface ClaimedDelivery {
  id: number;
  endpointId: string;
  attempts: number;
  event: { id: number; kind: string; fromStatus: string | null; toStatus: string | null; at: Date; actor: { kind: string; id: string; name: string }; data: Record<string, unknown> };
  ticket: {
    number: string;
    status: string;
    type: string;
    category: string;
    urgency: string;
    content: string;
    departmentId: string | null;
    groupId: string | null;
    supervised: boolean;
    rating: number | null;
    receivedAt: Date;
    signDueAt: Date | null;
    resolveDueAt: Date | null;
    /** Reported one-to-one or on the QR page as private: its text must not go out as it is. */
    isPrivate: boolean;
    /** Where it was reported: a published one-to-one or report-page report goes without its contact details. */
    originChatType: string;
    originPlatform: string;
  };
}

/**
 * Takes due deliveries of active endpoints, oldest event first, and leases them (the attempt
 * time moves past the lease) so concurrent dispatchers never send one twice at once.
 */
export async function claimDueDeliveries(db: Db, opts: { now: Date; limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  return db.transaction().execute(async (tx) => {
    const ids = (
      await tx
        .selectFrom('webhook_deliveries as w')
        .select('w.id')
        .where('w.delivered_at', 'is', null)
        .where('w.dead_at', 'is', null)
        .where('w.next_attempt_at', '<=', opts.now)
        .where('w.endpoint_id', 'in', (eb) => eb.selectFrom('webhook_endpoints as h').select('h.id').where('h.active', '=', true))
        .orderBy('w.next_attempt_at')
        .orderBy('w.id')
        .limit(opts.limit)
        .forUpdate()
        .skipLocked()
        .execute()
    ).map((r) => r.id);
    if (!ids.length) return [];
    await tx
      .updateTable('webhook_deliveries')
      .set({ attempts: sql`attempts + 1`, next_attempt_at: new Date(opts.now.getTime() + opts.leaseMs) })
      .where('id', 'in', ids)
      .execute();
    const rows = await tx
      .selectFrom('webhook_deliveries as w')
      .innerJoin('ticket_events as e', 'e.id', 'w.event_id')
      .innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select([
        'w.id', 'w.endpoint_id', 'w.attempts', 'e.id as event_id', 'e.kind', 'e.from_status', 'e.to_status', 'e.at', 'e.actor_kind', 'e.actor_id', 'e.actor_name', 'e.data',
        't.number', 't.status', 't.type', 't.category', 't.urgency', 't.content', 't.department_id', 't.group_id', 't.supervised', 't.rating', 't.received_at', 't.sign_due_at', 't.resolve_due_at', 't.is_private', 't.origin_chat_type', 't.origin_platform',
      ])
      .where('w.id', 'in', ids)
      .orderBy('w.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      attempts: r.attempts,
      event: { id: r.event_id, kind: r.kind, fromStatus: r.from_status, toStatus: r.to_status, at: r.at, actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name }, data: r.data },
      ticket: {
        number: r.number, status: r.status, type: r.type, category: r.category, urgency: r.urgency, content: r.content, departmentId: r.department_id, groupId: r.group_id,
        supervised: r.supervised, rating: r.rating, receivedAt: r.received_at, signDueAt: r.sign_due_at, resolveDueAt: r.resolve_due_at,
        isPrivate: r.is_private, originChatType: r.origin_chat_type, originPlatform: r.origin_platform,
      },
    }));
  });
}

export async function markDelivered(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ delivered_at: now, last_error: null }).where('id', '=', id).execute();
}

export async function markDeliveryFailed(db: Db, id: number, error: string, retryAt: Date | null, now: Date): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set(retryAt ? { last_error: error.slice(0, 1000), next_attempt_at: retryAt } : { last_error: error.slice(0, 1000), dead_at: now })
    .where('id', '=', id)
    .execute();
}
