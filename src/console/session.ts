import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { StaffMember } from '../repo/directory';
import { sessionStillValid } from '../repo/console-accounts';
import type { Services } from '../services';

export type ConsoleEnv = { Variables: { user: StaffMember; overTls: boolean } };

const COOKIE = 'gz_console';
/** A working day and then some: staff sign in once in the morning. */
export const SESSION_MS = 12 * 60 * 60 * 1000;

const cookieOptions = (c: Context) => ({
  path: '/console',
  httpOnly: true,
  sameSite: 'Lax' as const,
  // Set by the console for every request (cameOverTls): behind a TLS proxy the URL here is http.
  secure: (c as Context<ConsoleEnv>).get('overTls') === true || new URL(c.req.url).protocol === 'https:',
});

/** The cookie holds "staff id|issued at", signed with HMAC-SHA-256; nothing secret is in it. */
export async function startSession(c: Context, secret: string, staffId: string, now: Date): Promise<void> {
  await setSignedCookie(c, COOKIE, `${staffId}|${now.getTime()}`, secret, { ...cookieOptions(c), maxAge: SESSION_MS / 1000 });
}

const DEVICE_COOKIE = 'gz_device';
const DEVICE_MS = 180 * 86_400_000;

/**
 * A browser that signed in to this account before (a signed "device cookie"): during an
 * account's back-off it may still try its password, so guessing from many addresses cannot
 * lock the real user out, while the guesser's fresh browsers wait.
 */
export async function rememberDevice(c: Context, secret: string, staffId: string, now: Date): Promise<void> {
  await setSignedCookie(c, DEVICE_COOKIE, `${staffId}|${now.getTime()}`, secret, { ...cookieOptions(c), maxAge: DEVICE_MS / 1000 });
}

export async function isKnownDevice(c: Context, secret: string, staffId: string, now: Date): Promise<boolean> {
  const v = await getSignedCookie(c, secret, DEVICE_COOKIE);
  if (typeof v !== 'string') return false;
  const [id, at] = v.split('|');
  return id === staffId && now.getTime() - Number(at) < DEVICE_MS;
}

export function endSession(c: Context): void {
  deleteCookie(c, COOKIE, cookieOptions(c));
}

/** Signed-in staff only; anyone else is sent to the sign-in page (and back afterwards). */
export function requireSession(services: Services, secret: string): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const value = await getSignedCookie(c, secret, COOKIE);
    const [staffId, issued] = typeof value === 'string' ? value.split('|') : [];
    const issuedAt = new Date(Number(issued));
    const now = services.now();
    const fresh = staffId && !Number.isNaN(issuedAt.getTime()) && now.getTime() - issuedAt.getTime() < SESSION_MS;
    const user = fresh ? services.directory.staffById(staffId) : null;
    if (!user || !(await sessionStillValid(services.db, user.id, issuedAt))) {
      if (value !== undefined) endSession(c);
      const back = new URL(c.req.url);
      return c.redirect(`/console/login?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
    }
    c.set('user', user);
    await next();
  };
}
