import { sha256Hex } from '../auth/tokens';
import { syncWebhookEndpoints } from './webhooks';
import type { GongzhiConfig } from '../config/schema';
import type { Db, Tx } from '../db/database';
import type { Platform } from '../domain/message';
import type { Role } from '../domain/roles';

export interface StaffMember {
  id: string;
  name: string;
  role: Exclude<Role, 'enterprise'>;
  departmentId: string | null;
  /** The region the person works for (config `staff[].region`), else their department's. */
  regionId?: string | null;
}

export interface GroupRecord {
  id: string;
  platform: Platform;
  chatId: string;
  name: string;
  region: string | null;
  outbound: unknown;
  configured: boolean;
}

/**
 * The configuration file is the source of truth for departments, staff and groups; the
 * database keeps a copy so that tickets can reference them and reports can join on them.
 * Removed entries are deactivated, never deleted, because old tickets still point at them.
 */
export async function syncDirectory(db: Db, config: GongzhiConfig, now: Date): Promise<void> {
  await db.transaction().execute((tx) => writeDirectoryRows(tx, config, now));
  await syncWebhookEndpoints(db, config.webhooks);
}

/** The rows tickets and reports join on, made to match a directory (a start, or a new revision). */
export async function writeDirectoryRows(tx: Tx, config: Pick<GongzhiConfig, 'departments' | 'staff' | 'groups'>, now: Date): Promise<void> {
  // Insert without parents first: a department may name a parent declared after it.
  for (const d of config.departments) {
    await tx
      .insertInto('departments')
      .values({ id: d.id, name: d.name, aliases: JSON.stringify(d.aliases), parent_id: null, active: true, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: d.name, aliases: JSON.stringify(d.aliases), active: true, updated_at: now }))
      .execute();
  }
  for (const d of config.departments) {
    await tx.updateTable('departments').set({ parent_id: d.parent ?? null }).where('id', '=', d.id).execute();
  }
  const deptIds = config.departments.map((d) => d.id);
  await tx.updateTable('departments').set({ active: false, updated_at: now }).where('id', 'not in', deptIds).execute();

  for (const s of config.staff) {
    const row = { name: s.name, department_id: s.department ?? null, role: s.role, phone: s.phone ?? null, active: s.active !== false, updated_at: now };
    await tx
      .insertInto('staff')
      .values({ id: s.id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }
  if (config.staff.length) {
    await tx.updateTable('staff').set({ active: false, updated_at: now }).where('id', 'not in', config.staff.map((s) => s.id)).execute();
  } else {
    await tx.updateTable('staff').set({ active: false, updated_at: now }).execute();
  }
  await tx.deleteFrom('staff_accounts').execute();
  const accounts = config.staff.flatMap((s) =>
    Object.entries(s.accounts).map(([platform, user_id]) => ({ platform, user_id: user_id!, staff_id: s.id })),
  );
  if (accounts.length) await tx.insertInto('staff_accounts').values(accounts).execute();

  for (const g of config.groups) {
    const row = {
      platform: g.platform,
      chat_id: g.chatId,
      name: g.name,
      region: g.region ?? null,
      outbound: g.outbound ? JSON.stringify(g.outbound) : null,
      configured: true,
      updated_at: now,
    };
    await tx
      .insertInto('groups')
      .values({ id: g.id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }
  // A group taken out of the directory is heard from as an unconfigured one again.
  const groupIds = config.groups.map((g) => g.id);
  let unconfigure = tx.updateTable('groups').set({ configured: false, updated_at: now }).where('configured', '=', true);
  if (groupIds.length) unconfigure = unconfigure.where('id', 'not in', groupIds);
  await unconfigure.execute();
}


function toGroup(row: {
  id: string;
  platform: string;
  chat_id: string;
  name: string;
  region: string | null;
  outbound: unknown;
  configured: boolean;
}): GroupRecord {
  return {
    id: row.id,
    platform: row.platform as Platform,
    chatId: row.chat_id,
    name: row.name,
    region: row.region,
    outbound: row.outbound,
    configured: row.configured,
  };
}

/** The groups of these chats that exist, by `platform:chatId`, in one statement (a batch's chats). */
export async function findGroups(db: Tx | Db, chats: Array<{ platform: Platform; chatId: string }>): Promise<Map<string, GroupRecord>> {
  if (chats.length === 0) return new Map();
  const rows = await db
    .selectFrom('groups')
    .selectAll()
    .where((eb) => eb.or(chats.map((c) => eb.and([eb('platform', '=', c.platform), eb('chat_id', '=', c.chatId)]))))
    .execute();
  return new Map(rows.map((r) => [`${r.platform}:${r.chat_id}`, toGroup(r)]));
}

/**
 * A group the bot hears from but the configuration does not know yet is registered
 * (so tickets keep their origin) and shows up for the admin to configure.
 */
export async function ensureGroup(tx: Tx, platform: Platform, chatId: string, title: string | undefined, now: Date): Promise<GroupRecord> {
  const existing = await tx.selectFrom('groups').selectAll().where('platform', '=', platform).where('chat_id', '=', chatId).executeTakeFirst();
  if (existing) return toGroup(existing);
  const id = `${platform}-${await groupIdHash(chatId)}`;
  const row = await tx
    .insertInto('groups')
    .values({ id, platform, chat_id: chatId, name: title ?? `未配置的群 ${chatId.slice(0, 12)}`, region: null, outbound: null, configured: false })
    .onConflict((oc) => oc.columns(['platform', 'chat_id']).doUpdateSet({ updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toGroup(row);
}

export async function getGroup(tx: Tx | Db, id: string): Promise<GroupRecord | null> {
  const row = await tx.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toGroup(row) : null;
}

export async function listGroups(db: Tx | Db): Promise<GroupRecord[]> {
  const rows = await db.selectFrom('groups').selectAll().orderBy('id').execute();
  return rows.map(toGroup);
}

/**
 * Stable id for an auto-registered group: 80 bits of SHA-256, so two chats never share one (a
 * 32-bit hash collided after tens of thousands of chats and the second group failed forever).
 * Groups registered earlier keep their ids: they are found by chat id before an id is made.
 */
async function groupIdHash(chatId: string): Promise<string> {
  return (await sha256Hex(chatId)).slice(0, 20);
}

export interface DepartmentRecord {
  id: string;
  name: string;
  aliases: string[];
  parentId: string | null;
}

export async function listDepartments(db: Tx | Db): Promise<DepartmentRecord[]> {
  const rows = await db.selectFrom('departments').selectAll().where('active', '=', true).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, aliases: r.aliases, parentId: r.parent_id }));
}
