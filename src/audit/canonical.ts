/**
 * The audit chain's canonical form and hash. Deliberately small and dependency-free: the
 * discipline commission re-implements exactly this (README, "审计链"; test/audit/chain-documented.test.ts
 * re-implements it from the README's words) to check the log themselves.
 *
 *   canonical(e) = JSON of {actor:{id,kind,name}, at, data, from_status, id, kind, ticket_id, to_status}
 *                  with object keys sorted (by UTF-16 code unit, recursively, also inside data),
 *                  no whitespace, `at` as ISO-8601 UTC with milliseconds ("2026-11-23T02:00:00.000Z"),
 *                  absent status as null, and strings escaped as JSON.stringify does.
 *   hash(e)      = lowercase hex SHA-256 of UTF-8(prev_hash + canonical(e)),
 *                  prev_hash = the hash of the entry before it in audit_chain (seq - 1), or
 *                  GENESIS_HASH for seq 1.
 *
 * The hash is not stored on the event: the chainer (chainer.ts) appends `(seq, event_id, hash)`
 * to audit_chain after the event's transaction commits, queued events in ascending id per run, so
 * the chain's order is seq, which follows id order only within one run.
 */
import type { TicketEventRow } from '../db/schema';

export const GENESIS_HASH = '0'.repeat(64);

/** The columns that are hashed: everything an event says, nothing the chain adds (seq, hash). */
export type ChainEvent = Pick<TicketEventRow, 'id' | 'ticket_id' | 'kind' | 'from_status' | 'to_status' | 'actor_kind' | 'actor_id' | 'actor_name' | 'data' | 'at'>;

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

export function canonicalEvent(e: ChainEvent): string {
  // Through JSON first, so what is hashed on insert equals what jsonb hands back on read
  // (dates become strings, undefined members disappear).
  const data = JSON.parse(JSON.stringify(e.data ?? {})) as JsonValue;
  return JSON.stringify(
    sortKeys({
      actor: { id: e.actor_id, kind: e.actor_kind, name: e.actor_name },
      at: e.at.toISOString(),
      data,
      from_status: e.from_status,
      id: e.id,
      kind: e.kind,
      ticket_id: e.ticket_id,
      to_status: e.to_status,
    }),
  );
}

export async function chainHash(prevHash: string, e: ChainEvent): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(prevHash + canonicalEvent(e)));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A checkpoint as handed to outsiders: `gz1:<lastEventId>:<count>:<hash>`. */
export interface Checkpoint {
  lastEventId: number;
  count: number;
  hash: string;
}

export const formatCheckpoint = (c: Checkpoint): string => `gz1:${c.lastEventId}:${c.count}:${c.hash}`;

export function parseCheckpoint(s: string): Checkpoint | null {
  const m = /^gz1:(\d+):(\d+):([0-9a-f]{64})$/.exec(s.trim());
  return m ? { lastEventId: Number(m[1]), count: Number(m[2]), hash: m[3]! } : null;
}
