// In-process PGlite: sequential reports through receive(), with and without the webhook trigger.
import { sql } from 'kysely';
import { openDatabase } from '../src/db/open';
import { migrateToLatest } from '../src/db/database';
import { createServices } from '../src/services';
import { loadConfigFile } from '../src/config/load';
import { syncDirectory } from '../src/repo/directory';
import { createJsonLogger } from '../src/logger';
const h = await openDatabase({ dataDir: 'memory://' });
await migrateToLatest(h.db);
const config = await loadConfigFile('config/example.yaml');
await syncDirectory(h.db, config, new Date());
const s = createServices({ db: h.db, config, logger: createJsonLogger(() => undefined, 'error'), adapters: {} });
const TEXTS = ['我们厂新建的厂房申请用电报装一个月了还没接通', '园区路灯坏了半年了没人修', '我们的投标保证金半年了还没退'];
let n = 0;
const msg = () => ({ platform: 'wecom' as const, messageId: `m${n}`, chatType: 'group' as const, chatId: `wr-${n % 200}`, sender: { userId: `ent-${n++ % 5000}` }, text: `${TEXTS[n % 3]}（${n}）`, receivedAt: new Date() });
async function run(label: string) {
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) await s.pipeline.receive(msg());
  console.log(label, ((performance.now() - t0) / 300).toFixed(2), 'ms/msg');
}
await run('warm-up');
await run('with trigger');
await sql`alter table ticket_events disable trigger ticket_events_webhooks`.execute(h.db);
await run('without trigger');
await h.close();
