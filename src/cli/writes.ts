import { z } from 'zod';
import { createApiToken, revokeApiToken, revokeStaffTokens } from '../repo/api-tokens';
import { disableConsoleAccount, setConsolePassword } from '../repo/console-accounts';
import { requeue } from '../repo/outbox';
import { runSweep } from '../jobs/sweep';
import type { Services } from '../services';
import { exportDirectory, importDirectory, syncDirectoryFromPlatform } from './config-commands';
import { deadLetterLines } from './dead-letters';

/**
 * The CLI commands that write. Each runs either in the CLI's own process (PostgreSQL, or no
 * server on the embedded database) or inside the running server through its CLI bridge, with the
 * same code: a write is never made in a second copy of the embedded database and then lost.
 */
export const cliWriteSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('account.create'), staffId: z.string().min(1), password: z.string().min(1) }),
  z.object({ op: z.literal('account.disable'), staffId: z.string().min(1) }),
  z.object({ op: z.literal('token.create'), staffId: z.string().min(1), name: z.string().min(1).max(100), days: z.number() }),
  z.object({ op: z.literal('token.revoke'), token: z.string().min(1) }),
  z.object({ op: z.literal('token.revokeStaff'), staffId: z.string().min(1) }),
  z.object({ op: z.literal('outbox.resend'), id: z.number().int().positive() }),
  // A read, but one the running server must make when it holds the embedded database (outbox dead).
  z.object({ op: z.literal('outbox.dead') }),
  z.object({ op: z.literal('sweep') }),
  // The directory (src/cli/config-commands.ts): the file is read by the CLI, the revision written where the database is.
  z.object({ op: z.literal('directory.import'), directory: z.record(z.string(), z.unknown()), apply: z.boolean(), author: z.string().min(1).max(100), note: z.string().max(500) }),
  z.object({ op: z.literal('directory.export') }),
  z.object({ op: z.literal('directory.sync'), platform: z.enum(['wecom', 'dingtalk']), apply: z.boolean(), author: z.string().min(1).max(100) }),
]);
export type CliWrite = z.infer<typeof cliWriteSchema>;

/** What the command prints: stdout lines, stderr lines, exit code. */
export interface CliResult {
  out: string[];
  err: string[];
  code: number;
}

const ok = (...out: string[]): CliResult => ({ out, err: [], code: 0 });
const fail = (...err: string[]): CliResult => ({ out: [], err, code: 1 });

export async function runCliWrite(s: Services, w: CliWrite): Promise<CliResult> {
  switch (w.op) {
    case 'account.create':
      if (!s.directory.staffById(w.staffId)) return fail(`gongzhi: 配置里没有工作人员 ${w.staffId}`);
      await setConsolePassword(s.db, w.staffId, w.password, s.now());
      return ok();
    case 'account.disable': {
      const done = await disableConsoleAccount(s.db, w.staffId, s.now());
      return done ? ok(`已停用 ${w.staffId} 的控制台账号`) : { out: [`${w.staffId} 没有控制台账号`], err: [], code: 1 };
    }
    case 'token.create': {
      if (!s.directory.staffById(w.staffId)) return fail(`gongzhi: 配置里没有工作人员 ${w.staffId}`);
      try {
        return ok(await createApiToken(s.db, w.staffId, w.name, s.now(), { days: w.days }));
      } catch (e) {
        if (e instanceof RangeError) return fail(`gongzhi: ${e.message}`);
        throw e;
      }
    }
    case 'token.revoke': {
      const done = await revokeApiToken(s.db, w.token, s.now());
      return { out: [done ? '已吊销该令牌' : '没有这个有效令牌（未知或已吊销）'], err: [], code: done ? 0 : 1 };
    }
    case 'token.revokeStaff':
      return ok(`已吊销 ${w.staffId} 的 ${await revokeStaffTokens(s.db, w.staffId, s.now())} 个令牌`);
    case 'outbox.resend': {
      const done = await requeue(s.db, w.id, s.now());
      return { out: [done ? `已重新排队：${w.id}` : `没有编号为 ${w.id} 的死信`], err: [], code: done ? 0 : 1 };
    }
    case 'directory.import':
      return importDirectory(s, w);
    case 'directory.export':
      return exportDirectory(s, s.now());
    case 'directory.sync':
      return syncDirectoryFromPlatform(s, w);
    case 'outbox.dead':
      return ok(...(await deadLetterLines(s.db)));
    case 'sweep': {
      const r = await runSweep(s);
      return ok(
        ...r.issued.map((d) => `${d.ticketNumber}\t${d.step}\t${d.document}`),
        ...r.closedNoAnswer.map((n) => `${n}\tclosed (no rating)`),
        `已签发 ${r.issued.length} 份文书，归档未评价 ${r.closedNoAnswer.length} 件`,
      );
    }
  }
}
