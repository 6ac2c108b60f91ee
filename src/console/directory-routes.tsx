import { Hono, type Context } from 'hono';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatChange, summarizeChanges } from '../directory/diff';
import type { DirectoryWriteResult } from '../directory/live';
import { PlatformSyncError } from '../directory/platform-sources';
import type { DirectoryIssue } from '../directory/sections';
import { maskDirectorySecrets } from '../directory/secrets';
import { runDirectorySync } from '../directory/sync';
import { readFlash, writeFlash } from '../http/flash';
import { DirectoryConflictError, getRevision, listRevisions } from '../repo/directory-store';
import type { Services } from '../services';
import { ChangesPage, DirectoryHome, EntryForm, HistoryPage, ListPage, ObjectLinks } from './pages/directory';
import { DIRECTORY_FORMS, findItem, issuesFor, itemKey, listDef, listItems, listPathPrefix, objectDef, parseFields, withListItems, type ListDef } from './schema-form';
import type { ConsoleEnv } from './session';

const FLASH = 'gz_flash';
type Entry = Record<string, unknown>;
type C = Context<ConsoleEnv>;

/**
 * Admins manage the directory here: every list of the directory (departments, staff, groups,
 * FAQ, routing rules, and what the schema adds) with forms made from the schema, the history of
 * revisions, export, and the platform contacts sync. Mounted behind the console's session and
 * Origin checks; a save writes a revision that every instance picks up within seconds.
 */
export function createDirectoryConsole(services: Services): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const live = services.liveDirectory;
  const deployment = () => services.config.deployment.name;

  app.use('*', async (c, next) => {
    const user = c.get('user');
    if (user.role !== 'admin') return c.text('目录管理仅限管理员（admin）', 403);
    // The directory is one document for the whole deployment — every county's staff, accounts and
    // groups, and who is admin. A county's admin editing it could take over another county's
    // accounts or make itself the city's admin, so it is kept by admins of the top level.
    if (services.directory.scopeOf(user).kind !== 'all') return c.text('目录由市级管理员维护：县级管理员只处理本地区及下级的工单', 403);
    await live.catchUp();
    await next();
  });

  const flashOf = (c: C) => readFlash(c, FLASH, '/console');
  const redirectWith = (c: C, to: string, ok: boolean, messages: string[]) => {
    writeFlash(c, FLASH, '/console', { ok, messages });
    return c.redirect(to, 303);
  };
  /** Ids offered while typing a reference field. */
  const suggestions = (): Record<string, string[]> => {
    const snap = live.snapshot;
    const depts = ((snap.departments as Entry[] | undefined) ?? []).map((d) => String(d.id));
    const regions = ((snap.regions as Entry[] | undefined) ?? []).map((r) => String(r.id));
    return { department: depts, parent: depts, counterpart: depts, dispatcher: depts, ...(regions.length ? { region: regions } : {}) };
  };
  const save = async (c: C, directory: Record<string, unknown>, base: number, note: string): Promise<DirectoryWriteResult | 'conflict'> => {
    try {
      return await live.write({ directory, base, author: c.get('user').id, source: 'console', ...(note ? { note } : {}) });
    } catch (e) {
      if (e instanceof DirectoryConflictError) return 'conflict';
      throw e;
    }
  };
  const baseOf = (body: Record<string, unknown>) => {
    const n = Number(body.__base);
    return Number.isInteger(n) && n >= 0 ? n : live.revision;
  };
  const noteOf = (body: Record<string, unknown>) => (typeof body.__note === 'string' ? body.__note.trim().slice(0, 200) : '');

  app.get('/', async (c) => {
    const sections = [
      ...DIRECTORY_FORMS.objects.map((o) => ({ href: `/console/directory/section/${o.section}`, label: o.label, count: null })),
      ...DIRECTORY_FORMS.lists.map((l) => ({ href: `/console/directory/${l.key}`, label: l.label, count: listItems(live.snapshot, l).length })),
    ];
    const syncPlatforms = services.directorySources.map((s) => ({ platform: s.platform, label: s.label }));
    return c.html(<DirectoryHome deployment={deployment()} user={c.get('user')} revision={live.revision} sections={sections} syncPlatforms={syncPlatforms} flash={flashOf(c)} />);
  });

  app.get('/export.yaml', (c) => {
    // Group keys as references (${ENV_VAR}) or masked: the export never carries a secret.
    const text = `# 共治目录 版本 ${live.revision}（npm run cli -- config import 此文件 [--apply]）\n${stringifyYaml(maskDirectorySecrets(live.snapshot), { lineWidth: 0 })}`;
    return c.body(text, 200, { 'content-type': 'application/yaml; charset=utf-8', 'content-disposition': `attachment; filename="directory-${live.revision}.yaml"`, 'cache-control': 'no-store' });
  });

  app.get('/history', async (c) => {
    const before = Number(c.req.query('before'));
    const rows = await listRevisions(services.db, 30, Number.isInteger(before) && before > 0 ? before : undefined);
    const name = (id: string) => services.directory.staffName(id) ?? id;
    return c.html(
      <HistoryPage
        deployment={deployment()}
        user={c.get('user')}
        rows={rows.map((r) => ({ id: r.id, author: name(r.author), source: r.source, note: r.note, createdAt: r.createdAt, summary: summarizeChanges(r.changes), lines: r.changes.slice(0, 200).map(formatChange) }))}
        more={rows.length === 30 ? rows[rows.length - 1]!.id : null}
      />,
    );
  });
  app.get('/history/:id{[0-9]+}', async (c) => {
    const rev = await getRevision(services.db, Number(c.req.param('id')));
    if (!rev) return c.text('没有这个版本', 404);
    const by = services.directory.staffName(rev.author) ?? rev.author;
    return c.html(<ChangesPage deployment={deployment()} user={c.get('user')} title={`目录版本 ${rev.id}`} intro={`${by} · ${rev.source} · ${summarizeChanges(rev.changes)}${rev.note ? ` · ${rev.note}` : ''}`} lines={rev.changes.map(formatChange)} />);
  });

  // Platform contacts: a preview (dry run) first, then the same plan applied from the revision it was made on.
  app.post('/sync/:platform{wecom|dingtalk}', async (c) => {
    const source = services.directorySources.find((s) => s.platform === c.req.param('platform'));
    if (!source) return c.text('未配置该平台的通讯录凭据', 404);
    const body = (await c.req.parseBody()) as Record<string, string>;
    const apply = body.apply === '1';
    try {
      if (apply && Number(body.base) !== live.revision) return redirectWith(c, '/console/directory', false, ['预览之后目录已有新版本，请重新预览']);
      const { plan, result } = await runDirectorySync(services.db, live, source, { apply, author: c.get('user').id });
      if (!result.ok) {
        return c.html(<ChangesPage deployment={deployment()} user={c.get('user')} title={`${source.label}通讯录同步`} intro="同步结果未通过校验，未写入：" lines={result.issues.map((i) => `${i.path.join('.')}: ${i.message}`)} notes={plan.notes} />, 422);
      }
      if (apply) return redirectWith(c, '/console/directory/history', true, [result.written ? `已同步${source.label}通讯录：版本 ${result.revision}（${summarizeChanges(result.changes)}）` : '通讯录与目录一致，没有变更', ...plan.notes]);
      return c.html(
        <ChangesPage
          deployment={deployment()}
          user={c.get('user')}
          title={`${source.label}通讯录同步预览`}
          intro={`预览（未写入）：以下变更将写入目录版本 ${live.revision + 1}。`}
          lines={result.changes.map(formatChange)}
          notes={plan.notes}
          apply={{ action: `/console/directory/sync/${source.platform}`, fields: { apply: '1', base: String(plan.base) }, label: '确认同步' }}
        />,
      );
    } catch (e) {
      if (e instanceof PlatformSyncError) return redirectWith(c, '/console/directory', false, [e.message]);
      if (e instanceof DirectoryConflictError) return redirectWith(c, '/console/directory', false, [e.message]);
      throw e;
    }
  });

  // An object section's own fields (routing: dispatcher and the category table).
  app.get('/section/:section', (c) => {
    const o = objectDef(c.req.param('section'));
    if (!o) return c.text('没有这个目录分区', 404);
    return c.html(objectForm(c, o.section, (live.snapshot[o.section] as Entry | undefined) ?? {}, [], live.revision));
  });
  app.post('/section/:section', async (c) => {
    const o = objectDef(c.req.param('section'));
    if (!o) return c.text('没有这个目录分区', 404);
    const body = (await c.req.parseBody()) as Record<string, string>;
    const { value, yamlErrors } = parseFields(o.fields, body, parseYaml);
    const current = (live.snapshot[o.section] as Entry | undefined) ?? {};
    // Lists inside the section (routing.rules) are edited on their own pages and kept as they are.
    const merged = { ...Object.fromEntries(Object.entries(current).filter(([k]) => !o.fields.some((f) => f.name === k))), ...value };
    if (yamlErrors.length) return c.html(objectForm(c, o.section, merged, yamlErrors.map((i) => ({ ...i, path: [o.section, ...i.path] })), baseOf(body)), 400);
    const r = await save(c, { ...live.snapshot, [o.section]: merged }, baseOf(body), noteOf(body));
    if (r === 'conflict') return c.html(objectForm(c, o.section, merged, [{ path: [], message: '目录已被他人修改，请刷新页面后重试' }], baseOf(body)), 409);
    if (!r.ok) return c.html(objectForm(c, o.section, merged, r.issues, baseOf(body)), 400);
    return redirectWith(c, '/console/directory', true, [r.written ? `已保存${o.label}：版本 ${r.revision}` : '没有变化']);
  });
  const objectForm = (c: C, section: string, value: Entry, issues: DirectoryIssue[], base: number) => {
    const o = objectDef(section)!;
    const { byField, other } = issuesFor(issues, [section], null);
    return (
      <>
        <EntryForm deployment={deployment()} user={c.get('user')} title={o.label} back={{ href: '/console/directory', label: '目录管理' }} action={`/console/directory/section/${section}`} base={base} fields={o.fields} value={value} errors={byField} otherErrors={other} suggestions={suggestions()} />
        {''}
      </>
    );
  };

  const entryForm = (c: C, l: ListDef, key: string | null, value: Entry, issues: DirectoryIssue[], index: number, base: number) => {
    const { byField, other } = issuesFor(issues, listPathPrefix(l), index);
    const title = key === null ? `新增${l.label}` : `编辑${l.label} ${key}`;
    const action = key === null ? `/console/directory/${l.key}/new` : `/console/directory/${l.key}/${encodeURIComponent(key)}`;
    return <EntryForm deployment={deployment()} user={c.get('user')} title={title} back={{ href: `/console/directory/${l.key}`, label: l.label }} action={action} base={base} fields={l.fields} value={value} errors={byField} otherErrors={other} suggestions={suggestions()} />;
  };

  app.get('/:list', async (c) => {
    const l = listDef(c.req.param('list'));
    if (!l) return c.text('没有这个目录分区', 404);
    const items = listItems(maskDirectorySecrets(live.snapshot), l).map((item, i) => ({ key: itemKey(l, item, i), item }));
    const o = l.sub ? objectDef(l.section) : null;
    return c.html(
      <>
        <ListPage deployment={deployment()} user={c.get('user')} list={l} items={items} flash={flashOf(c)} />
        {o ? <ObjectLinks object={o} lists={DIRECTORY_FORMS.lists.filter((x) => x.section === o.section)} /> : null}
      </>,
    );
  });
  app.get('/:list/new', (c) => {
    const l = listDef(c.req.param('list'));
    if (!l) return c.text('没有这个目录分区', 404);
    return c.html(entryForm(c, l, null, {}, [], listItems(live.snapshot, l).length, live.revision));
  });
  app.get('/:list/:key', (c) => {
    const l = listDef(c.req.param('list'));
    if (!l) return c.text('没有这个目录分区', 404);
    // The form shows group keys masked; saving the masked value back keeps the stored key (live.write).
    const items = listItems(maskDirectorySecrets(live.snapshot), l);
    const i = findItem(items, l, c.req.param('key'));
    if (i < 0) return c.text('没有这一项', 404);
    return c.html(entryForm(c, l, c.req.param('key'), items[i]!, [], i, live.revision));
  });

  /** Saves the list with one entry changed; the whole directory is validated, every problem shown on the form. */
  async function saveEntry(c: C, l: ListDef, key: string | null) {
    const body = (await c.req.parseBody()) as Record<string, string>;
    const base = baseOf(body);
    const items = [...listItems(live.snapshot, l)];
    const i = key === null ? items.length : findItem(items, l, key);
    if (i < 0) return c.text('没有这一项（可能已被他人删除）', 404);
    const { value, yamlErrors } = parseFields(l.fields, body, parseYaml);
    // Fields the form does not show (none today) survive an edit.
    const entry = key === null ? value : { ...items[i], ...value };
    if (key !== null) for (const f of l.fields) if (!(f.name in value)) delete entry[f.name];
    items[i] = entry;
    const prefix = listPathPrefix(l);
    if (yamlErrors.length) return c.html(entryForm(c, l, key, entry, yamlErrors.map((e) => ({ ...e, path: [...prefix, i, ...e.path] })), i, base), 400);
    const r = await save(c, withListItems(live.snapshot, l, items), base, noteOf(body));
    if (r === 'conflict') return c.html(entryForm(c, l, key, entry, [{ path: [], message: '目录已被他人修改：请打开最新版本重新编辑' }], i, base), 409);
    if (!r.ok) return c.html(entryForm(c, l, key, entry, r.issues, i, base), 400);
    return redirectWith(c, `/console/directory/${l.key}`, true, [r.written ? `已保存：目录版本 ${r.revision}（${r.changes.map(formatChange).join('；')}）` : '没有变化']);
  }
  app.post('/:list/new', (c) => {
    const l = listDef(c.req.param('list'));
    return l ? saveEntry(c, l, null) : c.text('没有这个目录分区', 404);
  });
  app.post('/:list/:key', (c) => {
    const l = listDef(c.req.param('list'));
    return l ? saveEntry(c, l, c.req.param('key')) : c.text('没有这个目录分区', 404);
  });

  async function change(c: C, l: ListDef, key: string, edit: (items: Entry[], i: number) => Entry[], done: string) {
    const items = [...listItems(live.snapshot, l)];
    const i = findItem(items, l, key);
    if (i < 0) return c.text('没有这一项', 404);
    const r = await save(c, withListItems(live.snapshot, l, edit(items, i)), live.revision, '');
    if (r === 'conflict') return redirectWith(c, `/console/directory/${l.key}`, false, ['目录已被他人修改，请重试']);
    if (!r.ok) return redirectWith(c, `/console/directory/${l.key}`, false, [`未${done}：`, ...r.issues.map((x) => `${x.path.join('.')}: ${x.message}`)]);
    return redirectWith(c, `/console/directory/${l.key}`, true, [`已${done} ${key}：目录版本 ${r.revision}`]);
  }
  app.post('/:list/:key/delete', (c) => {
    const l = listDef(c.req.param('list'));
    if (!l) return c.text('没有这个目录分区', 404);
    return change(c, l, c.req.param('key'), (items, i) => items.filter((_x, n) => n !== i), '删除');
  });
  app.post('/:list/:key/toggle', (c) => {
    const l = listDef(c.req.param('list'));
    if (!l || !l.fields.some((f) => f.name === 'active')) return c.text('这一类不能停用', 404);
    const current = listItems(live.snapshot, l)[findItem(listItems(live.snapshot, l), l, c.req.param('key'))];
    return change(c, l, c.req.param('key'), (items, i) => items.map((x, n) => (n === i ? { ...x, active: x.active === false } : x)), current?.active === false ? '启用' : '停用');
  });

  return app;
}
