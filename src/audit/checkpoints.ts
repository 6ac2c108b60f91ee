import type { Db } from '../db/database';
import { chinaDate } from '../domain/china-time';
import { formatCheckpoint, type Checkpoint } from './canonical';

export interface DatedCheckpoint extends Checkpoint {
  date: string;
}

const DAY_MS = 86_400_000;

export async function chainHead(db: Db): Promise<Checkpoint> {
  const h = await db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return { lastEventId: h.last_event_id, count: h.seq, hash: h.hash };
}

/**
 * Records yesterday's (China time) checkpoint: the chain head as it stands at the first
 * scheduler tick of the new day. The date is the primary key, so with several instances the
 * first one writes it and the others' inserts do nothing. Returns the date when written now.
 */
export async function writeDailyCheckpoint(db: Db, now: Date): Promise<string | null> {
  const date = chinaDate(new Date(now.getTime() - DAY_MS));
  const head = await chainHead(db);
  const r = await db
    .insertInto('audit_checkpoints')
    .values({ date, seq: head.count, last_event_id: head.lastEventId, hash: head.hash, created_at: now })
    .onConflict((oc) => oc.column('date').doNothing())
    .returning('date')
    .executeTakeFirst();
  return r?.date ?? null;
}

/** The checkpoints dated in a month ("2026-11"), oldest first. */
export async function monthCheckpoints(db: Db, month: string): Promise<DatedCheckpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().where('date', 'like', `${month}-%`).orderBy('date').execute();
  return rows.map((r) => ({ date: r.date, lastEventId: r.last_event_id, count: r.seq, hash: r.hash }));
}

/** The newest checkpoint dated before `date`: last month's closing one, for the commission's --from. */
export async function checkpointBefore(db: Db, date: string): Promise<DatedCheckpoint | null> {
  const r = await db.selectFrom('audit_checkpoints').selectAll().where('date', '<', date).orderBy('date', 'desc').limit(1).executeTakeFirst();
  return r ? { date: r.date, lastEventId: r.last_event_id, count: r.seq, hash: r.hash } : null;
}

/** Rows for the ledger's checkpoint section (xlsx and csv alike). */
export async function checkpointSection(db: Db, month: string): Promise<string[][]> {
  const list = await monthCheckpoints(db, month);
  const head = await chainHead(db);
  const row = (label: string, c: Checkpoint) => [label, String(c.count), String(c.lastEventId), c.hash, formatCheckpoint(c)];
  return [
    [],
    ['审计检查点 (audit checkpoints)：用 npm run -s cli -- audit verify --from <检查点> 核验'],
    ['日期', '事件数', '最后事件ID', '链头哈希 SHA-256', '检查点'],
    ...list.map((c) => row(c.date, c)),
    row('导出时链头', head),
  ];
}

/**
 * The month's closing checkpoint for the supervisors' (纪委监委) monthly package, with the one
 * before it, so they can keep both and check the next month's history continues from it.
 */
export async function monthlyCheckpointText(db: Db, month: string, nextMonthFirstDay: string): Promise<string> {
  const closing = await checkpointBefore(db, nextMonthFirstDay);
  const before = await checkpointBefore(db, `${month}-01`);
  const head = await chainHead(db);
  const lines = [`${month} 工单事件审计检查点`];
  if (before) lines.push(`上月末（${before.date}）：${formatCheckpoint(before)}`);
  lines.push(closing ? `本月末（${closing.date}）：${formatCheckpoint(closing)}` : '本月尚无检查点');
  lines.push(`当前链头：${formatCheckpoint(head)}`);
  lines.push('请留存。核验：npm run -s cli -- audit verify --from <本月末检查点>（规范格式见 README「审计链」）');
  return lines.join('\n');
}
