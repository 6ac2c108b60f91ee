import type { TicketRow } from '../../db/schema';
import { TICKET_STATUSES, STATUS_NAMES } from '../../domain/ticket';
import { CATEGORIES, CATEGORY_NAMES, type Category } from '../../domain/taxonomy';
import type { StaffMember } from '../../repo/directory';
import { excerpt, statusName, when } from '../format';
import { Page } from '../layout';

export interface TicketListFilters {
  status?: string;
  department?: string;
  category?: string;
  group?: string;
  overdue?: string;
  supervised?: string;
}

interface Option {
  id: string;
  name: string;
}

function Select(props: { name: string; label: string; value: string | undefined; options: Option[] }) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">全部</option>
        {props.options.map((o) => (
          <option value={o.id} selected={o.id === props.value}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function TicketsPage(props: {
  deployment: string;
  user: StaffMember;
  filters: TicketListFilters;
  tickets: TicketRow[];
  nextHref: string | null;
  departments: Option[];
  groups: Option[];
  names: { department(id: string | null): string; group(id: string | null): string };
  scoped: boolean;
  overdueIds: Set<number>;
}) {
  const f = props.filters;
  return (
    <Page title="工单" user={props.user} section="tickets" deployment={props.deployment}>
      <h1>工单</h1>
      <form class="filters" method="get" action="/console/tickets">
        <Select name="status" label="状态" value={f.status} options={TICKET_STATUSES.map((s) => ({ id: s, name: STATUS_NAMES[s] }))} />
        {props.departments.length > 1 ? <Select name="department" label="承办单位" value={f.department} options={props.departments} /> : null}
        <Select name="category" label="诉求领域" value={f.category} options={CATEGORIES.map((c) => ({ id: c, name: CATEGORY_NAMES[c] }))} />
        <Select name="group" label="来源群" value={f.group} options={props.groups} />
        <label>
          超期
          <select name="overdue">
            <option value="">不限</option>
            <option value="1" selected={f.overdue === '1'}>
              仅超期
            </option>
          </select>
        </label>
        <label>
          督办
          <select name="supervised">
            <option value="">不限</option>
            <option value="1" selected={f.supervised === '1'}>
              在办的挂牌督办
            </option>
          </select>
        </label>
        <button type="submit">筛选</button>
        <a href="/console/tickets">清除</a>
      </form>
      <div class="panel">
        {props.tickets.length === 0 ? (
          <p class="muted">没有符合条件的工单。</p>
        ) : (
          <table data-testid="tickets">
            <thead>
              <tr>
                <th>工单号</th>
                <th>受理时间</th>
                <th>诉求</th>
                <th>领域</th>
                <th>承办单位</th>
                <th>状态</th>
                <th>来源群</th>
              </tr>
            </thead>
            <tbody>
              {props.tickets.map((t) => (
                <tr>
                  <td data-label="工单号">
                    <a href={`/console/tickets/${t.number}`}>{t.number}</a>
                  </td>
                  <td data-label="受理">{when(t.received_at)}</td>
                  <td data-label="诉求">{excerpt(t.content)}</td>
                  <td data-label="领域">{CATEGORY_NAMES[t.category as Category] ?? t.category}</td>
                  <td data-label="承办单位">{props.names.department(t.department_id)}</td>
                  <td data-label="状态">
                    <span class="tag">{statusName(t.status)}</span>
                    {props.overdueIds.has(t.id) ? <span class="tag red">超期</span> : null}
                    {t.supervised ? <span class="tag red">督办</span> : null}
                  </td>
                  <td data-label="来源群">{props.names.group(t.group_id)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {props.nextHref ? (
          <p>
            <a href={props.nextHref}>下一页 →</a>
          </p>
        ) : null}
      </div>
    </Page>
  );
}
