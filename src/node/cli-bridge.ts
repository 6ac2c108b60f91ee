import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { cliWriteSchema, runCliWrite } from '../cli/writes';
import type { Services } from '../services';

export const CLI_BRIDGE_PATH = '/internal/cli';

/**
 * The running server performs the CLI's writes on the embedded database (which only one process
 * may hold). Authenticated by the random token in the data directory's lock file: whoever can read
 * that file could open the database directly anyway.
 */
export function createCliBridge(services: Services, token: string): Hono {
  const app = new Hono();
  const expected = Buffer.from(`Bearer ${token}`);
  app.post(`${CLI_BRIDGE_PATH}/write`, async (c) => {
    const given = Buffer.from(c.req.header('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.json({ error: 'unauthorized' }, 401);
    const body = cliWriteSchema.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: 'invalid_request', issues: body.error.issues.map((i) => i.message) }, 400);
    services.logger.info('cli.bridge', { op: body.data.op });
    return c.json(await runCliWrite(services, body.data));
  });
  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  return app;
}

/** What @hono/node-server passes a fetch handler beside the request. */
export interface NodeBindings {
  incoming: IncomingMessage;
}

/**
 * The CLI runs on this machine: the bridge answers only a loopback peer that no proxy spoke for
 * (nginx on the same host also connects from 127.0.0.1, but adds forwarding headers). Anyone else
 * gets the public app, where the path does not exist.
 */
export function isLocalCaller(remoteAddress: string | undefined, headers: Headers): boolean {
  if (!remoteAddress) return false;
  const loopback = remoteAddress === '::1' || /^(?:::ffff:)?127\./.test(remoteAddress);
  return loopback && !headers.has('x-forwarded-for') && !headers.has('forwarded') && !headers.has('x-real-ip');
}

/** Where the CLI reaches a server that listens on `host` (a wildcard address is reached on loopback). */
export function bridgeUrl(host: string | undefined, port: number): string {
  const h = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}${CLI_BRIDGE_PATH}/write`;
}
