// Sequential requests, one at a time, in-process: the fixed cost of one callback with no load.
import { serve } from '@hono/node-server';
import { encrypt, getSignature } from '@wecom/crypto';
import { startRuntime } from '../src/bootstrap';
import { parseEnv } from '../src/config/env';
import { createJsonLogger } from '../src/logger';

const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const env = parseEnv({ ...process.env, NODE_ENV: 'production', GONGZHI_PLAYGROUND: '0', GONGZHI_CONFIG: 'config/example.yaml' });
const rt = await startRuntime({ env, logger: createJsonLogger(() => undefined, 'error'), rawEnv: { WECOM_BOT_TOKEN: 't', WECOM_BOT_AES_KEY: AES, WECOM_API_BASE: 'http://127.0.0.1:9' } });
const server = serve({ fetch: rt.app.fetch, port: 18795, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const times: number[] = [];
for (let i = 0; i < Number(process.env.PROBE_N ?? 80); i++) {
  const enc = encrypt(AES, JSON.stringify({ msgid: `lp-${Date.now()}-${i}`, chattype: 'group', chatid: `wr-${i}`, from: { userid: `u${i}` }, msgtype: 'text', text: { content: `园区路灯坏了半年了没人修 ${i}` } }), '');
  const ts = '1700000000', nonce = String(i);
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:18795/webhooks/wecom?msg_signature=${getSignature('t', ts, nonce, enc)}&timestamp=${ts}&nonce=${nonce}`, { method: 'POST', body: JSON.stringify({ encrypt: enc }) });
  await res.text();
  if (i >= 20) times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${rt.database.kind}: p50 ${times[30]!.toFixed(1)} ms  p90 ${times[54]!.toFixed(1)} ms  max ${times.at(-1)!.toFixed(1)} ms`);
server.close();
await rt.close();
process.exit(0);
