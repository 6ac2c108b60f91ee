import { describe, expect, it } from 'vitest';
import { startRuntime } from '../../src/bootstrap';
import { parseEnv } from '../../src/config/env';
import { loadConfigFile } from '../../src/config/load';
import type { GongzhiConfig } from '../../src/config/schema';
import { createMemoryLogger } from '../../src/logger';
import { TEST_DATABASES } from '../helpers/databases';
import { EXAMPLE } from '../helpers/runtime';

/** What an operator meets at `npm start` (the same startRuntime the server calls). */
async function start(rawEnv: Record<string, string>, config?: GongzhiConfig) {
  const database = await TEST_DATABASES[0]!.open();
  try {
    const runtime = await startRuntime({ env: parseEnv({ NODE_ENV: 'test' }), logger: createMemoryLogger(), config: config ?? (await loadConfigFile(EXAMPLE)), database, rawEnv });
    await runtime.close();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await database.close();
  }
}

describe('platform settings at start-up', () => {
  it('a group posting through the AI-bot long connection without WECOM_BOT_ID/WECOM_BOT_SECRET does not start (its posts would all dead-letter)', async () => {
    const example = await loadConfigFile(EXAMPLE);
    const config: GongzhiConfig = { ...example, groups: [...example.groups, { id: 'county-wecom', name: '企业微信群', platform: 'wecom', chatId: 'wr-county', outbound: { kind: 'wecom-aibot' } }] };
    const message = await start({}, config);
    expect(message).toContain('county-wecom');
    expect(message).toContain('WECOM_BOT_ID、WECOM_BOT_SECRET 未设置');
    expect(await start({ WECOM_BOT_ID: 'bot-1' }, config)).toContain('WECOM_BOT_SECRET 未设置');
  });

  it('a partial or malformed platform setting is named in Chinese with what to set, never with its value', async () => {
    const message = await start({ WECOM_CORP_ID: 'ww-corp', WECOM_AGENT_ID: 'abc', DINGTALK_CLIENT_ID: 'ding-app', DINGTALK_CLIENT_SECRET: 'dt-secret-value', DINGTALK_MODE: 'websocket', GONGZHI_LEADER_POLL_MS: 'soon', WECOM_BOT_WS_CA: '/nonexistent/ca.pem' });
    expect(message).toContain('平台环境变量有误');
    expect(message).toContain('WECOM_APP_SECRET 未设置：应填自建应用的 Secret');
    expect(message).toContain('WECOM_AGENT_ID 取值无效：应填自建应用的 AgentId（数字）');
    expect(message).toContain('DINGTALK_MODE 取值无效：应填http（回调地址）或 stream');
    expect(message).toContain('GONGZHI_LEADER_POLL_MS 取值无效');
    expect(message).toContain('WECOM_BOT_WS_CA: 无法读取证书文件 /nonexistent/ca.pem');
    // The long connection is switched on by its CA alone: its id and secret are asked for.
    expect(message).toContain('WECOM_BOT_ID 未设置');
    expect(message).not.toMatch(/Invalid|expected/);
    expect(message).not.toContain('dt-secret-value');
  });
});
