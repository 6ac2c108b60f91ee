import { requireGroup } from '../src/config/env';
import type { PhotoSources } from '../src/pipeline/attachments';
import { createDingtalkClient, DEFAULT_DINGTALK_API_BASE, DEFAULT_DINGTALK_OAPI_BASE } from './dingtalk/client';
import { dingtalkEnv } from './dingtalk/index';
import { createDingtalkPhotoSource } from './dingtalk/media';
import { DEFAULT_WECOM_API_BASE } from './wecom/client';
import { wecomBotEnv } from './wecom/index';
import type { TokenStore } from './token-store';
import { createWecomPhotoSource } from './wecom/media';

/**
 * How chat photos are downloaded on each platform the environment switches on. WeCom images
 * are always fetchable (long-connection frames carry their own key; webhook ones need
 * WECOM_BOT_AES_KEY); DingTalk needs the app's credentials for the download-code exchange (its
 * token shared with the sender's through `tokens`, as on Workers).
 */
export function createPhotoSources(env: Record<string, string | undefined>, opts: { fetch?: typeof fetch | undefined; tokens?: TokenStore | undefined } = {}): PhotoSources {
  const bot = requireGroup(env, 'WeCom AI bot (WECOM_BOT_*)', wecomBotEnv);
  // The configured WeCom addresses (an API proxy, a private deployment's long-connection server) may be plain http.
  const wecomHosts = [env.WECOM_API_BASE || DEFAULT_WECOM_API_BASE, env.WECOM_BOT_WS_URL].flatMap((u) => (u && URL.canParse(u) ? [new URL(u).host] : []));
  const sources: PhotoSources = {
    'wecom-image': createWecomPhotoSource({ encodingAesKey: bot?.WECOM_BOT_AES_KEY ?? null, plainHttpHosts: wecomHosts }),
  };
  const dt = requireGroup(env, 'DingTalk (DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET)', dingtalkEnv);
  if (dt) {
    const apiBase = env.DINGTALK_API_BASE || DEFAULT_DINGTALK_API_BASE;
    const oapiBase = env.DINGTALK_OAPI_BASE || DEFAULT_DINGTALK_OAPI_BASE;
    const client = createDingtalkClient({ apiBase, oapiBase, clientId: dt.DINGTALK_CLIENT_ID, clientSecret: dt.DINGTALK_CLIENT_SECRET, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.tokens ? { tokens: opts.tokens } : {}) });
    sources['dingtalk-file'] = createDingtalkPhotoSource({ client, robotCode: dt.DINGTALK_CLIENT_ID, plainHttpHosts: [new URL(apiBase).host, new URL(oapiBase).host] });
  }
  return sources;
}
