import type { Db, Tx } from '../db/database';
import type { TicketRow } from '../db/schema';

/**
 * The newest tickets carrying a daily sequence (a short number such as "/认领 3"): one per day
 * and numbering prefix, so a short number soon names many tickets; the caller chooses among them.
 */
export function ticketsWithSeq(db: Tx | Db, seq: number, limit = 30): Promise<TicketRow[]> {
  return db.selectFrom('tickets').selectAll().where('seq', '=', seq).orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
