import { formatCheckpoint, type Checkpoint } from './canonical';
import type { VerifyResult } from './chain';
import type { TicketStateResult } from './ticket-state';

export interface VerifyReport {
  /** 0 intact (pending events included), 1 broken chain or a row that disagrees with its history. */
  code: 0 | 1;
  out: string[];
  err: string[];
}

/** The pending line: events committed and queued for the chainer, which is not a break. */
export const pendingLine = (n: number) => `${n} 个事件尚未上链（刚写入，稍后自动上链） (${n} events written, not chained yet: chained shortly, not a break)`;

/** Older history (before the events stated deadlines) cannot speak for those tickets' deadlines. */
export const deadlinesLine = (n: number) =>
  `${n} 件工单的时限未核对：事件历史未记录（旧版本写的开单、派单、转派、提级、重办事件，或协同办并案时的签收时限） (${n} tickets' deadlines not checked: their history does not state them — events written by older versions, or a joint case's sign deadline)`;

/** What `audit verify` prints and returns, from the chain's and the rows' verdicts. */
export function verifyReport(chain: VerifyResult, rows: TicketStateResult | null, from?: Checkpoint): VerifyReport {
  const out: string[] = [];
  const err: string[] = [];
  if (!chain.ok) {
    err.push(`审计链断裂 (broken): 事件 ${chain.eventId ?? '-'}：${chain.reason}（此前 ${chain.count} 个事件完好）`);
    if (chain.pending) err.push(pendingLine(chain.pending));
    return { code: 1, out, err };
  }
  out.push(`审计链完好 (intact)：${chain.count} 个事件，链头 ${formatCheckpoint(chain.head)}${from ? `，经过检查点 ${formatCheckpoint(from)}` : ''}`);
  if (chain.pending) out.push(pendingLine(chain.pending));
  if (rows?.deadlinesUnchecked) out.push(deadlinesLine(rows.deadlinesUnchecked));
  if (rows && !rows.ok) {
    err.push(`工单记录与事件历史不符 (ticket rows disagree with their history)：${rows.disagreeing} 件（共 ${rows.tickets} 件工单）`);
    for (const t of rows.listed) {
      for (const f of t.fields) err.push(`  ${t.number ?? `工单ID ${t.ticketId}`}\t${f.field}\t记录 row: ${f.row}\t历史 history: ${f.history}`);
    }
    if (rows.disagreeing > rows.listed.length) err.push(`  ……另有 ${rows.disagreeing - rows.listed.length} 件未列出`);
    return { code: 1, out, err };
  }
  out.push(`工单记录与事件历史一致 (ticket rows match their history)：${rows?.tickets ?? 0} 件工单`);
  return { code: 0, out, err };
}
