import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';

/** The outcome of a form post, shown once on the page it redirects to (post/redirect/get). */
export interface Flash {
  ok: boolean;
  messages: string[];
}

const flashSchema = z.object({ ok: z.boolean(), messages: z.array(z.string()) });

export function writeFlash(c: Context, name: string, path: string, flash: Flash): void {
  // A cookie holds about 4 KB: long notices are shortened here; the page's timeline has them in full.
  const shown = { ok: flash.ok, messages: flash.messages.slice(0, 4).map((m) => (m.length > 300 ? `${m.slice(0, 300)}…` : m)) };
  setCookie(c, name, JSON.stringify(shown), { path, httpOnly: true, sameSite: 'Lax', maxAge: 60 });
}

export function readFlash(c: Context, name: string, path: string): Flash | null {
  const raw = getCookie(c, name);
  if (!raw) return null;
  deleteCookie(c, name, { path });
  try {
    const parsed = flashSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
