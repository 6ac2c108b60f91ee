import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { OPEN_STATUSES } from '../domain/ticket';
import type { DirectoryIssue, DirectorySnapshot } from './sections';

/** How many ticket numbers a refusal names; the count says how many there are in all. */
const NAMED = 3;

interface Entry {
  id: string;
  name?: string;
  role?: string;
  active?: boolean;
}

const entries = (snapshot: DirectorySnapshot, section: string): Entry[] => {
  const list = snapshot[section];
  return Array.isArray(list) ? (list.filter((x) => x && typeof x === 'object' && typeof (x as Entry).id === 'string') as Entry[]) : [];
};

/** Entries of `section` in `before` whose id `after` no longer has. */
const removedFrom = (before: DirectorySnapshot, after: DirectorySnapshot, section: string): Array<{ index: number; entry: Entry }> => {
  const kept = new Set(entries(after, section).map((e) => e.id));
  return entries(before, section)
    .map((entry, index) => ({ index, entry }))
    .filter(({ entry }) => !kept.has(entry.id));
};

const label = (e: Entry) => (e.name ? `${e.id}（${e.name}）` : e.id);
const numbers = (count: number, first: string[]) => `${count} 件（${first.join('、')}${count > first.length ? ' 等' : ''}）`;

/** "2 件（GZ-…、GZ-…）" for the open tickets among `tickets`; null when there are none. */
async function openTickets(tickets: SelectQueryBuilder<Database, 'tickets', object>): Promise<string | null> {
  const open = tickets.where('status', 'in', [...OPEN_STATUSES]);
  const count = Number((await open.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  if (!count) return null;
  const first = await open.select('number').orderBy('id').limit(NAMED).execute();
  return numbers(count, first.map((r) => r.number));
}

/**
 * What a schema-valid revision would still strand: the last console admin gone (nobody could
 * manage the directory again), a department removed while it handles or co-handles open tickets
 * or open joint cases, a group removed while open tickets post to it. Each problem is one issue
 * on the removed entry's path in the current directory, so the writer sees every one at once.
 */
export async function strandingIssues(db: Db, before: DirectorySnapshot, after: DirectorySnapshot): Promise<DirectoryIssue[]> {
  const issues: DirectoryIssue[] = [];

  const admins = (s: DirectorySnapshot) => entries(s, 'staff').filter((e) => e.role === 'admin' && e.active !== false);
  const adminsBefore = admins(before);
  if (adminsBefore.length && !admins(after).length) {
    // Only an admin may edit the directory in the console: without one it could only be repaired from the CLI.
    issues.push({ path: ['staff'], message: `不能移除最后一位管理员（admin）：${adminsBefore.map(label).join('、')}；工作台的目录管理须有一位在职管理员，请先指定另一位` });
  }

  for (const { index, entry } of removedFrom(before, after, 'departments')) {
    const handling = await openTickets(db.selectFrom('tickets').where((eb) => eb.or([eb('department_id', '=', entry.id), sql<boolean>`co_department_ids @> ${JSON.stringify([entry.id])}::jsonb`])));
    if (handling) issues.push({ path: ['departments', index], message: `承办单位 ${label(entry)}仍有未办结工单 ${handling}，不能移除；请先改派或办结` });
    const cases = await db
      .selectFrom('joint_cases')
      .select('number')
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('lead_department_id', '=', entry.id), sql<boolean>`co_department_ids @> ${JSON.stringify([entry.id])}::jsonb`]))
      .orderBy('id')
      .execute();
    if (cases.length) {
      issues.push({ path: ['departments', index], message: `承办单位 ${label(entry)}是未办结协同办 ${numbers(cases.length, cases.slice(0, NAMED).map((r) => r.number))}的牵头或协办单位，不能移除` });
    }
  }

  for (const { index, entry } of removedFrom(before, after, 'groups')) {
    const posting = await openTickets(db.selectFrom('tickets').where('group_id', '=', entry.id));
    if (posting) issues.push({ path: ['groups', index], message: `群 ${label(entry)}仍有未办结工单 ${posting}要在其中通知进展，不能移除；请待其办结后再移除` });
  }
  return issues;
}
