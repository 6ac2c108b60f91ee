import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';
import { startFakeServer } from '../fakes/http-server';
import { aibotRequest, aibotTextPayload, WECOM_BOT } from '../fakes/wecom-callbacks';
import { aibotMessage, startFakeAibot } from '../fakes/wecom-aibot-ws';
import { loadConfigFile } from '../../src/config/load';
import { freePort } from '../helpers/ports';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';

const url = process.env.DATABASE_URL;
const DB = `gz_kill_${randomBytes(3).toString('hex')}`;
// Monday 08:29:50 in Beijing: the daily digest and the weekly summary come due ten (clock) seconds in.
const CLOCK_START = '2026-11-23T00:29:50Z';
// Instance clocks run four times as fast as real time: the outbox lease and the recovery age
// (60 s each) pass in 15 s, so the whole test stays well under a minute.
const SPEED = 4;
const MESSAGES = 360;
const KILL_AFTER = 120;
const TEXTS = ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区路灯坏了半年了没人修', '我们的投标保证金半年了还没退', '食品经营许可证延续申请一直显示待受理', '出口退税申报三个月了还没到账', '这个月已经来了四拨检查，生产都没法正常进行'];

interface Instance {
  name: string;
  child: ChildProcess;
  base: string;
  stderr: string[];
  /** Holds the WeCom long connection (printed by the instance on election). */
  leading: boolean;
  leadingSince: number;
}

const LONG_BOT = { botId: 'aibot-two-instances', secret: 'aibot-two-instances-secret' };

describe.skipIf(!url)('two server processes on one PostgreSQL, one killed with SIGKILL under load (skipped without DATABASE_URL)', () => {
  let h: DatabaseHandle;
  let sink: Awaited<ReturnType<typeof startFakeServer>>;
  let aibot: Awaited<ReturnType<typeof startFakeAibot>>;
  const instances: Instance[] = [];
  const dbUrl = () => {
    const u = new URL(url!);
    u.pathname = `/${DB}`;
    return u.toString();
  };

  async function startInstance(name: string, port: number, configPath: string, origin: number): Promise<Instance> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/instance.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: dbUrl(),
        PORT: String(port),
        GONGZHI_CONFIG: configPath,
        GONGZHI_MIGRATE: '0',
        GONGZHI_SESSION_SECRET: 'two-instances-session-secret-0123456789',
        WECOM_BOT_TOKEN: WECOM_BOT.token,
        WECOM_BOT_AES_KEY: WECOM_BOT.aesKey,
        WECOM_API_BASE: sink.base,
        INSTANCE_CLOCK_START: CLOCK_START,
        INSTANCE_CLOCK_ORIGIN_MS: String(origin),
        INSTANCE_CLOCK_SPEED: String(SPEED),
        WECOM_BOT_ID: LONG_BOT.botId,
        WECOM_BOT_SECRET: LONG_BOT.secret,
        WECOM_BOT_WS_URL: aibot.wsUrl,
        GONGZHI_LEADER_POLL_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const inst: Instance = { name, child, base: `http://127.0.0.1:${port}`, stderr: [], leading: false, leadingSince: 0 };
    child.stderr!.on('data', (d) => inst.stderr.push(String(d)));
    child.stdout!.on('data', (d) => {
      const out = String(d);
      if (out.includes('following')) inst.leading = false;
      if (out.includes('leading')) Object.assign(inst, { leading: true, leadingSince: Date.now() });
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${inst.stderr.join('').slice(-2000)}`)));
    });
    instances.push(inst);
    return inst;
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${DB}`);
    await admin.end();
    h = await openDatabase({ url: dbUrl(), poolSize: 4 });
    await migrateToLatest(h.db);
    sink = await startFakeServer(() => ({ json: { errcode: 0, errmsg: 'ok' } }));
    aibot = await startFakeAibot(LONG_BOT);
  });
  afterAll(async () => {
    for (const i of instances) i.child.kill('SIGKILL');
    await sink?.close();
    await (aibot as unknown as { close?: () => Promise<void> } | undefined)?.close?.();
    await h?.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.end();
  });

  it('processes every accepted message once, loses no post, issues scheduled documents once, moves the long connection', { timeout: 120_000 }, async () => {
    // The example county plus one WeCom group with a message-push webhook, as a file both processes read.
    const dir = mkdtempSync(join(tmpdir(), 'gz-two-'));
    const configPath = join(dir, 'config.yaml');
    const wecomGroup = '  - id: county-wecom\n    name: 青山县营商环境共商共治群（企业微信）\n    region: 青山县\n    platform: wecom\n    chatId: wr-county-chat\n    outbound: { kind: wecom-webhook, key: group-key-county }\n';
    writeFileSync(configPath, readFileSync(EXAMPLE, 'utf8').replace(/^groups:\n/m, `groups:\n${wecomGroup}`));
    const config = await loadConfigFile(configPath);
    expect(config.groups.map((g) => g.id)).toContain('county-wecom');
    // Three reports from last Thursday, never signed for: by Monday morning their signing deadline
    // has passed, so both instances' sweeps race to issue the same 三单一函 steps.
    const seedClock = createTestClock('2026-11-19T02:00:00Z');
    // Its own handle: closing a runtime closes its database.
    const seeder = await createTestRuntime(await openDatabase({ url: dbUrl(), poolSize: 2 }), { config, now: seedClock.now });
    for (const [k, text] of TEXTS.slice(0, 3).entries()) {
      const r = await seeder.services.pipeline.receive({ platform: 'wecom', messageId: `seed-${k}`, chatType: 'group', chatId: 'wr-county-chat', sender: { userId: `seed-ent-${k}`, name: `企业${k}` }, text, receivedAt: new Date(0) });
      expect(r).toMatchObject({ status: 'ticket' });
    }
    await seeder.close();

    const origin = Date.now();
    const portA = await freePort();
    let portB = await freePort();
    while (portB === portA) portB = await freePort();
    const started = await Promise.all([startInstance('A', portA, configPath, origin), startInstance('B', portB, configPath, origin)]);
    // One instance holds the WeCom long connection (one per bot); that is the one to kill.
    for (const deadline = Date.now() + 20_000; !started.some((i) => i.leading) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(started.filter((i) => i.leading)).toHaveLength(1);
    for (const deadline = Date.now() + 10_000; aibot.liveConnections() < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(aibot.liveConnections()).toBe(1);
    const a = started.find((i) => i.leading)!;
    const b = started.find((i) => !i.leading)!;

    // Each message as WeCom sends it, two per chat (so no chat reaches its robot's per-minute limit and is folded into a summary); a failed delivery (the connection died with A) is sent again
    // to the instance still standing, as the platform retries.
    const live = new Set([a!, b!]);
    const acked = new Set<number>();
    let retries = 0;
    let killedAt = 0;
    let lastIdAtKill = 0;
    const send = async (i: number) => {
      const plaintext = aibotTextPayload({ msgid: `kill-${i}`, chatid: `wr-kill-${i % 180}`, userid: `ent-${i % 300}`, text: `@共治助手 ${TEXTS[i % TEXTS.length]}（${i}）`, responseUrl: `${sink.base}/cgi-bin/aibot/response?response_code=${i}` });
      for (let attempt = 0; attempt < 20; attempt++) {
        const target = [...live][attempt === 0 ? i % live.size : 0]!;
        const req = aibotRequest(target.base, plaintext);
        const ok = await fetch(req.href, req.init).then((r) => r.ok, () => false);
        if (ok) return void acked.add(i);
        retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`message ${i} never acknowledged`);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < MESSAGES) {
          const i = next++;
          await send(i);
          if (acked.size >= KILL_AFTER && !killedAt) {
            killedAt = Date.now();
            a!.child.kill('SIGKILL');
            live.delete(a!);
            lastIdAtKill = Number((await sql<{ m: number | null }>`select max(id) as m from inbound_messages`.execute(h.db)).rows[0]!.m ?? 0);
          }
        }
      }),
    );
    expect(acked.size).toBe(MESSAGES);
    expect(killedAt).toBeGreaterThan(0);

    // The long connection moves to the survivor, which then answers a message pushed over it.
    for (const deadline = Date.now() + 20_000; !(b.leading && aibot.liveConnections() === 1) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(b.leading, 'the survivor never took the long connection').toBe(true);
    expect(aibot.liveConnections()).toBe(1);
    const takeoverMs = b.leadingSince - killedAt;
    const longMsgId = 'long-connection-after-kill';
    aibot.pushMessage(aibotMessage({ userId: 'ent-long-1', chatId: 'wr-long-1', msgid: longMsgId, text: '@共治助手 园区门口的路灯坏了半个月了，晚上下班很不安全' }));
    const overConnection = async () => (await h.db.selectFrom('inbound_messages').select('outcome').where('message_id', '=', longMsgId).executeTakeFirst())?.outcome;
    for (const deadline = Date.now() + 30_000; (await overConnection()) !== 'ticket' && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    expect(await overConnection(), 'a report over the moved long connection').toBe('ticket');

    // Recovery: everything stored before the kill is done, whoever had it.
    let recoveredAt = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const r = await sql<{ n: string }>`select count(*)::text as n from inbound_messages where id <= ${lastIdAtKill} and outcome in ('pending', 'processing')`.execute(h.db);
      if (Number(r.rows[0]!.n) === 0) {
        recoveredAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(recoveredAt, 'messages accepted before the kill were never finished').toBeGreaterThan(0);
    const recoveryMs = recoveredAt - killedAt;

    // Every accepted message processed exactly once: one row per platform id, each finished, one ticket per 'ticket' row.
    const waitFor = async (what: string, fn: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 40_000; Date.now() < deadline; ) {
        if (await fn()) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      const stuck = await sql`select platform, status, kind, target, attempts, next_attempt_at, last_error from outbox where platform = 'wecom' and status in ('pending', 'sending') limit 5`.execute(h.db);
      throw new Error(`${what} in time; stuck posts: ${JSON.stringify(stuck.rows)}; survivor log: ${b!.stderr.join('').slice(-1500)}`);
    };
    await waitFor('backlog not cleared', async () => Number((await sql<{ n: string }>`select count(*)::text as n from inbound_messages where outcome in ('pending', 'processing')`.execute(h.db)).rows[0]!.n) === 0);
    const inbound = await h.db.selectFrom('inbound_messages').select(['message_id', 'outcome', 'ticket_id']).where('message_id', 'like', 'kill-%').execute();
    expect(inbound).toHaveLength(MESSAGES);
    expect(new Set(inbound.map((r) => r.message_id)).size).toBe(MESSAGES);
    expect(inbound.filter((r) => r.outcome !== 'ticket' && r.outcome !== 'attached')).toEqual([]);
    const ticketRows = inbound.filter((r) => r.outcome === 'ticket');
    expect(new Set(ticketRows.map((r) => r.ticket_id)).size).toBe(ticketRows.length);
    const tickets = await h.db.selectFrom('tickets').select(['id', 'content']).where('origin_chat_id', 'like', 'wr-kill-%').execute();
    expect(tickets).toHaveLength(ticketRows.length);
    expect(new Set(tickets.map((t) => t.content)).size).toBe(tickets.length);

    // No post lost: every reply is sent and reached its response_url; a post sent twice is one the
    // dead instance had leased (the outbox's documented at-least-once window), never more than its batch.
    await waitFor('outbox not drained', async () => Number((await sql<{ n: string }>`select count(*)::text as n from outbox where platform = 'wecom' and status in ('pending', 'sending')`.execute(h.db)).rows[0]!.n) === 0);
    // Coalesced posts went out folded into a summary post. The load's chats have no message-push key configured, so whatever must go through the group
    // channel there is a dead letter by configuration (it says so); nothing else is left unsent.
    const unsent = await sql<{ status: string; last_error: string | null }>`select status, last_error from outbox where platform = 'wecom' and status not in ('sent', 'coalesced')`.execute(h.db);
    expect(unsent.rows.filter((r) => !/no message-push webhook key for WeCom group wr-kill-/.test(r.last_error ?? ''))).toEqual([]);
    const replyCodes = new Map<string, number>();
    for (const r of sink.requests) if (r.path === '/cgi-bin/aibot/response') replyCodes.set(r.query.response_code!, (replyCodes.get(r.query.response_code!) ?? 0) + 1);
    const missing = Array.from({ length: MESSAGES }, (_, i) => i).filter((i) => !replyCodes.has(String(i)));
    const missingPosts = missing.length ? (await sql`select status, destination, last_error, target from outbox where target::text like ${`%response_code=${missing[0]}"%`}`.execute(h.db)).rows : [];
    expect(missing, JSON.stringify(missingPosts)).toEqual([]);
    const duplicates = [...replyCodes.values()].filter((n) => n > 1).length;
    expect(duplicates).toBeLessThanOrEqual(50);

    // Scheduled work issued once across both instances: one daily digest and one weekly summary for
    // the WeCom group, and each 三单一函 document posted once to the group.
    await waitFor('digests not posted', async () => (await h.db.selectFrom('scheduled_runs').select('key').where('key', 'like', 'digest:daily:county-wecom:%').execute()).length === 1);
    const groupPosts = await h.db.selectFrom('outbox').select(['kind', 'payload', 'status']).where('group_id', '=', 'county-wecom').where('target', '@>', JSON.stringify({ kind: 'group' }) as never).execute();
    const digests = groupPosts.filter((p) => p.kind === 'digest');
    expect(digests.map((d) => JSON.stringify(d.payload)).filter((t) => t.includes('周总结'))).toHaveLength(1);
    expect(digests).toHaveLength(2);
    const documents = await h.db.selectFrom('escalation_documents').innerJoin('tickets', 'tickets.id', 'escalation_documents.ticket_id').select(['escalation_documents.number', 'tickets.number as ticket']).where('tickets.group_id', '=', 'county-wecom').execute();
    expect(new Set(documents.map((d) => d.ticket)).size).toBe(3);
    // Each document reaches the group once: in its own post, or folded into a summary post when the
    // group's per-minute limit was reached (the folded row is then 'coalesced', not sent itself).
    for (const d of documents) {
      const sent = groupPosts.filter((p) => p.status !== 'coalesced' && JSON.stringify(p.payload).includes(d.number));
      expect(sent.map((p) => `${p.kind}/${p.status}`), d.number).toHaveLength(1);
    }
    console.log(`two instances: ${MESSAGES} messages, A killed after ${KILL_AFTER} acknowledged; ${retries} redeliveries; recovery ${recoveryMs} ms real (${(recoveryMs * SPEED) / 1000} s of instance clock); long connection on the survivor ${takeoverMs} ms after the kill; ${duplicates} replies sent twice; ${documents.length} documents`);
  });
});
