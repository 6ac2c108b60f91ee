import type { Db } from '../db/database';
import { ledgerRows, LEDGER_HEADER, monthPeriod } from './queries';
import { writeCsv, writeXlsx } from './xlsx';

export type LedgerFormat = 'xlsx' | 'csv';

/** The 台账 of a month as a download: the API and the console hand out the same file. */
export async function ledgerFile(db: Db, month: string, format: LedgerFormat): Promise<{ body: Uint8Array | string; headers: Record<string, string> }> {
  const rows = await ledgerRows(db, monthPeriod(month));
  const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(`台账-${month}.${format}`)}`;
  if (format === 'csv') return { body: writeCsv(LEDGER_HEADER, rows), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition } };
  return {
    body: new Uint8Array(writeXlsx(`台账 ${month}`, LEDGER_HEADER, rows)),
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': disposition },
  };
}
