import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is a whole PostgreSQL inside one process: two processes on one data directory each keep
 * their own copy in memory and the last to close overwrites the other's writes (a password set by
 * the CLI while the server runs is silently lost). So every process that opens the embedded
 * database holds this lock file first; a lock whose process is gone (a crash, kill -9) is taken over.
 */
export interface LockHolder {
  pid: number;
  role: 'server' | 'cli';
  startedAt: string;
  /** The server's HTTP port and host, so the CLI can hand its writes to it. */
  port?: number;
  host?: string;
  /** A random secret for the server's CLI bridge; the lock file is readable by its owner only. */
  token?: string;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
  ) {
    super(
      holder.role === 'server'
        ? `数据目录已被正在运行的 gongzhi 服务使用（进程 ${holder.pid}${holder.port ? `，端口 ${holder.port}` : ''}，锁文件 ${file}）：内嵌数据库同一时间只能由一个进程打开。` +
            `先停止它（kill ${holder.pid}，或 systemctl stop gongzhi / docker stop），或改用 PostgreSQL（DATABASE_URL）运行多个进程。`
        : `数据目录正被命令行（进程 ${holder.pid}，锁文件 ${file}）使用：等它结束后再启动。`,
    );
  }
}

export const lockFile = (dataDir: string) => join(dataDir, 'gongzhi.lock');

/** Alive = the pid exists and is a node process (after a reboot the pid may belong to something else). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|tsx/.test(cmd);
  } catch {
    return true; // no /proc (macOS): the signal check is all there is
  }
}

function parse(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return typeof v.pid === 'number' ? (v as LockHolder) : null;
  } catch {
    return null;
  }
}

function read(file: string): LockHolder | null {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The live holder of the data directory, or null (no lock, or a stale one). */
export function liveHolder(dataDir: string): LockHolder | null {
  const h = read(lockFile(dataDir));
  return h && h.pid !== process.pid && isAlive(h.pid) ? h : null;
}

export interface DataDirLock {
  file: string;
  holder: LockHolder;
  release(): void;
}

export function acquireDataDirLock(dataDir: string, info: Omit<LockHolder, 'pid' | 'startedAt' | 'token'> & { startedAt?: Date }): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    role: info.role,
    startedAt: (info.startedAt ?? new Date()).toISOString(),
    ...(info.port !== undefined ? { port: info.port } : {}),
    ...(info.host !== undefined ? { host: info.host } : {}),
    ...(info.role === 'server' ? { token: randomBytes(32).toString('base64url') } : {}),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // Only our own lock: a takeover after we were presumed dead must not be undone.
        if (read(file)?.pid === process.pid) {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        }
      };
      return { file, holder, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const existing = read(file);
    if (existing && existing.pid !== process.pid && isAlive(existing.pid)) throw new DataDirBusyError(existing, file);
    // Stale (or half-written by a process that died): move it aside atomically, so of two
    // processes taking over at once only one removes it, then check we moved what we judged.
    const aside = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      continue; // someone else took it over first: look again
    }
    const moved = read(aside);
    if (moved && moved.pid !== existing?.pid && isAlive(moved.pid)) {
      renameSync(aside, file);
      throw new DataDirBusyError(moved, file);
    }
    try {
      unlinkSync(aside);
    } catch {
      /* gone */
    }
  }
  const h = read(file);
  if (h) throw new DataDirBusyError(h, file);
  throw new Error(`无法获得数据目录锁 ${file}`);
}
