import type { TicketEventRow, TicketRow } from '../../db/schema';
import { STEP_NAMES, type EscalationStep } from '../../domain/escalation';
import { EVENT_NAMES, reasonText, type TicketEventKind } from '../../domain/ticket';
import { CATEGORY_NAMES, ISSUE_TYPE_NAMES, URGENCY_NAMES, type Category, type IssueType, type Urgency } from '../../domain/taxonomy';
import type { TicketView } from '../../domain/templates';
import type { StaffMember } from '../../repo/directory';
import { statusName, when } from '../format';
import { Flash, Page } from '../layout';

export type ConsoleAction = 'dispatch' | 'reassign' | 'claim' | 'resolve' | 'return' | 'extend' | 'confirm' | 'approve_extension' | 'close';

export interface TicketPageData {
  row: TicketRow;
  view: TicketView;
  overdue: boolean;
  requester: { name: string | null; enterprise: string | null; phone: string | null; userId: string; platform: string } | null;
  groupName: string | null;
  events: TicketEventRow[];
  documents: Array<{ number: string; step: string; issued_at: Date; due_at: Date }>;
  messages: Array<{ sender: string; text: string; at: Date }>;
  /** Attachment ids (photos from the report page). */
  photos: number[];
  departments: Array<{ id: string; name: string }>;
  actions: ConsoleAction[];
}

/** One line per event detail worth showing; the raw data stays in the API. */
function eventDetail(e: TicketEventRow, departmentName: (id: string) => string): string {
  const d = e.data as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.departmentId === 'string') parts.push(`→ ${departmentName(d.departmentId)}`);
  if (typeof d.reason === 'string' && d.reason) parts.push(reasonText(d.reason));
  for (const key of ['summary', 'question', 'text', 'comment', 'note'] as const) {
    if (typeof d[key] === 'string' && d[key]) parts.push(String(d[key]));
  }
  if (typeof d.rating === 'number') parts.push(`${d.rating} 分`);
  if (typeof d.days === 'number') parts.push(`${d.days} 个工作日`);
  if (typeof d.step === 'string') parts.push(STEP_NAMES[d.step as EscalationStep] ?? d.step);
  return parts.join(' · ');
}

function ActionForms(props: { number: string; actions: ConsoleAction[]; departments: Array<{ id: string; name: string }>; currentDepartment: string | null }) {
  const post = `/console/tickets/${props.number}/actions`;
  const deptSelect = (
    <label>
      承办单位
      <select name="department" required>
        <option value="">请选择</option>
        {props.departments.map((d) => (
          <option value={d.id} selected={d.id === props.currentDepartment}>
            {d.name}
          </option>
        ))}
      </select>
    </label>
  );
  const has = (a: ConsoleAction) => props.actions.includes(a);
  /** One form per action; the field, when there is one, is the reason or the result the command needs. */
  const Simple = (p: { action: ConsoleAction; label: string; plain?: boolean; field?: { name: string; label: string; placeholder?: string; max: number } }) =>
    has(p.action) ? (
      <form method="post" action={post} data-action={p.action}>
        <input type="hidden" name="action" value={p.action} />
        {p.field ? (
          <label>
            {p.field.label}
            {p.field.max > 200 ? (
              <textarea name={p.field.name} required maxlength={p.field.max} rows={3} cols={40} placeholder={p.field.placeholder} />
            ) : (
              <input name={p.field.name} required maxlength={p.field.max} size={20} placeholder={p.field.placeholder} />
            )}
          </label>
        ) : null}
        <button class={p.plain ? 'plain' : undefined} type="submit">
          {p.label}
        </button>
      </form>
    ) : null;
  return (
    <div class="actions">
      {has('dispatch') ? (
        <form method="post" action={post} data-action="dispatch">
          <input type="hidden" name="action" value="dispatch" />
          {deptSelect}
          <button type="submit">派单</button>
        </form>
      ) : null}
      {has('reassign') ? (
        <form method="post" action={post} data-action="reassign">
          <input type="hidden" name="action" value="reassign" />
          {deptSelect}
          <label>
            改派理由
            <input name="reason" required maxlength={200} />
          </label>
          <button type="submit">改派</button>
        </form>
      ) : null}
      <Simple action="claim" label="签收" />
      <Simple action="resolve" label="办结" field={{ name: 'summary', label: '办理结果', max: 2000 }} />
      <Simple action="return" label="退回营商办" plain field={{ name: 'reason', label: '退单理由', max: 200 }} />
      {has('extend') ? (
        <form method="post" action={post} data-action="extend">
          <input type="hidden" name="action" value="extend" />
          <label>
            延期天数
            <input name="days" type="number" inputmode="numeric" min={1} max={60} required value="3" />
          </label>
          <label>
            延期理由
            <input name="reason" required maxlength={200} />
          </label>
          <button class="plain" type="submit">
            申请延期
          </button>
        </form>
      ) : null}
      <Simple action="confirm" label="确认办结" />
      <Simple action="approve_extension" label="批准延期" />
      <Simple action="close" label="关闭" plain field={{ name: 'reason', label: '关闭理由', max: 200, placeholder: '如：非诉求、重复反映' }} />
    </div>
  );
}

export function TicketPage(props: { deployment: string; user: StaffMember; data: TicketPageData; flash: { ok: boolean; messages: string[] } | null }) {
  const { row, view, requester } = props.data;
  const deptName = (id: string) => props.data.departments.find((d) => d.id === id)?.name ?? id;
  return (
    <Page title={row.number} user={props.user} section="tickets" deployment={props.deployment}>
      <h1>
        {row.number} <span class="tag" data-testid="status">{statusName(row.status)}</span>
        {props.data.overdue ? <span class="tag red">超期</span> : null}
        {row.supervised ? <span class="tag red">挂牌督办</span> : null}
      </h1>
      <Flash flash={props.flash} />
      <div class="panel">
        <dl>
          <dt>诉求</dt>
          <dd class="content">{row.content}</dd>
          <dt>类型 / 领域</dt>
          <dd>
            {ISSUE_TYPE_NAMES[row.type as IssueType]} / {CATEGORY_NAMES[row.category as Category]}（{URGENCY_NAMES[row.urgency as Urgency]}）
          </dd>
          <dt>反映人</dt>
          <dd>{requester ? [requester.enterprise, requester.name ?? requester.userId, requester.phone].filter(Boolean).join(' · ') : '—'}</dd>
          <dt>来源</dt>
          <dd>{props.data.groupName ?? '一对一'}</dd>
          <dt>承办单位</dt>
          <dd data-testid="department">
            {view.departmentName ?? '待派单'}
            {view.coDepartmentNames.length ? `（协办：${view.coDepartmentNames.join('、')}）` : ''}
            {view.assigneeName ? ` · ${view.assigneeName}` : ''}
          </dd>
          {props.data.photos.length ? (
            <>
              <dt>照片</dt>
              <dd>
                {props.data.photos.map((id) => (
                  <a href={`/console/attachments/${id}`} target="_blank">
                    <img src={`/console/attachments/${id}`} alt="照片" style="max-height:120px;max-width:160px;margin-right:8px;border-radius:4px" />
                  </a>
                ))}
              </dd>
            </>
          ) : null}
          <dt>签收时限</dt>
          <dd>{when(row.sign_due_at)}</dd>
          <dt>办结时限</dt>
          <dd>{when(row.resolve_due_at)}</dd>
          {row.resolution ? (
            <>
              <dt>办理结果</dt>
              <dd class="content">{row.resolution}</dd>
            </>
          ) : null}
          {row.rating !== null ? (
            <>
              <dt>评价</dt>
              <dd>{row.rating} 分</dd>
            </>
          ) : null}
        </dl>
      </div>
      {props.data.actions.length ? (
        <>
          <h2>办理</h2>
          <div class="panel">
            <ActionForms number={row.number} actions={props.data.actions} departments={props.data.departments} currentDepartment={row.department_id} />
          </div>
        </>
      ) : null}
      <h2>时间线</h2>
      <div class="panel">
        <ol class="timeline" data-testid="timeline">
          {props.data.events.map((e) => (
            <li>
              <b>{EVENT_NAMES[e.kind as TicketEventKind] ?? e.kind}</b> <span class="muted">{when(e.at)} · {e.actor_name}</span>
              <div>{eventDetail(e, deptName)}</div>
            </li>
          ))}
        </ol>
      </div>
      <h2>三单一函</h2>
      <div class="panel">
        {props.data.documents.length === 0 ? (
          <p class="muted">尚未发出督办文书。</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>文书</th>
                <th>编号</th>
                <th>发出</th>
                <th>限期</th>
              </tr>
            </thead>
            <tbody>
              {props.data.documents.map((d) => (
                <tr>
                  <td>{STEP_NAMES[d.step as EscalationStep] ?? d.step}</td>
                  <td>{d.number}</td>
                  <td>{when(d.issued_at)}</td>
                  <td>{when(d.due_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <h2>反映人消息</h2>
      <div class="panel">
        {props.data.messages.length === 0 ? (
          <p class="muted">没有其他消息。</p>
        ) : (
          <ol class="timeline">
            {props.data.messages.map((m) => (
              <li>
                <span class="muted">
                  {when(m.at)} · {m.sender}
                </span>
                <div class="content">{m.text}</div>
              </li>
            ))}
          </ol>
        )}
      </div>
    </Page>
  );
}
