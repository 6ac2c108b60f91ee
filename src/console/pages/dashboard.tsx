import { raw } from 'hono/html';
import type { StaffMember } from '../../repo/directory';
import type { TodayFigures } from '../../reports/dashboard';
import type { OverdueTicket } from '../../reports/queries';
import { excerpt, when } from '../format';
import { Page } from '../layout';

export function DashboardPage(props: { deployment: string; user: StaffMember; today: TodayFigures; overdue: OverdueTicket[]; loadChart: string; scoped: string | null }) {
  const t = props.today;
  // Each count links to the list that shows exactly those tickets, so the two never disagree.
  const cards: Array<[string, number, boolean, string?]> = [
    ['今日受理', t.received, false],
    ['今日派单', t.dispatched, false],
    ['今日签收', t.claimed, false],
    ['今日办结', t.resolved, false],
    ['在办工单', t.open, false],
    ['超期工单', props.overdue.length, props.overdue.length > 0, '/console/tickets?overdue=1'],
    ['待确认办结', t.awaitingConfirmation, false, '/console/tickets?status=awaiting_confirmation'],
    ['挂牌督办（在办）', t.supervised, t.supervised > 0, '/console/tickets?supervised=1'],
  ];
  return (
    <Page title="工作台" user={props.user} section="dashboard" deployment={props.deployment}>
      <h1>
        工作台 <span class="muted">{t.date}{props.scoped ? ` · ${props.scoped}` : ''}</span>
      </h1>
      <div class="cards" data-testid="today">
        {cards.map(([label, n, warn, href]) => (
          <div class={`card${warn ? ' warn' : ''}`}>
            {href ? <a href={href}>{label}</a> : label}
            <b>{n}</b>
          </div>
        ))}
      </div>
      <h2>超期工单</h2>
      <div class="panel">
        {props.overdue.length === 0 ? (
          <p class="muted">没有超期工单。</p>
        ) : (
          <table data-testid="overdue">
            <thead>
              <tr>
                <th>工单号</th>
                <th>诉求</th>
                <th>承办单位</th>
                <th>时限</th>
                <th>超期</th>
              </tr>
            </thead>
            <tbody>
              {props.overdue.map((o) => (
                <tr>
                  <td>
                    <a href={`/console/tickets/${o.number}`}>{o.number}</a>
                  </td>
                  <td>{excerpt(o.content)}</td>
                  <td>{o.departmentName}</td>
                  <td>{when(o.dueAt)}</td>
                  <td>
                    <span class="tag red">{o.workdaysOver} 个工作日</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <h2>各单位在办工单</h2>
      <div class="panel chart" data-testid="load-chart">
        {raw(props.loadChart)}
      </div>
    </Page>
  );
}
