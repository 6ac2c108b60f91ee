import { createServer } from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Resolves null when the port can be bound, or the listen error's code (EADDRINUSE, EACCES…). */
export function probePort(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'ERROR'));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

/**
 * Which process listens on a TCP port, from /proc (Linux; only processes this user may see).
 * Best effort: null when it cannot tell.
 */
export function portOwner(port: number): { pid: number; command: string } | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket inode.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return { pid: Number(pid), command };
        }
      } catch {
        /* the process went away meanwhile */
      }
    }
  }
  return null;
}

/** The message for a port that cannot be bound: which process to stop, or which setting to change. */
export function portProblem(port: number, host: string, code: string, known?: { pid: number } | null): string {
  if (code === 'EACCES') return `无法监听端口 ${port}：端口号小于 1024 需要特权。请改用 PORT=8787 等更大的端口，由 nginx 转发 80/443。`;
  if (code !== 'EADDRINUSE') return `无法监听 ${host}:${port}（${code}）。`;
  const owner = known ?? portOwner(port);
  const who = owner ? `进程 ${owner.pid}${'command' in owner && owner.command ? `（${String(owner.command).slice(0, 120)}）` : ''}` : '另一个进程';
  const stop = owner ? `先停止它（kill ${owner.pid}，或 systemctl stop gongzhi / docker stop），` : `用 ss -ltnp 'sport = :${port}' 查看是谁，先停止它，`;
  return `端口 ${port} 已被${who}占用（port ${port} is in use${owner ? ` by pid ${owner.pid}` : ''}）。${stop}或用 PORT=${port + 1} npm start 换一个端口。`;
}
