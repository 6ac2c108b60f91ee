import type { Db } from '../db/database';
import { listDeadLetters } from '../repo/outbox';

/**
 * `outbox dead`: one line per dead letter, newest first. The same lines whether the CLI reads the
 * database itself or the running server does (through its CLI bridge, when it holds PGlite).
 */
export async function deadLetterLines(db: Db): Promise<string[]> {
  const rows = await listDeadLetters(db);
  if (rows.length === 0) return ['没有死信'];
  return rows.map((r) => `${r.id}\t${r.platform}\t${r.kind}\tattempts=${r.attempts}\t${r.last_error ?? ''}`);
}
