import { z } from 'zod';

/** One platform's organisation as its contacts API returns it, reduced to what the directory uses. */
export interface PlatformDepartment {
  id: string;
  name: string;
  parentId: string | null;
}
export interface PlatformPerson {
  userId: string;
  name: string;
  /** The main department first when the platform says which it is. */
  departmentIds: string[];
}
export interface PlatformDirectory {
  departments: PlatformDepartment[];
  people: PlatformPerson[];
}

export interface DirectorySource {
  platform: 'wecom' | 'dingtalk';
  label: string;
  fetch(): Promise<PlatformDirectory>;
}

export class PlatformSyncError extends Error {}

/**
 * An answer in a shape we do not read is the platform's failure like an error code: asking again
 * in ten minutes gets the same, so the scheduled sync records it as the day's outcome.
 */
function shaped<T extends z.ZodTypeAny>(schema: T, body: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new PlatformSyncError(`${what} 应答格式不符（${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid'}）`);
}

const wecomAnswer = z.object({ errcode: z.number(), errmsg: z.string().optional() }).passthrough();
const wecomToken = z.object({ errcode: z.literal(0), access_token: z.string(), expires_in: z.number() });
const wecomDepartments = z.object({ department: z.array(z.object({ id: z.number(), name: z.string(), parentid: z.number().optional() })) });
const wecomUsers = z.object({
  userlist: z.array(
    z.object({
      userid: z.string(),
      name: z.string(),
      department: z.array(z.number()).default([]),
      main_department: z.number().optional(),
      /** 1 active, 2 disabled, 4 not yet activated, 5 left the organisation (user/list only). */
      status: z.number().optional(),
    }),
  ),
});

/**
 * WeCom contacts (通讯录): department/list, then user/list per department (user/simplelist when
 * the secret may not read details). The app's 可见范围 decides whom it sees; the secret is the
 * 通讯录同步 secret (WECOM_CONTACTS_SECRET) or the app's.
 */
export function createWecomDirectorySource(opts: { apiBase: string; corpId: string; secret: string; fetch?: typeof fetch }): DirectorySource {
  const doFetch = opts.fetch ?? fetch;
  const get = async (path: string, query: Record<string, string>) => {
    const res = await doFetch(`${opts.apiBase}${path}?${new URLSearchParams(query)}`, { signal: AbortSignal.timeout(10_000) });
    const body: unknown = await res.json().catch(() => null);
    const parsed = wecomAnswer.safeParse(body);
    if (!res.ok || !parsed.success) throw new PlatformSyncError(`企业微信 ${path} 无应答（HTTP ${res.status}）`);
    return parsed.data;
  };
  return {
    platform: 'wecom',
    label: '企业微信',
    async fetch() {
      const t = wecomToken.safeParse(await get('/cgi-bin/gettoken', { corpid: opts.corpId, corpsecret: opts.secret }));
      if (!t.success) throw new PlatformSyncError('企业微信 gettoken 失败：检查 WECOM_CORP_ID 和 WECOM_CONTACTS_SECRET（或 WECOM_APP_SECRET）');
      const token = t.data.access_token;
      const call = async (path: string, query: Record<string, string>) => {
        const r = await get(path, { access_token: token, ...query });
        if (r.errcode !== 0) throw new PlatformSyncError(`企业微信 ${path} 返回 ${r.errcode} ${r.errmsg ?? ''}`);
        return r;
      };
      const depts = shaped(wecomDepartments, await call('/cgi-bin/department/list', {}), '企业微信 /cgi-bin/department/list');
      const people = new Map<string, PlatformPerson>();
      for (const d of depts.department) {
        let users: z.infer<typeof wecomUsers>['userlist'];
        try {
          users = shaped(wecomUsers, await call('/cgi-bin/user/list', { department_id: String(d.id) }), '企业微信 /cgi-bin/user/list').userlist;
        } catch (e) {
          if (!(e instanceof PlatformSyncError)) throw e;
          users = shaped(wecomUsers, await call('/cgi-bin/user/simplelist', { department_id: String(d.id) }), '企业微信 /cgi-bin/user/simplelist').userlist;
        }
        for (const u of users) {
          if (u.status === 2 || u.status === 5) continue;
          const ids = u.department.map(String);
          const main = u.main_department !== undefined ? String(u.main_department) : ids[0];
          people.set(u.userid, { userId: u.userid, name: u.name, departmentIds: main ? [main, ...ids.filter((x) => x !== main)] : ids });
        }
      }
      return {
        departments: depts.department.map((d) => ({ id: String(d.id), name: d.name, parentId: d.parentid ? String(d.parentid) : null })),
        people: [...people.values()],
      };
    },
  };
}

const dingToken = z.object({ accessToken: z.string() });
const dingAnswer = z.object({ errcode: z.number(), errmsg: z.string().optional() }).passthrough();
const dingSubDepartments = z.object({ result: z.array(z.object({ dept_id: z.number(), name: z.string(), parent_id: z.number().optional() })) });
const dingUsers = z.object({
  result: z.object({
    has_more: z.boolean(),
    next_cursor: z.number().optional(),
    list: z.array(z.object({ userid: z.string(), name: z.string(), dept_id_list: z.array(z.number()).default([]), active: z.boolean().optional() })),
  }),
});

/**
 * DingTalk contacts: topapi/v2/department/listsub from the root (1) down, and
 * topapi/v2/user/list per department, paged by cursor. The app needs 通讯录只读 permission.
 */
export function createDingtalkDirectorySource(opts: { apiBase: string; oapiBase: string; clientId: string; clientSecret: string; fetch?: typeof fetch; pageSize?: number }): DirectorySource {
  const doFetch = opts.fetch ?? fetch;
  return {
    platform: 'dingtalk',
    label: '钉钉',
    async fetch() {
      const tr = await doFetch(`${opts.apiBase}/v1.0/oauth2/accessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: opts.clientId, appSecret: opts.clientSecret }),
        signal: AbortSignal.timeout(10_000),
      });
      const t = dingToken.safeParse(await tr.json().catch(() => null));
      if (!tr.ok || !t.success) throw new PlatformSyncError('钉钉 accessToken 失败：检查 DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET');
      const post = async (path: string, body: unknown) => {
        const res = await doFetch(`${opts.oapiBase}${path}?access_token=${encodeURIComponent(t.data.accessToken)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const parsed = dingAnswer.safeParse(await res.json().catch(() => null));
        if (!res.ok || !parsed.success) throw new PlatformSyncError(`钉钉 ${path} 无应答（HTTP ${res.status}）`);
        if (parsed.data.errcode !== 0) throw new PlatformSyncError(`钉钉 ${path} 返回 ${parsed.data.errcode} ${parsed.data.errmsg ?? ''}`);
        return parsed.data;
      };
      const departments: PlatformDepartment[] = [{ id: '1', name: '（根部门）', parentId: null }];
      for (let i = 0; i < departments.length && departments.length < 5000; i++) {
        const subs = shaped(dingSubDepartments, await post('/topapi/v2/department/listsub', { dept_id: Number(departments[i]!.id) }), '钉钉 /topapi/v2/department/listsub').result;
        for (const s of subs) departments.push({ id: String(s.dept_id), name: s.name, parentId: departments[i]!.id });
      }
      const people = new Map<string, PlatformPerson>();
      for (const d of departments) {
        let cursor = 0;
        for (let page = 0; page < 1000; page++) {
          const r = shaped(dingUsers, await post('/topapi/v2/user/list', { dept_id: Number(d.id), cursor, size: opts.pageSize ?? 100 }), '钉钉 /topapi/v2/user/list').result;
          for (const u of r.list) {
            const known = people.get(u.userid);
            if (!known) people.set(u.userid, { userId: u.userid, name: u.name, departmentIds: u.dept_id_list.length ? u.dept_id_list.map(String) : [d.id] });
          }
          if (!r.has_more || r.next_cursor === undefined) break;
          cursor = r.next_cursor;
        }
      }
      return { departments, people: [...people.values()] };
    },
  };
}

/** The sources the environment configures (the same credentials the platforms' apps use). */
export function directorySourcesFromEnv(env: Record<string, string | undefined>, fetchImpl?: typeof fetch): DirectorySource[] {
  const out: DirectorySource[] = [];
  const wecomSecret = env.WECOM_CONTACTS_SECRET || env.WECOM_APP_SECRET;
  if (env.WECOM_CORP_ID && wecomSecret) {
    out.push(createWecomDirectorySource({ apiBase: env.WECOM_API_BASE || 'https://qyapi.weixin.qq.com', corpId: env.WECOM_CORP_ID, secret: wecomSecret, ...(fetchImpl ? { fetch: fetchImpl } : {}) }));
  }
  if (env.DINGTALK_CLIENT_ID && env.DINGTALK_CLIENT_SECRET) {
    out.push(
      createDingtalkDirectorySource({
        apiBase: env.DINGTALK_API_BASE || 'https://api.dingtalk.com',
        oapiBase: env.DINGTALK_OAPI_BASE || 'https://oapi.dingtalk.com',
        clientId: env.DINGTALK_CLIENT_ID,
        clientSecret: env.DINGTALK_CLIENT_SECRET,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      }),
    );
  }
  return out;
}
