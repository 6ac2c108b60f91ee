import type { GongzhiConfig } from './schema';

/**
 * Where people reach this server: the configured public address (behind a proxy the request's
 * own origin may be an internal one), else the origin the request came to.
 */
export function publicBase(config: GongzhiConfig, requestUrl?: string): string | null {
  const configured = config.deployment.publicUrl?.replace(/\/+$/, '');
  return configured ?? (requestUrl ? new URL(requestUrl).origin : null);
}
