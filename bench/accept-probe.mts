// In-process: 2,000 concurrent messages accepted and processed the way the webhook does it; errors printed.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/database';
import { createServices } from '../src/services';
import { loadConfigFile } from '../src/config/load';
import { syncDirectory } from '../src/repo/directory';
import { createJsonLogger } from '../src/logger';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect(); await admin.query('drop database if exists gz_probe with (force)'); await admin.query('create database gz_probe'); await admin.end();
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/gz_probe', max: 12 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
await migrateToLatest(db);
const config = await loadConfigFile('config/example.yaml');
await syncDirectory(db, config, new Date());
const s = createServices({ db, config, logger: createJsonLogger((l) => process.stderr.write(l + '\n'), 'error'), adapters: {}, concurrency: 8 });
const TEXTS = ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区路灯坏了半年了没人修', '我们的投标保证金半年了还没退'];
const msg = (i: number) => ({ platform: 'wecom' as const, messageId: `m${i}`, chatType: 'group' as const, chatId: `wr-bench-${i % 200}`, sender: { userId: `ent-${i % 5000}` }, text: `${TEXTS[i % 3]}（${i}）`, receivedAt: new Date() });
const errors = new Map<string, number>();
const t0 = performance.now();
await Promise.all(Array.from({ length: 2000 }, async (_, i) => {
  const a = await s.pipeline.accept(msg(i));
  if (a.status === 'accepted') await s.pipeline.process(a.inboundId, a.message).catch((e) => errors.set((e as Error).message, (errors.get((e as Error).message) ?? 0) + 1));
}));
console.log(`${(2000 / (performance.now() - t0) * 1000).toFixed(0)} msg/s`, [...errors]);
await db.destroy();
