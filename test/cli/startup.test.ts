import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// Staff run the CLI on phones over SSH, a new process per command: what a command loads is its
// start-up cost (BENCHMARKS.md "CLI start-up"). A loader hook lists every module the process
// loads; the figures stay in the benchmark, the test holds what each command must not load.
const dir = mkdtempSync(join(tmpdir(), 'gongzhi-cli-start-'));
const hook = join(dir, 'hook.mjs');
writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(process.env.GZ_LOADED, url + '\\n'); return next(url, ctx); }\n`);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);

const root = `${pathToFileURL(process.cwd()).href}/`;
let runs = 0;
const loadedBy = (args: string[]) =>
  new Promise<{ status: number | null; packages: Set<string>; sources: string[] }>((resolve, reject) => {
    const list = join(dir, `loaded-${++runs}.txt`);
    writeFileSync(list, '');
    const child = spawn(process.execPath, ['--import', register, '--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, GZ_LOADED: list, DATABASE_URL: '', DATA_DIR: join(dir, 'data'), GONGZHI_CONFIG: '', NODE_ENV: 'development' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const urls = readFileSync(list, 'utf8').split('\n').filter(Boolean);
      const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []));
      resolve({ status, packages, sources: urls.filter((u) => u.startsWith(root) && !u.includes('/node_modules/')).map((u) => u.slice(root.length)) });
    });
  });

describe('CLI start-up', () => {
  it('a command loads neither the HTTP app nor the console charts, and only a database command the database', async () => {
    const check = await loadedBy(['config', 'check', 'config/example-city.yaml']);
    expect(check.status).toBe(0);
    for (const p of ['echarts', 'hono', '@electric-sql/pglite', 'exceljs']) expect(check.packages).not.toContain(p);
    expect(check.sources.filter((s) => s.startsWith('src/http/') || s.startsWith('src/console/') || s === 'src/bootstrap.ts')).toEqual([]);

    expect((await loadedBy(['migrate'])).status).toBe(0);
    const dead = await loadedBy(['outbox', 'dead']);
    expect(dead.status).toBe(0);
    expect(dead.packages).toContain('@electric-sql/pglite');
    for (const p of ['echarts', 'hono', 'exceljs']) expect(dead.packages).not.toContain(p);
    // The classifier's model and the migrations are for the commands that use them.
    expect(dead.sources.filter((s) => s.startsWith('src/domain/classifier/') || s.startsWith('src/http/'))).toEqual([]);
    expect(dead.sources.filter((s) => s.startsWith('migrations/'))).toEqual([]);
    expect(dead.sources).toContain('src/repo/outbox.ts');
  }, 120_000);
});
