import { describe, expect, it } from 'vitest';
import { isLocalCaller } from '../../src/node/cli-bridge';

describe('the CLI bridge answers only this machine', () => {
  const none = new Headers();
  it('accepts a loopback peer the CLI connects from', () => {
    expect(isLocalCaller('127.0.0.1', none)).toBe(true);
    expect(isLocalCaller('::1', none)).toBe(true);
    expect(isLocalCaller('::ffff:127.0.0.1', none)).toBe(true);
  });
  it('refuses other peers, and a local proxy speaking for someone else', () => {
    expect(isLocalCaller('10.0.0.8', none)).toBe(false);
    expect(isLocalCaller('203.0.113.9', none)).toBe(false);
    expect(isLocalCaller(undefined, none)).toBe(false);
    expect(isLocalCaller('127.0.0.1', new Headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
    expect(isLocalCaller('127.0.0.1', new Headers({ forwarded: 'for=203.0.113.9' }))).toBe(false);
    expect(isLocalCaller('127.0.0.1', new Headers({ 'x-real-ip': '203.0.113.9' }))).toBe(false);
  });
});
