import type { OpenAPIHono } from '@hono/zod-openapi';
import { SwaggerUI } from '@hono/swagger-ui';
import type { Env } from 'hono';
import { publicBase } from '../config/public-url';
import type { Services } from '../services';
import { FAVICON_LINK } from './favicon';

/** Where createApp mounts this router. */
export const API_BASE = '/api';

const SWAGGER_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const assetCache = new Map<string, Uint8Array<ArrayBuffer> | null>();
/** A file of the installed swagger-ui-dist, or null where there is no file system (Workers). */
async function swaggerAsset(file: string): Promise<Uint8Array<ArrayBuffer> | null> {
  if (assetCache.has(file)) return assetCache.get(file)!;
  let body: Uint8Array<ArrayBuffer> | null = null;
  try {
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    body = new Uint8Array(await readFile(createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`)));
  } catch {
    body = null;
  }
  assetCache.set(file, body);
  return body;
}

/** The OpenAPI document (with its server entry) and the interactive reference beside it. */
export function mountApiDocs<E extends Env>(api: OpenAPIHono<E>, services: Services): void {
  // Paths are relative to the API's base: without a server entry every generated client calls /v1/… (404).
  api.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: 'gongzhi API', version: '1', description: '认证：Authorization: Bearer <令牌>（npm run -s cli -- token create 工作人员ID）' },
    servers: [{ url: `${publicBase(services.config, c.req.url) ?? ''}${API_BASE}`, description: services.config.deployment.name }],
  }));
  // An interactive reference, its scripts served from here: intranet deployments have no internet.
  api.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = SWAGGER_ASSETS[file];
    const body = type ? await swaggerAsset(file) : null;
    if (!type || !body) return c.json({ error: 'not_found', path: c.req.path }, 404);
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  api.get('/docs', async (c) => {
    // Workers have no node_modules on disk: there the assets come from the CDN.
    const local = (await swaggerAsset('swagger-ui.css')) !== null;
    const ui = SwaggerUI({ url: `${API_BASE}/openapi.json`, ...(local ? { baseUrl: `${API_BASE}/docs/assets` } : {}), persistAuthorization: true, deepLinking: true });
    const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${FAVICON_LINK}
<title>共治 API · ${services.config.deployment.name.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</title>
</head>
<body>
${ui.replaceAll(`${API_BASE}/docs/assets/swagger-ui-dist/`, `${API_BASE}/docs/assets/`)}
</body>
</html>`;
    return c.html(html);
  });
}
