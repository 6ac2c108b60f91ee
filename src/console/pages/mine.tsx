import type { TicketRow } from '../../db/schema';
import type { StaffMember } from '../../repo/directory';
import { excerpt, statusName, when } from '../format';
import { Page } from '../layout';

export interface MineItem {
  row: TicketRow;
  overdue: boolean;
  /** The person handles it themselves (签收 by them). */
  own: boolean;
  departmentName: string;
  /** The deadline that applies now: signing before a claim, resolving after. */
  dueAt: Date | null;
}

/**
 * What a person has to do, as one tap-sized card per ticket: the page staff open from the
 * WeCom / DingTalk workbench on their phones.
 */
export function MinePage(props: { deployment: string; user: StaffMember; title: string; items: MineItem[] }) {
  return (
    <Page title="我的工单" user={props.user} section="mine" deployment={props.deployment}>
      <h1>{props.title}</h1>
      {props.items.length === 0 ? (
        <p class="muted">现在没有要您处理的工单。</p>
      ) : (
        <ul class="tickets" data-testid="mine">
          {props.items.map(({ row, overdue, own, departmentName, dueAt }) => (
            <li>
              <a class="ticket" href={`/console/tickets/${row.number}`}>
                <span class="top">
                  {row.number} <span class="tag">{statusName(row.status)}</span>
                  {overdue ? <span class="tag red">超期</span> : null}
                  {row.supervised ? <span class="tag red">督办</span> : null}
                  {own ? <span class="tag grey">我承办</span> : null}
                </span>
                <span class="content" style="display:block;margin-top:4px">{excerpt(row.content, 60)}</span>
                <span class="sub" style="display:block">
                  {departmentName} · 受理 {when(row.received_at)}
                  {dueAt ? ` · 时限 ${when(dueAt)}` : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
