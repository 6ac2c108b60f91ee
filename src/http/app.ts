import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { LocalAdapter } from '../../adapters/local/local-adapter';
import { migrationVersion, type DbKind } from '../db/database';
import type { Services } from '../services';
import { createApi } from './api';
import { createPlaygroundRoutes } from './playground';
import { createBoardRoutes } from '../board/routes';
import { createConsole, type ConsoleOptions } from '../console/routes';
import { createReportPage, type ReportPageOptions } from '../report-page/routes';
import { createSurveyPage } from '../report-page/survey';
import { FAVICON_PATH, FAVICON_SVG } from './favicon';

export interface AppDeps {
  services: Services;
  dbKind: DbKind;
  /** Present when the local playground is enabled. */
  playground?: LocalAdapter | null;
  /** Extra route groups (platform webhooks), mounted under /webhooks. */
  webhooks?: Hono;
  /** The web console at /console (absent: not served). */
  console?: ConsoleOptions | null;
  /** The public report page /r/<group> and ticket page /t/<token> (absent: not served). */
  reportPage?: ReportPageOptions | null;
}

/** Forms and API calls are small; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 256 * 1024;
/**
 * Platform callbacks are a few KB (WeCom caps a text at 2,048 bytes, encrypted and base64'd);
 * they are read before the signature is checked, so anyone can send one.
 */
export const MAX_CALLBACK_BYTES = 32 * 1024;

/**
 * Pages for people (the console, the report and ticket pages). frame-ancestors 'self': the
 * WeCom and DingTalk workbenches open an app's page in their own webview as the top document,
 * not inside a frame, so nothing needs to frame it, and a framing site could click for a
 * signed-in dispatcher. Same-origin referrers only: /t/ links carry a secret token, and
 * `no-referrer` would make browsers send `Origin: null`, which the CSRF check refuses.
 */
const BASE_CSP = ["default-src 'self'", "img-src 'self' data:", "style-src 'self' 'unsafe-inline'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'self'"];
const CONSOLE_CSP = [...BASE_CSP, "script-src 'none'"].join('; ');
// The report page's human check runs a small inline script.
const REPORT_CSP = [...BASE_CSP, "script-src 'self' 'unsafe-inline'"].join('; ');

function pageHeaders(csp: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('content-security-policy', csp);
    c.res.headers.set('x-content-type-options', 'nosniff');
    c.res.headers.set('referrer-policy', 'same-origin');
  };
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { services } = deps;

  app.onError((err, c) => {
    // Middleware refusals (CSRF origin check, …) carry their own 4xx.
    if (err instanceof HTTPException) return err.getResponse();
    services.logger.error('http.error', { path: c.req.path, error: err.message });
    return c.json({ error: 'internal_error' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found', path: c.req.path }, 404));

  app.get('/healthz', async (c) => {
    try {
      const version = await migrationVersion(services.db);
      // Work acknowledged but not yet done, and posts not yet sent: what monitoring should watch.
      const backlog = await services.db
        .selectFrom('inbound_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('outcome', '=', 'pending')
        .executeTakeFirstOrThrow();
      const outbox = await services.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'sending']).executeTakeFirstOrThrow();
      return c.json({ ok: true, database: deps.dbKind, migration: version, time: services.now().toISOString(), inboundBacklog: Number(backlog.n), outboxBacklog: Number(outbox.n) });
    } catch (e) {
      // The driver's message names hosts, ports and database names: for the log, not for whoever asks.
      services.logger.error('healthz.database_unavailable', { error: (e as Error).message });
      return c.json({ ok: false, database: deps.dbKind, error: 'database unavailable' }, 503);
    }
  });

  const favicon = (c: import('hono').Context) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  app.get(FAVICON_PATH, favicon);
  app.get('/favicon.ico', favicon);

  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => {
        // A platform whose real callback is refused retries and then gives up: the operator must see it.
        services.logger.warn('http.body_too_large', { path: c.req.path, limit: maxSize, hint: 'platform callbacks are small; a larger one is refused before verification — check what is posting here' });
        return c.json({ error: 'body_too_large', limit: maxSize }, 413);
      },
    });
  const limit = limitTo(MAX_BODY_BYTES);
  app.use('/webhooks/*', limitTo(MAX_CALLBACK_BYTES));
  app.use('/playground/api/*', limit);
  if (deps.webhooks) app.route('/webhooks', deps.webhooks);
  app.use('/api/*', limit);
  app.route('/api', createApi(services));
  // The public 晒单 board: no sign-in, its own headers (cache, frame-ancestors from board.embedOrigins).
  app.route('/', createBoardRoutes(services));
  if (deps.console) {
    app.use('/console/*', limit, pageHeaders(CONSOLE_CSP));
    app.route('/console', createConsole(services, deps.console));
  }
  if (deps.reportPage) {
    app.use('/t/*', limit, pageHeaders(REPORT_CSP));
    app.use('/r/*', pageHeaders(REPORT_CSP));
    app.route('/', createReportPage(services, deps.reportPage));
    // The satisfaction survey's page (/s/<token>), under the same headers as the ticket page.
    app.use('/s/*', limit, pageHeaders(REPORT_CSP));
    app.route('/', createSurveyPage(services));
  }
  if (deps.playground) app.route('/', createPlaygroundRoutes(services, deps.playground));
  else app.get('/', (c) => c.text(`gongzhi — ${services.config.deployment.name}. Health: /healthz`));
  return app;
}
