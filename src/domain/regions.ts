import type { Role } from './roles';

// 市 → 旗县区 → 乡镇/街道/园区: the tree a deployment's departments, staff and groups hang on.
// A configuration without `regions:` is one county: a single implicit region holds everything,
// so every scope below is "everything" and nothing changes for it.

/** The id of the implicit region of a configuration that declares none. */
export const IMPLICIT_REGION = 'default';

export interface RegionInput {
  id: string;
  name: string;
  parent?: string | undefined;
  prefix?: string | undefined;
}

export interface RegionNode {
  id: string;
  name: string;
  parentId: string | null;
  /** Letters in the region's ticket and document numbers ('' for none). */
  prefix: string;
  depth: number;
}

export interface OrgDepartmentInput {
  id: string;
  region?: string | undefined;
  /** The department one level up that takes a 提级办 ticket (`parent` in older configurations). */
  counterpart?: string | undefined;
  parent?: string | undefined;
}

export interface Org {
  /** False for a single-county configuration (one implicit region). */
  readonly declared: boolean;
  readonly root: RegionNode;
  readonly regions: readonly RegionNode[];
  region(id: string | null | undefined): RegionNode | null;
  /** The region and everything below it. */
  subtree(id: string): string[];
  /** Whether `id` is `ancestor` or lies below it. */
  within(id: string | null | undefined, ancestor: string): boolean;
  children(id: string): RegionNode[];
  /** Of `under`'s children, the one `id` lies in (null when `id` is `under` itself or outside it). */
  childContaining(under: string, id: string | null | undefined): RegionNode | null;
  departmentRegion(departmentId: string | null | undefined): string;
  departmentsIn(regionIds: readonly string[]): string[];
  counterpartOf(departmentId: string | null | undefined): string | null;
  /** Departments below that lead up to this one ("1+9": the city bureau and its county counterparts). */
  counterpartsBelow(departmentId: string): string[];
  /** A group's `region` (an id, or free text in a single-county configuration) → a region id. */
  groupRegion(region: string | null | undefined): string;
  /** Ticket-number prefix: the deployment's letters and the region's. */
  ticketPrefix(deploymentPrefix: string, regionId: string | null | undefined): string;
}

export function createOrg(input: { name: string; regions: readonly RegionInput[]; departments: readonly OrgDepartmentInput[] }): Org {
  const declared = input.regions.length > 0;
  const list: RegionInput[] = declared ? [...input.regions] : [{ id: IMPLICIT_REGION, name: input.name }];
  const byId = new Map<string, RegionNode>();
  const depthOf = (r: RegionInput, seen: Set<string> = new Set()): number => {
    if (!r.parent || seen.has(r.id)) return 0;
    seen.add(r.id);
    const p = list.find((x) => x.id === r.parent);
    return p ? 1 + depthOf(p, seen) : 0;
  };
  for (const r of list) byId.set(r.id, { id: r.id, name: r.name, parentId: r.parent ?? null, prefix: r.prefix ?? '', depth: depthOf(r) });
  const regions = [...byId.values()];
  const root = regions.find((r) => r.parentId === null) ?? regions[0]!;
  const kids = new Map<string, RegionNode[]>();
  for (const r of regions) if (r.parentId) kids.set(r.parentId, [...(kids.get(r.parentId) ?? []), r]);
  const subtrees = new Map<string, string[]>();
  const subtree = (id: string): string[] => {
    const cached = subtrees.get(id);
    if (cached) return cached;
    const out: string[] = [];
    const walk = (x: string, seen: Set<string>) => {
      if (seen.has(x)) return;
      seen.add(x);
      out.push(x);
      for (const k of kids.get(x) ?? []) walk(k.id, seen);
    };
    walk(id, new Set());
    subtrees.set(id, out);
    return out;
  };
  const known = (id: string | null | undefined): string => (id && byId.has(id) ? id : root.id);
  const within = (id: string | null | undefined, ancestor: string) => {
    let x: string | null = known(id);
    const seen = new Set<string>();
    while (x && !seen.has(x)) {
      if (x === ancestor) return true;
      seen.add(x);
      x = byId.get(x)?.parentId ?? null;
    }
    return false;
  };
  const deptRegion = new Map(input.departments.map((d) => [d.id, known(d.region)]));
  const counterpart = new Map(input.departments.flatMap((d) => (d.counterpart ?? d.parent ? [[d.id, (d.counterpart ?? d.parent)!] as const] : [])));
  const below = new Map<string, string[]>();
  for (const [from, to] of counterpart) below.set(to, [...(below.get(to) ?? []), from]);
  const byName = new Map(regions.map((r) => [r.name, r.id]));

  return {
    declared,
    root,
    regions,
    region: (id) => (id ? (byId.get(id) ?? null) : null),
    subtree,
    within,
    children: (id) => kids.get(id) ?? [],
    childContaining(under, id) {
      if (!id || !byId.has(id)) return null;
      let x: RegionNode | undefined = byId.get(id);
      const seen = new Set<string>();
      while (x && x.parentId && !seen.has(x.id)) {
        if (x.parentId === under) return x;
        seen.add(x.id);
        x = byId.get(x.parentId);
      }
      return null;
    },
    departmentRegion: (id) => (id ? (deptRegion.get(id) ?? root.id) : root.id),
    departmentsIn(ids) {
      const set = new Set(ids);
      return [...deptRegion.entries()].filter(([, r]) => set.has(r)).map(([d]) => d);
    },
    counterpartOf: (id) => (id ? (counterpart.get(id) ?? null) : null),
    counterpartsBelow(id) {
      const out: string[] = [];
      const walk = (x: string) => {
        for (const d of below.get(x) ?? []) {
          if (d === id || out.includes(d)) continue;
          out.push(d);
          walk(d);
        }
      };
      walk(id);
      return out;
    },
    groupRegion: (region) => (declared ? (region && byId.has(region) ? region : region && byName.has(region) ? byName.get(region)! : root.id) : root.id),
    ticketPrefix: (prefix, id) => `${prefix}${byId.get(known(id))?.prefix ?? ''}`,
  };
}

/**
 * Which tickets someone may see outside the commands' own rules: everything (the city's
 * dispatchers, supervisors and admins, or anyone in a single-county deployment); a region and
 * everything below it (a county's); or one department, with the county counterparts it leads
 * read-only (department staff).
 */
export type TicketScope =
  | { kind: 'all' }
  | { kind: 'regions'; regionId: string; regionIds: string[]; departmentIds: string[] }
  | { kind: 'department'; departmentId: string; watchedIds: string[] }
  | { kind: 'none' };

export interface Viewer {
  role: Role;
  departmentId: string | null;
  /** The region the person works for; defaults to their department's. */
  regionId?: string | null | undefined;
}

/** Everything of one region and below, as its 营商办 sees it (region-wide figures, digests, the Monday list). */
export const regionScope = (regionId: string, org: Org): TicketScope => ticketScope({ role: 'dispatcher', departmentId: null, regionId }, org);

/** The one place a person's scope is computed: chat commands, console, API, exports and digests use it. */
export function ticketScope(viewer: Viewer, org: Org): TicketScope {
  if (viewer.role === 'enterprise') return { kind: 'none' };
  if (viewer.role === 'staff') {
    return viewer.departmentId ? { kind: 'department', departmentId: viewer.departmentId, watchedIds: org.counterpartsBelow(viewer.departmentId) } : { kind: 'none' };
  }
  const regionId = viewer.regionId && org.region(viewer.regionId) ? viewer.regionId : org.departmentRegion(viewer.departmentId);
  if (regionId === org.root.id) return { kind: 'all' };
  const regionIds = org.subtree(regionId);
  return { kind: 'regions', regionId, regionIds, departmentIds: org.departmentsIn(regionIds) };
}

export interface ScopedTicket {
  /** The region the ticket came from (its group's, or its first department's). */
  region_id?: string | null | undefined;
  department_id: string | null;
  co_department_ids: readonly string[];
}

/**
 * Whether a ticket is in the scope. `read` also admits the county counterparts' tickets a city
 * department follows; acting on them is for the county.
 */
export function scopeAllows(scope: TicketScope, t: ScopedTicket, mode: 'read' | 'act' = 'read'): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'regions':
      return (
        (t.region_id != null && scope.regionIds.includes(t.region_id)) ||
        (t.department_id !== null && scope.departmentIds.includes(t.department_id)) ||
        t.co_department_ids.some((d) => scope.departmentIds.includes(d))
      );
    case 'department':
      return (
        t.department_id === scope.departmentId ||
        t.co_department_ids.includes(scope.departmentId) ||
        (mode === 'read' && t.department_id !== null && scope.watchedIds.includes(t.department_id))
      );
  }
}

/** The region a person's reports and rankings are about: the whole deployment, or their region. */
export const scopeRegion = (scope: TicketScope, org: Org): string =>
  scope.kind === 'regions' ? scope.regionId : scope.kind === 'department' ? org.departmentRegion(scope.departmentId) : org.root.id;

export interface RegionRoutingInput {
  id: string;
  routing?: { dispatcher: string; categories: Partial<Record<string, string>> } | undefined;
}

/**
 * The routing table for a ticket from a region: the nearest region (itself, then up the tree)
 * with its own `routing` supplies the 营商办 and the category map (a category it does not map
 * goes to that 营商办, never to another level); the deployment's rules, which can name
 * regions, always come first.
 */
export function routingFor<T extends { dispatcher: string; categories: Partial<Record<string, string>>; rules: unknown[] }>(
  table: T,
  regions: readonly RegionRoutingInput[],
  org: Org,
  regionId: string,
): T {
  let x = org.region(regionId);
  const seen = new Set<string>();
  while (x && !seen.has(x.id)) {
    seen.add(x.id);
    const own = regions.find((r) => r.id === x!.id)?.routing;
    if (own) return { ...table, dispatcher: own.dispatcher, categories: own.categories };
    x = x.parentId ? org.region(x.parentId) : null;
  }
  return table;
}
