import type { CommandName } from './commands';

export const ROLES = ['enterprise', 'staff', 'dispatcher', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  enterprise: '企业',
  staff: '承办单位工作人员',
  dispatcher: '营商办派单员',
  supervisor: '监督人员',
  admin: '管理员',
};

const ENTERPRISE: CommandName[] = ['status', 'mine', 'second', 'rate', 'supplement', 'publish', 'help'];
const STAFF: CommandName[] = ['claim', 'resolve', 'return', 'cohandle', 'escalate', 'extend', 'supplement', 'status', 'mine', 'queue', 'help'];
const DISPATCHER: CommandName[] = [
  ...STAFF,
  'dispatch',
  'reassign',
  'approve_extension',
  'confirm',
  'merge',
  'close',
  'reopen',
  'recategorize',
];

export const ROLE_COMMANDS: Record<Role, readonly CommandName[]> = {
  enterprise: ENTERPRISE,
  staff: STAFF,
  dispatcher: DISPATCHER,
  // 纪委监委等监督单位只看不动。
  supervisor: ['status', 'queue', 'help'],
  admin: DISPATCHER,
};

export interface CommandActor {
  role: Role;
  /** Staff only. */
  departmentId: string | null;
  /** Requester id for enterprises, staff id for staff. */
  id: string;
}

export interface TicketAccess {
  departmentId: string | null;
  coDepartmentIds: string[];
  requesterId: string | null;
  supporterIds: string[];
}

/** Commands that act on a ticket and need the actor's department to be the lead department. */
const LEAD_ONLY: CommandName[] = ['claim', 'resolve', 'return', 'cohandle', 'escalate', 'extend', 'supplement'];

/** Returns null when allowed, otherwise one line that says why not. */
export function authorize(actor: CommandActor, command: CommandName, ticket?: TicketAccess): string | null {
  if (!ROLE_COMMANDS[actor.role].includes(command)) {
    return `${ROLE_NAMES[actor.role]}不能使用该命令，发送 /帮助 查看可用命令`;
  }
  if (!ticket || actor.role === 'admin' || actor.role === 'dispatcher' || actor.role === 'supervisor') return null;
  if (actor.role === 'enterprise') {
    if (command === 'rate' && ticket.requesterId !== actor.id) return '只有提出诉求的企业才能评价该工单';
    if (command === 'supplement' && ticket.requesterId !== actor.id) return '只有提出诉求的企业才能补充说明';
    if (command === 'publish' && ticket.requesterId !== actor.id) return '只有提出诉求的企业才能同意公开';
    if (command === 'status' && ticket.requesterId !== actor.id && !ticket.supporterIds.includes(actor.id)) {
      return '只能查询本企业提出或附议的工单';
    }
    return null;
  }
  if (LEAD_ONLY.includes(command) && ticket.departmentId !== actor.departmentId) {
    return ticket.coDepartmentIds.includes(actor.departmentId ?? '')
      ? '协办单位不能执行该操作，请由主办单位处理'
      : '该工单不在本单位名下';
  }
  if (command === 'status' && ticket.departmentId !== actor.departmentId && !ticket.coDepartmentIds.includes(actor.departmentId ?? '')) {
    return '该工单不在本单位名下';
  }
  return null;
}

/**
 * The department whose tickets someone may see outside the chat (console, API): department
 * staff see their own; 营商办, admins and supervisors see all (null).
 */
export const visibleDepartment = (actor: { role: Role; departmentId: string | null }): string | null =>
  actor.role === 'staff' ? actor.departmentId : null;

/** Whether someone outside the chat may open a ticket: their department leads or co-handles it, or they see all. */
export function canSeeTicket(actor: { role: Role; departmentId: string | null }, ticket: { department_id: string | null; co_department_ids: string[] }): boolean {
  const scope = visibleDepartment(actor);
  return scope === null || ticket.department_id === scope || ticket.co_department_ids.includes(scope);
}
