import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { eventually } from '../helpers/serve';

// Real processes, as an operator runs them: `npm start`, the CLI, `kill -TERM`.
const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-proc-'));
const baseEnv = { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, GONGZHI_CONFIG: '', NODE_ENV: 'development', LOG_LEVEL: 'info', HOST: '127.0.0.1' };

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(cmd: string, args: string[], env: Record<string, string | undefined>, input?: string): Proc {
  const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stdin!.end(input ?? '');
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, exited };
}

const npmStart = (port: number, extra: Record<string, string> = {}) => run('npm', ['start'], { ...baseEnv, PORT: String(port), ...extra });
const cli = async (args: string[], input?: string) => {
  const p = run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], baseEnv, input);
  const code = await p.exited;
  return { code, out: p.out() };
};

/** Every process descended from pid (read from /proc), so a test can see the whole tree is gone. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function up(base: string, p: Proc) {
  try {
    await eventually(async () => p.child.exitCode !== null || (await fetch(`${base}/healthz`).catch(() => null))?.ok, 200_000);
  } catch (e) {
    throw new Error(`server did not come up: ${p.out()}`);
  }
  if (p.child.exitCode !== null) throw new Error(`server exited ${p.child.exitCode}: ${p.out()}`);
}

async function signIn(base: string, staffId: string, password: string): Promise<number> {
  const res = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ staffId, password, next: '/console' }),
  });
  return res.status;
}

const started: Proc[] = [];
afterAll(() => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('npm start and the CLI on the embedded database', () => {
  it('CLI writes go through the running server, a second process is refused, and SIGTERM stops the whole tree cleanly', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = npmStart(port);
    started.push(server);
    await up(base, server);

    // A password set while the server runs is the server's own write: it works at once …
    const password = 'a long enough passphrase';
    const created = await cli(['account', 'create', 'wangmin', '--password-stdin'], `${password}\n`);
    expect(created.out).toContain('已设置 wangmin 的控制台密码');
    expect(created.code).toBe(0);
    expect(await signIn(base, 'wangmin', password)).toBe(303);
    const token = await cli(['token', 'create', 'wangmin']);
    expect(token.out.trim()).toMatch(/^gz_/);
    const api = await fetch(`${base}/api/v1/tickets`, { headers: { authorization: `Bearer ${token.out.trim()}` } });
    expect(api.status).toBe(200);

    // Dead letters are read by the server that holds the database (the operator's first look when posts fail).
    const dead = await cli(['outbox', 'dead']);
    expect(dead.code).toBe(0);
    expect(dead.out).toContain('没有死信');

    // … and a command that must open the database itself says what to do instead of opening a second copy.
    const report = await cli(['report', 'monthly', '--month', '2026-11']);
    expect(report.code).toBe(1);
    expect(report.out).toContain('gongzhi 服务正在运行');
    expect(report.out).toContain(`端口 ${port}`);
    expect(report.out).toContain('先停止服务');
    noStack(report.out);

    // A second `npm start` on the same port names the process to stop, before touching the database.
    const second = npmStart(port);
    expect(await second.exited).toBe(1);
    expect(second.out()).toMatch(new RegExp(`端口 ${port} 已被进程 \\d+`));
    expect(second.out()).not.toContain('db.migrated');
    noStack(second.out());
    // On another port, the data directory is still taken.
    const third = npmStart(await freePort());
    expect(await third.exited).toBe(1);
    expect(third.out()).toContain('数据目录已被正在运行的 gongzhi 服务使用');
    noStack(third.out());

    // What `docker stop` and systemd do: TERM to the process they started.
    const tree = [server.child.pid!, ...descendants(server.child.pid!)];
    expect(tree.length).toBeGreaterThanOrEqual(2); // npm and node at least
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await eventually(() => tree.every((p) => !alive(p)), 5000);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(server.out()).toContain('"server.stopped"');
    expect(server.out()).toContain('"database":"closed"');
    expect(existsSync(join(dataDir, 'gongzhi.lock'))).toBe(false);

    // Now the CLI opens the database itself, and sees what the server wrote.
    const direct = await cli(['token', 'revoke', '--staff', 'wangmin']);
    expect(direct.out).toContain('已吊销 wangmin 的 1 个令牌');
  }, 500_000);

  it('under systemd (stdout not a terminal) with no console account, the log says how to open the first one, without any link or token', async () => {
    const port = await freePort();
    const server = npmStart(port, { NODE_ENV: 'production', GONGZHI_CONFIG: 'config/example.yaml', GONGZHI_SESSION_SECRET: 'x'.repeat(40), DATA_DIR: mkdtempSync(join(tmpdir(), 'gongzhi-prod-')) });
    started.push(server);
    await up(`http://127.0.0.1:${port}`, server);
    await eventually(() => server.out().includes('"console.no_account"'), 60_000);
    const line = server.out().split('\n').find((l) => l.includes('"console.no_account"'))!;
    expect(JSON.parse(line)).toMatchObject({ staffId: 'zhaolei', hint: expect.stringContaining('npm run -s cli -- account create zhaolei') });
    expect(server.out()).not.toMatch(/setup\?token=|console\/setup/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 300_000);

  it('a lock left by a crashed process is taken over, and the data survives', async () => {
    // A pid that certainly ended: a process that has exited.
    const gone = run(process.execPath, ['-e', ''], baseEnv);
    await gone.exited;
    writeFileSync(join(dataDir, 'gongzhi.lock'), JSON.stringify({ pid: gone.child.pid, role: 'server', startedAt: '2026-11-23T00:00:00.000Z', port: 1 }));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = npmStart(port);
    started.push(server);
    await up(base, server);
    expect(await signIn(base, 'wangmin', 'a long enough passphrase')).toBe(303);
    expect(JSON.parse(readFileSync(join(dataDir, 'gongzhi.lock'), 'utf8')).port).toBe(port);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 400_000);
});
