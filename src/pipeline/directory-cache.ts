import type { GongzhiConfig } from '../config/schema';
import type { Platform } from '../domain/message';
import type { StaffMember } from '../repo/directory';
import { createOrg, ticketScope, type Org, type TicketScope } from '../domain/regions';

/**
 * One revision of the directory, in memory: the hot path (a new report) looks up staff,
 * department accounts and names without a query. src/directory/live.ts swaps in a new one
 * when the directory changes; the database rows serve joins and reports.
 */
export interface DirectoryCache {
  staffByAccount(platform: Platform, userId: string): StaffMember | null;
  departmentAccounts(departmentId: string, platform: Platform): string[];
  roleAccounts(role: StaffMember['role'], platform: Platform): string[];
  departmentName(id: string): string | null;
  staffName(id: string): string | null;
  staffById(id: string): StaffMember | null;
  /** Regions, the departments in them and their counterparts one level up. */
  readonly org: Org;
  /** Which tickets this person may see (src/domain/regions.ts ticketScope, the one place it is computed). */
  scopeOf(person: Pick<StaffMember, 'role' | 'departmentId' | 'regionId'>): TicketScope;
  /** Accounts of one role working for a region (their own region, else their department's). */
  roleAccountsIn(role: StaffMember['role'], regionId: string, platform: Platform): string[];
  /**
   * Who of a role hears about a ticket: the 营商办 nearest up the tree from the ticket's region (a
   * county's, never another county's); supervisors of its region and every level above it. One
   * county: everyone of the role, as roleAccounts.
   */
  ticketRoleAccounts(role: 'dispatcher' | 'supervisor', ticket: { region_id?: string | null; department_id: string | null }, platform: Platform): string[];
}

export function createDirectoryCache(full: GongzhiConfig): DirectoryCache {
  // Inactive staff keep their names (old tickets, history) and nothing else.
  const config = { ...full, staff: full.staff.filter((s) => s.active !== false) };
  const org = createOrg({ name: config.deployment.name, regions: config.regions ?? [], departments: config.departments });
  const regionOf = (s: GongzhiConfig['staff'][number]) => (s.region && org.region(s.region) ? s.region : org.departmentRegion(s.department));
  const member = (s: GongzhiConfig['staff'][number]): StaffMember => ({ id: s.id, name: s.name, role: s.role as StaffMember['role'], departmentId: s.department ?? null, regionId: regionOf(s) });
  const byAccount = new Map<string, StaffMember>();
  for (const s of config.staff) {
    for (const [platform, userId] of Object.entries(s.accounts)) {
      byAccount.set(`${platform}:${userId}`, member(s));
    }
  }
  const accountsOf = (filter: (s: GongzhiConfig['staff'][number]) => boolean, platform: Platform) =>
    config.staff.filter(filter).flatMap((s) => (s.accounts[platform] ? [s.accounts[platform]!] : []));
  const departments = new Map(config.departments.map((d) => [d.id, d.name]));
  const staffNames = new Map(full.staff.map((s) => [s.id, s.name]));
  const staffById = new Map(config.staff.map((s) => [s.id, member(s)]));
  return {
    staffByAccount: (platform, userId) => byAccount.get(`${platform}:${userId}`) ?? null,
    departmentAccounts: (departmentId, platform) =>
      accountsOf((s) => s.department === departmentId && (s.role === 'staff' || s.role === 'dispatcher'), platform),
    roleAccounts: (role, platform) => accountsOf((s) => s.role === role, platform),
    departmentName: (id) => departments.get(id) ?? null,
    staffName: (id) => staffNames.get(id) ?? null,
    staffById: (id) => staffById.get(id) ?? null,
    org,
    scopeOf: (person) => ticketScope(person, org),
    roleAccountsIn: (role, regionId, platform) => accountsOf((s) => s.role === role && regionOf(s) === regionId, platform),
    ticketRoleAccounts(role, ticket, platform) {
      if (!org.declared) return accountsOf((s) => s.role === role, platform);
      const chain: string[] = [];
      let r = org.region(ticket.region_id && org.region(ticket.region_id) ? ticket.region_id : org.departmentRegion(ticket.department_id));
      while (r && !chain.includes(r.id)) {
        chain.push(r.id);
        r = r.parentId ? org.region(r.parentId) : null;
      }
      const at = (id: string) => accountsOf((s) => s.role === role && regionOf(s) === id, platform);
      if (role === 'supervisor') return [...new Set(chain.flatMap(at))];
      for (const id of chain) {
        const found = at(id);
        if (found.length) return found;
      }
      return [];
    },
  };
}
