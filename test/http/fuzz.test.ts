import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { dingtalkSign } from '../../adapters/dingtalk/sign';
import { TEST_DATABASES } from '../helpers/databases';
import { platformConfig } from '../helpers/platform-config';
import { createTestRuntime } from '../helpers/runtime';
import { serveApp } from '../helpers/serve';
import { signedCallback, WECOM_APP, WECOM_BOT, wecomRawEnv } from '../fakes/wecom-callbacks';
import { rng } from '../helpers/rng';


const DT_SECRET = 'dt-fuzz-secret';

describe('fuzzed inbound bodies', () => {
  let rt: Runtime;
  let http: Awaited<ReturnType<typeof serveApp>>;
  const agent = new Agent({ pipelining: 0 });

  beforeAll(async () => {
    rt = await createTestRuntime(await TEST_DATABASES[0]!.open(), {
      config: await platformConfig(['wecom', 'dingtalk']),
      rawEnv: {
        ...wecomRawEnv('http://127.0.0.1:9'),
        DINGTALK_CLIENT_ID: 'ding-fuzz',
        DINGTALK_CLIENT_SECRET: DT_SECRET,
        DINGTALK_API_BASE: 'http://127.0.0.1:9',
        DINGTALK_OAPI_BASE: 'http://127.0.0.1:9',
      },
    });
    http = await serveApp(rt.app);
  });
  afterAll(async () => {
    await http?.close();
    await rt?.close();
    await agent.close();
  });

  const r = rng(20261123);
  const pick = <T,>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const validRobot = JSON.stringify({ msgId: 'm', msgtype: 'text', conversationId: 'cid-county==', conversationType: '2', senderStaffId: 'u', text: { content: 'hi' } });
  const bodies: Array<() => string | Buffer> = [
    () => randomBytes(Math.floor(r() * 2000)),
    () => validRobot.slice(0, Math.floor(r() * validRobot.length)),
    () => '['.repeat(50_000) + ']'.repeat(50_000),
    () => '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
    () => JSON.stringify({ encrypt: 'not/base64!!' + 'x'.repeat(Math.floor(r() * 100)) }),
    () => JSON.stringify({ encrypt: randomBytes(64).toString('base64') }),
    () => `<xml><Encrypt><![CDATA[${randomBytes(48).toString('base64')}]]></Encrypt></xml>`,
    () => `<xml><Encrypt>${'<'.repeat(1000)}`,
    () => JSON.stringify({ msgId: 1, msgtype: ['x'], conversationId: null }),
    () => JSON.stringify({ ...JSON.parse(validRobot), text: { content: 'x'.repeat(30_000) } }),
    () => '',
    () => 'null',
    () => '"\\ud800"',
  ];
  const paths = ['/webhooks/wecom', '/webhooks/wecom-app', '/webhooks/dingtalk', '/playground/api/messages'];
  const contentTypes = ['application/json', 'text/xml', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'];

  it('never answers 5xx or crashes, across 300 malformed requests', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const path = pick(paths);
      const body = pick(bodies)();
      const ts = String(Date.now());
      const headers: Record<string, string> = { 'content-type': pick(contentTypes) };
      let query = '';
      if (path === '/webhooks/dingtalk' && r() < 0.8) Object.assign(headers, { timestamp: ts, sign: dingtalkSign(DT_SECRET, ts) });
      if (path.startsWith('/webhooks/wecom') && r() < 0.5) {
        // Validly signed for whatever "encrypt" the body claims, so the decryptor sees the garbage.
        const enc = (() => {
          try {
            return String((JSON.parse(String(body)) as { encrypt?: unknown }).encrypt ?? 'x');
          } catch {
            return 'x';
          }
        })();
        query = `?${signedCallback({ token: path === '/webhooks/wecom' ? WECOM_BOT.token : WECOM_APP.token, aesKey: WECOM_BOT.aesKey, receiveId: '', plaintext: 'x' }).query.replace(/msg_signature=[^&]+/, `msg_signature=${(await import('@wecom/crypto')).getSignature(path === '/webhooks/wecom' ? WECOM_BOT.token : WECOM_APP.token, ts, 'n', enc)}`).replace(/timestamp=[^&]+/, `timestamp=${ts}`).replace(/nonce=[^&]+/, 'nonce=n')}`;
      }
      const res = await fetch(`${http.base}${path}${query}`, { method: 'POST', headers, body, dispatcher: agent } as RequestInit);
      await res.arrayBuffer();
      if (res.status >= 500) failures.push(`#${i} ${path} → ${res.status}`);
    }
    const errors = (rt as unknown as { logger: { lines: Array<{ event: string; error?: string }> } }).logger.lines.filter((l) => l.event === 'http.error');
    expect(failures, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    expect((await fetch(`${http.base}/healthz`)).status).toBe(200);
  }, 120_000);

  it('answers 413 to a 10 MB body, on every endpoint', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    for (const path of paths) {
      const res = await fetch(`${http.base}${path}`, { method: 'POST', body: big, dispatcher: new Agent({ pipelining: 0 }) } as RequestInit);
      expect(res.status, path).toBe(413);
    }
  }, 60_000);
});
