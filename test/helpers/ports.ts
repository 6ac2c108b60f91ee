import { createServer, type AddressInfo } from 'node:net';

/**
 * A port nothing listens on right now, for a child process that must be told its port: a fixed
 * one collides with whatever else the machine runs (a playground, another suite's server).
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
