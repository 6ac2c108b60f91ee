import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The body exactly as received (for signature checks). */
  raw: string;
  at: number;
}

export type Handler = (
  req: Recorded,
) => { status?: number; json?: unknown; text?: string; bytes?: Uint8Array; contentType?: string; destroy?: boolean; delayMs?: number } | undefined;

/** A real HTTP server on 127.0.0.1 that records every request and answers through handlers. */
export async function startFakeServer(handle: Handler) {
  const requests: Recorded[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      // keep the raw text
    }
    const rec: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, raw, at: Date.now() };
    requests.push(rec);
    const out = handle(rec) ?? { status: 404, json: { errcode: 404, errmsg: 'no such fake route' } };
    if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
    if (out.destroy) {
      req.socket.destroy();
      return;
    }
    res.statusCode = out.status ?? 200;
    if (out.bytes !== undefined) {
      res.setHeader('content-type', out.contentType ?? 'application/octet-stream');
      res.setHeader('content-length', out.bytes.length);
      res.end(Buffer.from(out.bytes));
    } else if (out.text !== undefined) {
      res.setHeader('content-type', 'text/plain');
      res.end(out.text);
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out.json ?? {}));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    server,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
