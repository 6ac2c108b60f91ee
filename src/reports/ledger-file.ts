import { checkpointSection } from '../audit/checkpoints';
import type { Db } from '../db/database';
import type { TicketScope } from '../domain/regions';
import { ledgerRows, LEDGER_HEADER, monthPeriod } from './queries';
import { writeCsv, writeXlsx } from './xlsx';
import { jointCaseLedgerSection } from '../pipeline/joint-cases';

export type LedgerFormat = 'xlsx' | 'csv';

/**
 * Spreadsheets run a CSV cell that starts with = + - @ (or a tab or CR before one) as a
 * formula: an enterprise's report text reading =HYPERLINK(…) would become a link that sends the
 * sheet's contents away. A leading quote makes it text (OWASP's advice); xlsx cells are typed
 * strings already.
 */
const inertCell = <T,>(v: T): T | string => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** The 台账 of a month as a download: the API and the console hand out the same file. */
export async function ledgerFile(
  db: Db,
  month: string,
  format: LedgerFormat,
  region?: { scope: TicketScope; name: string },
): Promise<{ body: Uint8Array | string; headers: Record<string, string>; tickets: number }> {
  // The month's audit checkpoints close the file, so the commission's copy carries what it
  // needs to verify next month's history (src/audit/canonical.ts).
  const tickets = await ledgerRows(db, monthPeriod(month), region?.scope);
  const rows = [...tickets, ...(await jointCaseLedgerSection(db, monthPeriod(month), region?.scope)), ...(await checkpointSection(db, month))];
  const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(`台账-${region ? `${region.name}-` : ''}${month}.${format}`)}`;
  if (format === 'csv') return { body: writeCsv(LEDGER_HEADER, rows.map((r) => r.map(inertCell))), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition }, tickets: tickets.length };
  return {
    body: new Uint8Array(writeXlsx(`台账 ${month}`, LEDGER_HEADER, rows)),
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': disposition },
    tickets: tickets.length,
  };
}
