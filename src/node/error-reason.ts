/**
 * Why a connection attempt or a socket failed, for the log: the message and whatever the error
 * carries besides (a system code such as ECONNREFUSED, an HTTP status and the platform's own
 * error code and message from the answer). Never the request itself: it holds the credentials.
 */
export function errorReason(e: unknown): { error: string; code?: string | number; status?: number; detail?: string } {
  if (!(e instanceof Error)) return { error: typeof e === 'string' ? e.slice(0, 200) : JSON.stringify(e)?.slice(0, 200) ?? String(e) };
  const x = e as Error & { code?: unknown; errno?: unknown; cause?: unknown; response?: { status?: unknown; data?: unknown } };
  const out: { error: string; code?: string | number; status?: number; detail?: string } = { error: (e.message || e.name).slice(0, 200) };
  const code = x.code ?? (x.cause instanceof Error ? (x.cause as Error & { code?: unknown }).code : undefined);
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof x.response?.status === 'number') out.status = x.response.status;
  const data = x.response?.data;
  if (data && typeof data === 'object') {
    // DingTalk answers {code, message}; WeCom {errcode, errmsg}.
    const d = data as Record<string, unknown>;
    const said = [d.code ?? d.errcode, d.message ?? d.errmsg].filter((v) => typeof v === 'string' || typeof v === 'number').join(' ');
    if (said) out.detail = said.slice(0, 200);
  } else if (typeof data === 'string' && data) out.detail = data.slice(0, 200);
  if (!out.code && x.cause instanceof Error && x.cause.message && x.cause.message !== e.message) out.detail ??= x.cause.message.slice(0, 200);
  return out;
}
