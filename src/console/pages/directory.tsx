import { stringify as stringifyYaml } from 'yaml';
import type { StaffMember } from '../../repo/directory';
import type { Field, ListDef, ObjectDef } from '../schema-form';
import { Flash, Page } from '../layout';
import { when } from '../format';

const FIELD_LABELS: Record<string, string> = {
  id: '标识（id）',
  name: '名称',
  aliases: '别名',
  parent: '上级',
  counterpart: '上级对口单位',
  department: '部门',
  role: '角色',
  accounts: '平台账号',
  phone: '电话',
  active: '在岗',
  region: '地区',
  platform: '平台',
  chatId: '群 ID（chatId）',
  outbound: '主动发送渠道（YAML）',
  questions: '问题（每行一个）',
  answer: '答复',
  source: '依据',
  keywords: '关键词',
  category: '类别',
  type: '类型',
  urgency: '紧急程度',
  dispatcher: '营商办（派单部门）',
  categories: '按类别分派',
  prefix: '编号前缀',
  routing: '本地区分派（YAML）',
};
export const fieldLabel = (name: string) => FIELD_LABELS[name] ?? name;

type Entry = Record<string, unknown>;
type Flashed = { ok: boolean; messages: string[] } | null;

export function showCell(v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('、');
  if (typeof v === 'object') {
    const o = v as Entry;
    if (typeof o.kind === 'string') return o.kind;
    return Object.entries(o).map(([k, x]) => `${k}: ${typeof x === 'string' ? x : JSON.stringify(x)}`).join('；');
  }
  return String(v);
}

export interface SectionSummary {
  href: string;
  label: string;
  count: number | null;
}

export function DirectoryHome(props: { deployment: string; user: StaffMember; revision: number; sections: SectionSummary[]; syncPlatforms: Array<{ platform: string; label: string }>; flash: Flashed }) {
  return (
    <Page title="目录管理" user={props.user} section="directory" deployment={props.deployment}>
      <h1>目录管理</h1>
      <Flash flash={props.flash} />
      <p class="muted">
        部门、工作人员、群、分派规则和知识库保存在数据库中，每次修改都是一个新版本（当前版本 {props.revision}），保存后各实例几秒内生效，无需重启。
      </p>
      <div class="cards">
        {props.sections.map((s) => (
          <a class="card" href={s.href}>
            {s.count === null ? null : <b>{s.count}</b>}
            {s.label}
          </a>
        ))}
      </div>
      <h2>修改记录与导出</h2>
      <p>
        <a href="/console/directory/history">修改记录</a>
        {' · '}
        <a href="/console/directory/export.yaml">导出 YAML</a>（导入：<code>npm run cli -- config import 文件 [--apply]</code>）
      </p>
      <h2>从平台同步通讯录</h2>
      {props.syncPlatforms.length ? (
        <div class="actions">
          {props.syncPlatforms.map((p) => (
            <form method="post" action={`/console/directory/sync/${p.platform}`}>
              <button type="submit">预览{p.label}通讯录同步</button>
            </form>
          ))}
        </div>
      ) : (
        <p class="muted">未配置企业微信或钉钉应用（WECOM_CORP_ID / DINGTALK_CLIENT_ID），无法同步通讯录。</p>
      )}
    </Page>
  );
}

export function ListPage(props: { deployment: string; user: StaffMember; list: ListDef; items: Array<{ key: string; item: Entry }>; flash: Flashed }) {
  const l = props.list;
  const columns = l.fields.filter((f) => f.kind !== 'yaml').slice(0, 6);
  const toggles = l.fields.some((f) => f.name === 'active' && f.kind === 'boolean');
  return (
    <Page title={l.label} user={props.user} section="directory" deployment={props.deployment}>
      <p>
        <a href="/console/directory">目录管理</a> /
      </p>
      <h1>{l.label}</h1>
      <Flash flash={props.flash} />
      <p>
        <a href={`/console/directory/${l.key}/new`}>＋ 新增</a>
      </p>
      <div class="panel">
        <table data-testid="directory-list">
          <thead>
            <tr>
              {l.keyed ? null : <th>#</th>}
              {columns.map((f) => (
                <th>{fieldLabel(f.name)}</th>
              ))}
              <th>操作</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map(({ key, item }) => (
              <tr class={item.active === false ? 'muted' : undefined}>
                {l.keyed ? null : <td>{key}</td>}
                {columns.map((f) => (
                  <td>{showCell(item[f.name])}</td>
                ))}
                <td>
                  <div class="actions">
                    <a href={`/console/directory/${l.key}/${encodeURIComponent(key)}`}>编辑</a>
                    {toggles ? (
                      <form method="post" action={`/console/directory/${l.key}/${encodeURIComponent(key)}/toggle`}>
                        <button class="plain" type="submit">
                          {item.active === false ? '启用' : '停用'}
                        </button>
                      </form>
                    ) : null}
                    <form method="post" action={`/console/directory/${l.key}/${encodeURIComponent(key)}/delete`}>
                      <button class="plain" type="submit">
                        删除
                      </button>
                    </form>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function FieldInput(props: { field: Field; value: unknown; errors: string[] | undefined; suggestions: Record<string, string[]> }) {
  const f = props.field;
  const v = props.value;
  const label = `${fieldLabel(f.name)}${f.optional ? '' : ' *'}`;
  const err = props.errors?.length ? <span class="error" style="color:#d83931">{props.errors.join('；')}</span> : null;
  const listId = props.suggestions[f.name] ? `dl-${f.name}` : undefined;
  let input;
  switch (f.kind) {
    case 'text':
    case 'number':
      input = (
        <>
          <input name={f.name} type={f.kind === 'number' ? 'number' : 'text'} value={v === undefined || v === null ? '' : String(v)} list={listId} aria-invalid={err ? 'true' : undefined} />
          {listId ? (
            <datalist id={listId}>
              {props.suggestions[f.name]!.map((o) => (
                <option value={o} />
              ))}
            </datalist>
          ) : null}
        </>
      );
      break;
    case 'enum':
      input = (
        <select name={f.name} aria-invalid={err ? 'true' : undefined}>
          {f.optional ? <option value="">（不限）</option> : null}
          {f.options.map((o) => (
            <option value={o} selected={v === o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'boolean':
      input = <input type="checkbox" name={f.name} checked={v !== false} />;
      break;
    case 'list':
      input = (
        <>
          <textarea name={f.name} rows={Math.max(2, Array.isArray(v) ? v.length + 1 : 2)} aria-invalid={err ? 'true' : undefined}>
            {Array.isArray(v) ? v.join('\n') : ''}
          </textarea>
          {f.options ? <span class="muted">可选：{f.options.join('、')}</span> : <span class="muted">每行一个</span>}
        </>
      );
      break;
    case 'record':
      input = (
        <span style="display:flex;flex-wrap:wrap;gap:8px">
          {f.keys.map((k) => (
            <label>
              {k}
              <input name={`${f.name}.${k}`} value={String((v as Record<string, unknown> | undefined)?.[k] ?? '')} list={props.suggestions[`${f.name}.${k}`] ? `dl-${f.name}-${k}` : undefined} />
            </label>
          ))}
        </span>
      );
      break;
    case 'yaml':
      input = (
        <textarea name={f.name} rows={4} aria-invalid={err ? 'true' : undefined}>
          {v === undefined ? '' : stringifyYaml(v).trimEnd()}
        </textarea>
      );
      break;
  }
  return (
    <label data-field={f.name}>
      {label}
      {input}
      {err}
    </label>
  );
}

export function EntryForm(props: {
  deployment: string;
  user: StaffMember;
  title: string;
  back: { href: string; label: string };
  action: string;
  base: number;
  fields: Field[];
  value: Entry;
  errors: Map<string, string[]>;
  otherErrors: string[];
  suggestions: Record<string, string[]>;
}) {
  const all = [...[...props.errors].flatMap(([f, ms]) => ms.map((m) => `${fieldLabel(f)}：${m}`)), ...props.otherErrors];
  return (
    <Page title={props.title} user={props.user} section="directory" deployment={props.deployment}>
      <p>
        <a href="/console/directory">目录管理</a> / <a href={props.back.href}>{props.back.label}</a> /
      </p>
      <h1>{props.title}</h1>
      {all.length ? (
        <div class="flash err" role="alert" data-testid="form-errors">
          {`未保存，共 ${all.length} 处问题：\n${all.map((m) => `· ${m}`).join('\n')}`}
        </div>
      ) : null}
      <form method="post" action={props.action} class="panel" style="display:flex;flex-direction:column;gap:12px;max-width:720px">
        <input type="hidden" name="__base" value={String(props.base)} />
        {props.fields.map((f) => (
          <FieldInput field={f} value={props.value[f.name]} errors={props.errors.get(f.name)} suggestions={props.suggestions} />
        ))}
        <label>
          修改说明（可选，记入修改记录）
          <input name="__note" value="" maxlength={200} />
        </label>
        <div>
          <button type="submit">保存</button>
        </div>
      </form>
    </Page>
  );
}

export function ObjectLinks(props: { object: ObjectDef; lists: ListDef[] }) {
  return (
    <p>
      <a href={`/console/directory/section/${props.object.section}`}>{props.object.label}</a>
      {props.lists.map((l) => (
        <>
          {' · '}
          <a href={`/console/directory/${l.key}`}>{l.label}</a>
        </>
      ))}
    </p>
  );
}

export interface HistoryRow {
  id: number;
  author: string;
  source: string;
  note: string | null;
  createdAt: Date;
  summary: string;
  lines: string[];
}

const SOURCE_NAMES: Record<string, string> = { seed: '配置文件（首次启动）', console: '控制台', import: '导入', sync: '平台同步' };

export function HistoryPage(props: { deployment: string; user: StaffMember; rows: HistoryRow[]; more: number | null }) {
  return (
    <Page title="目录修改记录" user={props.user} section="directory" deployment={props.deployment}>
      <p>
        <a href="/console/directory">目录管理</a> /
      </p>
      <h1>目录修改记录</h1>
      <div class="panel">
        <table data-testid="directory-history">
          <thead>
            <tr>
              <th>版本</th>
              <th>时间</th>
              <th>修改人</th>
              <th>来源</th>
              <th>变更</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/console/directory/history/${r.id}`}>{r.id}</a>
                </td>
                <td>{when(r.createdAt)}</td>
                <td>{r.author}</td>
                <td>{SOURCE_NAMES[r.source] ?? r.source}</td>
                <td>
                  <div>{r.summary}</div>
                  {r.note ? <div class="muted">{r.note}</div> : null}
                  {r.lines.length ? (
                    <details>
                      <summary class="muted">明细</summary>
                      <pre class="content">{r.lines.join('\n')}</pre>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.more ? <a href={`/console/directory/history?before=${props.more}`}>更早的记录</a> : null}
      </div>
    </Page>
  );
}

export function ChangesPage(props: { deployment: string; user: StaffMember; title: string; intro: string; lines: string[]; notes?: string[]; apply?: { action: string; fields: Record<string, string>; label: string } }) {
  return (
    <Page title={props.title} user={props.user} section="directory" deployment={props.deployment}>
      <p>
        <a href="/console/directory">目录管理</a> / <a href="/console/directory/history">修改记录</a> /
      </p>
      <h1>{props.title}</h1>
      <p>{props.intro}</p>
      {props.notes?.length ? <div class="flash err">{props.notes.join('\n')}</div> : null}
      <div class="panel">
        <pre class="content" data-testid="changes">{props.lines.length ? props.lines.join('\n') : '（无变化）'}</pre>
      </div>
      {props.apply && props.lines.length ? (
        <form method="post" action={props.apply.action}>
          {Object.entries(props.apply.fields).map(([k, v]) => (
            <input type="hidden" name={k} value={v} />
          ))}
          <button type="submit">{props.apply.label}</button>
        </form>
      ) : null}
    </Page>
  );
}
