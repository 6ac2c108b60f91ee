import type { Command } from '../../domain/commands';
import { templates } from '../../domain/templates';
import { listDepartments, type DepartmentRecord } from '../../repo/directory';
import { ticketView } from '../../repo/tickets';
import { notifyDirect, type MessageContext } from '../context';
import { announceOrReply, findDepartment, platformOf, requesterMention, restartDeadlines, transition, type CommandOf, type TicketHandler } from './shared';

type Cmd<N extends Command['name']> = CommandOf<N>;

export const claim: TicketHandler = async (ctx, _cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'claim' }));
  if (t) await announceOrReply(ctx, t.row, templates.claimed(t.view));
};

export const resolve: TicketHandler<Cmd<'resolve'>> = async (ctx, cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'resolve', summary: cmd.summary }));
  if (!t) return;
  if (t.row.status === 'awaiting_confirmation') {
    await announceOrReply(ctx, t.row, templates.resolutionSubmitted(t.view), ctx.deps.directory.ticketRoleAccounts('dispatcher', t.row, platformOf(ctx)));
  } else {
    await announceOrReply(ctx, t.row, templates.resolved(t.view), await requesterMention(ctx, t.row));
  }
};

export const confirm: TicketHandler = async (ctx, _cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'confirm' }));
  if (t) await announceOrReply(ctx, t.row, templates.resolved(t.view), await requesterMention(ctx, t.row));
};

export const returnTicket: TicketHandler<Cmd<'return'>> = async (ctx, cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'return', reason: cmd.reason }));
  if (t) await announceOrReply(ctx, t.row, templates.returned(t.view, cmd.reason), ctx.deps.directory.ticketRoleAccounts('dispatcher', t.row, platformOf(ctx)));
};

export const cohandle: TicketHandler<Cmd<'cohandle'>> = async (ctx, cmd, ticket) => {
  const departments = await listDepartments(ctx.tx);
  const found: DepartmentRecord[] = [];
  for (const name of cmd.departments) {
    const d = findDepartment(ctx, departments, name);
    if (!d) return;
    found.push(d);
  }
  const t = await transition(ctx, ticket.id, () => ({ kind: 'add_co_departments', departmentIds: found.map((d) => d.id) }));
  if (!t) return;
  const mentions = found.flatMap((d) => ctx.deps.directory.departmentAccounts(d.id, platformOf(ctx)));
  await announceOrReply(ctx, t.row, templates.coHandling(t.view, t.view.coDepartmentNames), mentions);
};

/**
 * 提级办: the ticket goes to the department's counterpart one level up (`counterpart`, or the
 * older `parent`), with its history, its region of origin and the same deadline rule started
 * afresh. Both levels hear of it: the group as before, and one-to-one the department that gave
 * it up and the 营商办 of both regions.
 */
export const escalate: TicketHandler = async (ctx, _cmd, ticket) => {
  const { directory } = ctx.deps;
  const t = await transition(ctx, ticket.id, (row) => {
    const up = directory.org.counterpartOf(row.department_id);
    return up ? { kind: 'escalate_level', departmentId: up } : '承办单位没有配置上级单位，无法提级，请联系营商办';
  });
  if (!t) return;
  const row = await restartDeadlines(ctx, t.row);
  const from = t.before.department_id;
  const text = templates.escalatedLevel(await ticketView(ctx.tx, row), from ? directory.departmentName(from) : null);
  const platform = platformOf(ctx);
  const mentioned = directory.departmentAccounts(row.department_id!, platform);
  await announceOrReply(ctx, row, text, mentioned);
  const regions = new Set([directory.org.departmentRegion(from), directory.org.departmentRegion(row.department_id)]);
  const others = [...(from ? directory.departmentAccounts(from, platform) : []), ...[...regions].flatMap((r) => directory.roleAccountsIn('dispatcher', r, platform))];
  const sender = ctx.msg.sender.userId;
  notifyDirect(ctx, platform, [...new Set(others)].filter((u) => u !== sender && !mentioned.includes(u)), text, row.id);
};

export const rate: TicketHandler<Cmd<'rate'>> = async (ctx, cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'rate', rating: cmd.rating, comment: cmd.comment }));
  if (!t) return;
  if (t.row.status === 'closed') {
    await announceOrReply(ctx, t.row, templates.rated(t.view));
    return;
  }
  const row = await restartDeadlines(ctx, t.row);
  const view = await ticketView(ctx.tx, row);
  const platform = platformOf(ctx);
  const mentions = [...ctx.deps.directory.departmentAccounts(row.department_id!, platform), ...ctx.deps.directory.ticketRoleAccounts('dispatcher', row, platform)];
  await announceOrReply(ctx, row, templates.reopenedUnsatisfied(view), [...new Set(mentions)]);
};

export const reopen: TicketHandler<Cmd<'reopen'>> = async (ctx: MessageContext, cmd, ticket) => {
  const t = await transition(ctx, ticket.id, () => ({ kind: 'reopen', reason: cmd.reason }));
  if (!t) return;
  const row = await restartDeadlines(ctx, t.row);
  await announceOrReply(ctx, row, templates.reopened(await ticketView(ctx.tx, row), cmd.reason), ctx.deps.directory.departmentAccounts(row.department_id!, platformOf(ctx)));
};
