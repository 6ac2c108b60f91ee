import type { StaffConfig } from '../config/schema';
import type { Db, Tx } from '../db/database';
import { OPEN_STATUSES } from '../domain/ticket';
import type { DirectoryWriteResult, LiveDirectory } from './live';
import type { DirectorySource, PlatformDirectory } from './platform-sources';
import type { DirectorySnapshot } from './sections';

export interface SyncPlan {
  platform: DirectorySource['platform'];
  base: number;
  directory: DirectorySnapshot;
  /** What a reader must know beyond the diff: matches by name, people kept inactive, people skipped. */
  notes: string[];
}

type Dept = { id: string; name: string; aliases?: string[] } & Record<string, unknown>;
type Staff = StaffConfig & Record<string, unknown>;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 64) || 'x';

/**
 * The directory after importing one platform's organisation: its departments are matched to
 * ours by name or alias (else added as `<platform>-<id>`), its people to our staff by their
 * account on that platform, else by name within the same department (reported), else added as
 * 承办人员. Staff whose account is gone are removed, except those with open tickets assigned:
 * they stay, marked inactive, and are reported. Departments are never removed (routing and old
 * tickets point at them).
 */
export async function planDirectorySync(db: Db, live: LiveDirectory, platform: SyncPlan['platform'], org: PlatformDirectory): Promise<SyncPlan> {
  const base = live.revision;
  const snapshot = structuredClone(live.snapshot);
  const departments = [...((snapshot.departments as Dept[] | undefined) ?? [])];
  let staff = [...((snapshot.staff as Staff[] | undefined) ?? [])];
  const notes: string[] = [];

  const ours = new Map<string, string>();
  for (const d of org.departments) {
    // The root is the organisation itself (县人民政府), not a department that handles tickets.
    if (d.parentId === null || d.parentId === '0') continue;
    const ownId = `${platform}-${slug(d.id)}`;
    const match = departments.find((x) => x.id === ownId) ?? departments.find((x) => x.name === d.name || (x.aliases ?? []).includes(d.name));
    if (match) ours.set(d.id, match.id);
    else {
      departments.push({ id: ownId, name: d.name, aliases: [] });
      ours.set(d.id, ownId);
    }
  }

  const seen = new Set<string>();
  const ids = new Set(staff.map((s) => s.id));
  for (const p of org.people) {
    seen.add(p.userId);
    const dept = p.departmentIds.map((id) => ours.get(id)).find((x) => x !== undefined);
    const byAccount = staff.findIndex((s) => s.accounts[platform] === p.userId);
    if (byAccount >= 0) {
      const s = staff[byAccount]!;
      const next: Staff = { ...s, name: p.name, active: true };
      if (s.active === false) notes.push(`重新启用 ${s.id}（${p.name}）：账号 ${p.userId} 又出现在通讯录中`);
      if (dept && s.department !== dept && (s.role === 'staff' || s.role === 'dispatcher')) next.department = dept;
      staff[byAccount] = next;
      continue;
    }
    const byName = staff.findIndex((s) => s.name === p.name && !s.accounts[platform] && (dept === undefined || s.department === dept));
    if (byName >= 0) {
      const s = staff[byName]!;
      staff[byName] = { ...s, accounts: { ...s.accounts, [platform]: p.userId } };
      notes.push(`按姓名和部门匹配：${p.name}（${p.userId}）→ 工作人员 ${s.id}，请核对`);
      continue;
    }
    if (!dept) {
      notes.push(`未导入 ${p.name}（${p.userId}）：不属于任何部门（只在根部门）`);
      continue;
    }
    let id = slug(`${platform}-${p.userId}`);
    for (let n = 2; ids.has(id); n++) id = slug(`${platform}-${p.userId}`).slice(0, 60) + `-${n}`;
    ids.add(id);
    staff.push({ id, name: p.name, department: dept, role: 'staff', accounts: { [platform]: p.userId }, active: true });
  }

  const gone = staff.filter((s) => s.accounts[platform] && !seen.has(s.accounts[platform]!));
  if (gone.length) {
    const open = await db
      .selectFrom('tickets')
      .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('assignee_id', 'in', gone.map((s) => s.id))
      .where('status', 'in', [...OPEN_STATUSES])
      .groupBy('assignee_id')
      .execute();
    const openBy = new Map(open.map((r) => [r.assignee_id, Number(r.n)]));
    for (const s of gone) {
      const n = openBy.get(s.id) ?? 0;
      if (n > 0) {
        if (s.active !== false) notes.push(`保留并停用 ${s.id}（${s.name}）：已不在${platform === 'wecom' ? '企业微信' : '钉钉'}通讯录，但有 ${n} 件未办结工单，请先改派`);
        staff = staff.map((x) => (x.id === s.id ? { ...x, active: false } : x));
      } else {
        notes.push(`移除 ${s.id}（${s.name}）：已不在通讯录，没有未办结工单`);
        staff = staff.filter((x) => x.id !== s.id);
      }
    }
  }
  return { platform, base, directory: { ...snapshot, departments, staff }, notes };
}

export interface SyncOutcome {
  plan: SyncPlan;
  result: DirectoryWriteResult;
}

/**
 * Fetches, plans and (with `apply`) writes one revision; a dry run returns the same diff without
 * writing. `inTransaction` commits with the revision (only when one is written).
 */
export async function runDirectorySync(
  db: Db,
  live: LiveDirectory,
  source: DirectorySource,
  opts: { apply: boolean; author: string; inTransaction?: (tx: Tx) => Promise<void> },
): Promise<SyncOutcome> {
  await live.catchUp();
  const org = await source.fetch();
  const plan = await planDirectorySync(db, live, source.platform, org);
  const result = await live.write({
    directory: plan.directory,
    base: plan.base,
    author: opts.author,
    source: 'sync',
    note: [`${source.label}通讯录同步`, ...plan.notes].join('\n'),
    dryRun: !opts.apply,
    ...(opts.inTransaction ? { inTransaction: opts.inTransaction } : {}),
  });
  return { plan, result };
}
