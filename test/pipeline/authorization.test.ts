import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { COMMAND_SPECS, parseCommand, type CommandName } from '../../src/domain/commands';
import { COMMAND_RULES, ROLES, type Role, type Scope } from '../../src/domain/roles';
import { handleCommand } from '../../src/pipeline/commands';
import { createMessageContext, type PipelineDeps } from '../../src/pipeline/context';
import { getGroup } from '../../src/repo/directory';
import { upsertRequester } from '../../src/repo/requesters';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const RELATIONS = ['own', 'other_enterprise', 'private_of_other', 'other_group', 'other_department', 'co_handled'] as const;
type Relation = (typeof RELATIONS)[number];

/** The table's scopes read independently of the code: which relations each one admits. */
const ADMITS: Record<Scope, readonly Relation[]> = {
  none: [],
  own: ['own'],
  supported: ['own'],
  group: ['own', 'other_enterprise', 'other_department', 'co_handled'],
  lead: ['own', 'other_enterprise', 'private_of_other', 'other_group'],
  department: ['own', 'other_enterprise', 'private_of_other', 'other_group', 'co_handled'],
  any: RELATIONS,
};

const SAMPLE: Record<CommandName, (n: string, other: string) => string> = {
  help: () => '/帮助', mine: () => '/我的', queue: () => '/待办',
  status: (n) => `/进度 ${n}`, second: (n) => `/附议 ${n}`, rate: (n) => `/评价 ${n} 5`, publish: (n) => `/公开 ${n}`,
  supplement: (n) => `/补充 ${n} 请提供材料`, claim: (n) => `/认领 ${n}`, resolve: (n) => `/办结 ${n} 已处理`,
  return: (n) => `/退回 ${n} 不属本单位`, cohandle: (n) => `/协办 ${n} 水务公司`, escalate: (n) => `/提级 ${n}`,
  extend: (n) => `/延期 ${n} 3 需要现场勘查`, dispatch: (n) => `/派单 ${n} 供电公司`, reassign: (n) => `/转派 ${n} 水务公司 属供水`,
  approve_extension: (n) => `/批准延期 ${n}`, approve_pause: (n) => `/批准暂停 ${n}`, confirm: (n) => `/确认办结 ${n}`,
  merge: (n, other) => `/合并 ${n} ${other}`, close: (n) => `/关闭 ${n} 误报`, reopen: (n) => `/重办 ${n} 未解决`,
  recategorize: (n) => `/改类 ${n} 水电气暖网`,
};
const ACTORS: Record<Role, string> = { enterprise: 'qs-jixie-liu', staff: 'lidian', dispatcher: 'wangmin', supervisor: 'jiangjian', admin: 'zhaolei' };
const AUTH_REFUSALS = /没有找到工单|不能使用该命令|只有提出诉求的企业才能|只能查询本企业提出或附议的工单|协办单位不能执行该操作|该工单不在本单位名下/;

it('the rule table covers every command the parser knows, and every sample parses to its command', () => {
  expect(Object.keys(COMMAND_RULES).sort()).toEqual(COMMAND_SPECS.map((s) => s.name).sort());
  for (const name of Object.keys(SAMPLE) as CommandName[]) {
    const parsed = parseCommand(SAMPLE[name]('GZ-20261123-0001', 'GZ-20261123-0002'));
    expect(parsed.kind === 'command' && parsed.command.name).toBe(name);
  }
});

describeOnDatabases('authorization matrix from the rule table', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  let deps: PipelineDeps;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const tickets = {} as Record<Relation, { id: number; number: string }>;
  let target = '';

  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
    const s = rt.services;
    deps = { db: s.db, config: s.config, classifier: s.classifier, sla: s.sla, directory: s.directory, now: clock.now };
    const texts: Record<Relation, [string, string]> = {
      own: ['qs-jixie-liu', '我们厂新建的厂房申请用电报装一个月了还没接通'],
      other_enterprise: ['lvyuan-chen', '园区变压器增容申请提交两个月了一直没批下来'],
      private_of_other: ['lvyuan-chen', '厂区配电室跳闸，整条线停了，供电所电话没人接'],
      other_group: ['lvyuan-chen', '仓库三相电经常电压不稳，设备烧坏了两台'],
      other_department: ['lvyuan-chen', '工业园区北门的路灯坏了半年了没人修'],
      co_handled: ['lvyuan-chen', '营业执照变更登记提交了三周还没有办下来'],
    };
    for (const rel of RELATIONS) {
      const r = await s.pipeline.receive(localMessage(texts[rel][0], `@共治助手 ${texts[rel][1]}`));
      if (r.status !== 'ticket' && r.status !== 'command') throw new Error(`setup: ${rel} ${r.status}`);
      tickets[rel] = { id: r.ticketId!, number: r.ticketNumber! };
    }
    // The relations are set directly: each ticket differs from `own` in exactly one respect.
    const set = (rel: Relation, v: Record<string, unknown>) => h.db.updateTable('tickets').set(v).where('id', '=', tickets[rel].id).execute();
    for (const rel of RELATIONS) await set(rel, { department_id: 'power', status: 'dispatched', group_id: 'county', is_private: false });
    await set('private_of_other', { is_private: true, group_id: null, origin_chat_type: 'direct' });
    await set('other_group', { group_id: 'park' });
    await set('other_department', { department_id: 'zwfw' });
    await set('co_handled', { department_id: 'zwfw', co_department_ids: JSON.stringify(['power']) });
    const t = await s.pipeline.receive(localMessage('hengtong-zhang', '@共治助手 食品经营许可证延续申请在政务服务网上提交后一直显示待受理'));
    if (t.status === 'duplicate') throw new Error('setup: target');
    target = t.ticketNumber!;
  }, 60_000);
  afterAll(async () => rt?.close());

  class Rollback extends Error {}

  async function run(role: Role, text: string) {
    const userId = ACTORS[role];
    const snapshot = () => h.db.selectFrom('tickets').select(['id', 'version', 'status', 'department_id', 'is_private']).orderBy('id').execute();
    const before = await snapshot();
    let out: { replies: string[]; groupPosts: string[]; changed: boolean } | null = null;
    await deps.db
      .transaction()
      .execute(async (tx) => {
        const staff = deps.directory.staffById(userId);
        const requester = staff ? null : await upsertRequester(tx, 'local', userId);
        const msg = localMessage(userId, text);
        const ctx = createMessageContext({ deps, tx, msg, now: clock.now(), group: await getGroup(tx, 'county'), staff, requester }, userId);
        const parsed = parseCommand(text);
        if (parsed.kind !== 'command') throw new Error(text);
        await handleCommand(ctx, parsed.command);
        const after = await tx.selectFrom('tickets').select(['id', 'version', 'status', 'department_id', 'is_private']).orderBy('id').execute();
        out = {
          replies: ctx.posts.filter((p) => p.kind === 'reply').map((p) => p.payload.text),
          groupPosts: ctx.posts.filter((p) => p.kind !== 'reply' && p.target.kind === 'group').map((p) => p.payload.text),
          changed: JSON.stringify(after) !== JSON.stringify(before),
        };
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
    return out!;
  }

  for (const name of Object.keys(COMMAND_RULES) as CommandName[]) {
    it(`/${COMMAND_SPECS.find((s) => s.name === name)!.zh[0]} (${name}) for every role and ticket relation`, async () => {
      for (const role of ROLES) {
        const scope = COMMAND_RULES[name][role];
        const relations: readonly (Relation | null)[] = scope === 'none' || (scope === undefined && SAMPLE[name]('', '').split(' ').length === 1) ? [null] : RELATIONS;
        for (const rel of relations) {
          const text = SAMPLE[name](rel ? tickets[rel].number : '', target);
          const r = await run(role, text);
          const label = `${role} ${text} (${rel ?? 'no ticket'})`;
          const allowed = scope !== undefined && (scope === 'none' || (rel !== null && ADMITS[scope].includes(rel)));
          if (allowed) {
            expect(r.replies.some((t) => AUTH_REFUSALS.test(t)), label).toBe(false);
          } else {
            expect(r.replies.length, label).toBe(1);
            expect(r.replies[0], label).toMatch(AUTH_REFUSALS);
            expect(r.changed, label).toBe(false);
            expect(r.groupPosts, label).toEqual([]);
            // Outside what the sender may know of, the refusal is the one a missing ticket gets.
            if (rel === 'private_of_other' || rel === 'other_group') {
              if (scope !== undefined && role === 'enterprise') expect(r.replies[0], label).toMatch(/^没有找到工单/);
            }
          }
        }
      }
    });
  }
});
