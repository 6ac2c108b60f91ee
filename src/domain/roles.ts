import type { CommandName } from './commands';
import { scopeAllows, type TicketScope } from './regions';

export const ROLES = ['enterprise', 'staff', 'dispatcher', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  enterprise: '企业',
  staff: '承办单位工作人员',
  dispatcher: '营商办派单员',
  supervisor: '监督人员',
  admin: '管理员',
};

/**
 * Which tickets a command may touch for one role. Private (one-to-one) tickets are only ever
 * reached through `own`, `supported`, `department`, `lead` or `any`: `group` means the public
 * tickets of the chat the command was sent in.
 */
export const SCOPES = {
  none: { zh: '不涉及工单', en: 'no ticket', private: false },
  own: { zh: '本企业提出的', en: 'raised by the sender', private: true },
  supported: { zh: '本企业提出或附议的', en: 'raised or seconded by the sender', private: true },
  group: { zh: '本企业的，或本群公开的', en: 'the sender’s own, or public in this chat’s group', private: false },
  lead: { zh: '本单位主办的', en: 'led by the sender’s department', private: true },
  department: { zh: '本单位主办或协办的', en: 'led or co-handled by the sender’s department', private: true },
  any: { zh: '全部', en: 'any', private: true },
} as const;
export type Scope = keyof typeof SCOPES;

/** A role missing from a rule may not run the command at all. */
export type CommandRule = Partial<Record<Role, Scope>>;

const HANDLING: CommandRule = { staff: 'lead', dispatcher: 'any', admin: 'any' };
const DISPATCH: CommandRule = { dispatcher: 'any', admin: 'any' };

/**
 * The one rule table: every command, who may run it and on which tickets. The dispatcher
 * (src/pipeline/commands/index.ts) enforces it before any handler runs.
 */
export const COMMAND_RULES: Record<CommandName, CommandRule> = {
  help: { enterprise: 'none', staff: 'none', dispatcher: 'none', supervisor: 'none', admin: 'none' },
  mine: { enterprise: 'none', staff: 'none', dispatcher: 'none', admin: 'none' },
  queue: { staff: 'none', dispatcher: 'none', supervisor: 'none', admin: 'none' },
  status: { enterprise: 'supported', staff: 'department', dispatcher: 'any', supervisor: 'any', admin: 'any' },
  second: { enterprise: 'group' },
  rate: { enterprise: 'own' },
  publish: { enterprise: 'own' },
  supplement: { enterprise: 'own', ...HANDLING },
  claim: HANDLING,
  resolve: HANDLING,
  return: HANDLING,
  cohandle: HANDLING,
  escalate: HANDLING,
  extend: HANDLING,
  dispatch: DISPATCH,
  reassign: DISPATCH,
  approve_extension: DISPATCH,
  approve_pause: DISPATCH,
  confirm: DISPATCH,
  merge: DISPATCH,
  close: DISPATCH,
  reopen: DISPATCH,
  recategorize: DISPATCH,
};

export const ROLE_COMMANDS: Record<Role, readonly CommandName[]> = Object.fromEntries(
  ROLES.map((role) => [role, (Object.keys(COMMAND_RULES) as CommandName[]).filter((c) => COMMAND_RULES[c][role] !== undefined)]),
) as unknown as Record<Role, readonly CommandName[]>;

export interface CommandActor {
  role: Role;
  /** Staff only. */
  departmentId: string | null;
  /** Requester id for enterprises, staff id for staff. */
  id: string;
  /** The tickets the person's region reaches (ticketScope in src/domain/regions.ts); absent = all. */
  scope?: TicketScope;
}

/** What the rules need to know about a ticket, relative to where the command was sent. */
export interface TicketAccess {
  departmentId: string | null;
  coDepartmentIds: string[];
  requesterId: string | null;
  supporterIds: string[];
  isPrivate: boolean;
  groupId: string | null;
  /** The region the ticket came from; null or absent: the top region. */
  regionId?: string | null;
}

/** Whether a ticket is within a scope for this actor; `chatGroupId` is the group the command came from. */
export function inScope(scope: Scope, actor: CommandActor, ticket: TicketAccess, chatGroupId: string | null): boolean {
  const own = ticket.requesterId === actor.id;
  switch (scope) {
    case 'none':
      return false;
    case 'own':
      return actor.role === 'enterprise' && own;
    case 'supported':
      return actor.role === 'enterprise' && (own || (ticket.supporterIds.includes(actor.id) && !ticket.isPrivate));
    case 'group':
      return (actor.role === 'enterprise' && own) || (!ticket.isPrivate && ticket.groupId !== null && ticket.groupId === chatGroupId);
    case 'lead':
      return actor.departmentId !== null && ticket.departmentId === actor.departmentId;
    case 'department':
      // A city department follows its county counterparts' tickets ("1+9"), read-only: only read commands use this scope.
      return (
        actor.departmentId !== null &&
        (ticket.departmentId === actor.departmentId ||
          ticket.coDepartmentIds.includes(actor.departmentId) ||
          (actor.scope?.kind === 'department' && ticket.departmentId !== null && actor.scope.watchedIds.includes(ticket.departmentId)))
      );
    case 'any':
      // "Any" within the sender's region and below: a county's 营商办 never reaches another county.
      return !actor.scope || scopeAllows(actor.scope, { region_id: ticket.regionId ?? null, department_id: ticket.departmentId, co_department_ids: ticket.coDepartmentIds }, 'act');
  }
}

/**
 * Whether the actor may know the ticket exists at all. Outside it, every refusal reads like
 * "no such ticket", so sequential numbers cannot be walked.
 */
export function canKnowTicket(actor: CommandActor, ticket: TicketAccess, chatGroupId: string | null): boolean {
  if (actor.role === 'enterprise') return inScope('supported', actor, ticket, chatGroupId) || inScope('group', actor, ticket, chatGroupId);
  if (actor.role === 'staff') return inScope('department', actor, ticket, chatGroupId) || inScope('group', actor, ticket, chatGroupId);
  return inScope('any', actor, ticket, chatGroupId);
}

export type Decision = { ok: true } | { ok: false; reason: 'role' | 'hidden'; message: string } | { ok: false; reason: 'scope'; message: string };

/** The table's verdict for one command, before any handler runs. */
export function decide(actor: CommandActor, command: CommandName, ticket?: { access: TicketAccess; chatGroupId: string | null }): Decision {
  const scope = COMMAND_RULES[command][actor.role];
  if (scope === undefined) return { ok: false, reason: 'role', message: `${ROLE_NAMES[actor.role]}不能使用该命令，发送 /帮助 查看可用命令` };
  if (!ticket || scope === 'none') return { ok: true };
  if (inScope(scope, actor, ticket.access, ticket.chatGroupId)) return { ok: true };
  if (!canKnowTicket(actor, ticket.access, ticket.chatGroupId)) return { ok: false, reason: 'hidden', message: '' };
  return { ok: false, reason: 'scope', message: scopeRefusal(scope, command, actor, ticket.access) };
}

const OWN_ONLY: Partial<Record<CommandName, string>> = { rate: '评价该工单', supplement: '补充说明', publish: '同意公开' };

function scopeRefusal(scope: Scope, command: CommandName, actor: CommandActor, ticket: TicketAccess): string {
  if (scope === 'own') return `只有提出诉求的企业才能${OWN_ONLY[command] ?? '执行该操作'}`;
  if (scope === 'supported') return '只能查询本企业提出或附议的工单';
  if (scope === 'lead' && actor.departmentId && ticket.coDepartmentIds.includes(actor.departmentId)) return '协办单位不能执行该操作，请由主办单位处理';
  return '该工单不在本单位名下';
}

/**
 * The department whose tickets someone may see outside the chat (console, API): department
 * staff see their own; 营商办, admins and supervisors see all (null).
 */
export const visibleDepartment = (actor: { role: Role; departmentId: string | null }): string | null =>
  actor.role === 'staff' ? actor.departmentId : null;

/**
 * Whether someone outside the chat (console, API) may open a ticket: within their scope, computed
 * once by ticketScope (their department and the counterparts it leads, or their region and below).
 */
export function canSeeTicket(scope: TicketScope, ticket: { region_id?: string | null; department_id: string | null; co_department_ids: string[] }): boolean {
  return scopeAllows(scope, ticket, 'read');
}

const ROLE_NAMES_EN: Record<Role, string> = { enterprise: 'enterprise', staff: 'department staff', dispatcher: 'dispatcher (营商办)', supervisor: 'supervisor', admin: 'admin' };

/** The rule table as Markdown, for the README (a test keeps the two in step). */
export function renderRuleTable(lang: 'zh' | 'en', specs: ReadonlyArray<{ name: CommandName; zh: string[]; en: string[] }>): string {
  const names = lang === 'zh' ? ROLE_NAMES : ROLE_NAMES_EN;
  const head = `| ${lang === 'zh' ? '命令' : 'Command'} | ${ROLES.map((r) => names[r]).join(' | ')} |`;
  const rows = specs.map((s) => {
    const cells = ROLES.map((r) => {
      const scope = COMMAND_RULES[s.name][r];
      return scope === undefined ? '—' : scope === 'none' ? '✓' : SCOPES[scope][lang];
    });
    return `| \`/${lang === 'zh' ? s.zh[0] : s.en[0]}\` | ${cells.join(' | ')} |`;
  });
  return [head, `|---|${ROLES.map(() => '---').join('|')}|`, ...rows].join('\n');
}
