import { checkpointSection } from '../audit/checkpoints';
import type { Db } from '../db/database';
import type { TicketScope } from '../domain/regions';
import { ledgerRows, LEDGER_HEADER, monthPeriod } from './queries';
import { writeCsv, writeXlsx } from './xlsx';
import { jointCaseLedgerSection } from '../pipeline/joint-cases';

export type LedgerFormat = 'xlsx' | 'csv';

/** What `audit verify` vouches for in this file: the rows above are read from ticket rows, which it checks against their history. */
const VERIFY_SCOPE =
  '核验范围：audit verify 既核验事件审计链，也按事件历史核对每件工单的记录——受理时间、诉求类型/领域/紧急程度、承办单位、当前状态、签收/办结/关闭时间、办理结果（知识库答复除外）、评价、重办次数；签收时限、办结时限（有事件记载时除外）、企业、来源群、诉求内容不在其内';
/** The scope goes beside the section's title, so the section keeps its rows. */
const withVerifyScope = (section: string[][]): string[][] => section.map((r) => (r[0]?.startsWith('审计检查点') ? [...r, VERIFY_SCOPE] : r));

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
  const rows = [...tickets, ...(await jointCaseLedgerSection(db, monthPeriod(month), region?.scope)), ...withVerifyScope(await checkpointSection(db, month))];
  const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(`台账-${region ? `${region.name}-` : ''}${month}.${format}`)}`;
  if (format === 'csv') return { body: writeCsv(LEDGER_HEADER, rows.map((r) => r.map(inertCell))), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition }, tickets: tickets.length };
  return {
    body: new Uint8Array(writeXlsx(`台账 ${month}`, LEDGER_HEADER, rows)),
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': disposition },
    tickets: tickets.length,
  };
}
