import { startFakeServer, type Recorded } from './http-server';

export type ChatAnswer = { content: string } | { status: number } | { delayMs: number; content: string };

/**
 * A loopback OpenAI-compatible chat-completions server (the shape vLLM, Ollama, DeepSeek and
 * Qwen serve at POST /v1/chat/completions). `answer` decides each reply from the request.
 */
export async function startFakeChatServer(answer: (req: Recorded) => ChatAnswer) {
  const server = await startFakeServer((req) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return undefined;
    const a = answer(req);
    if ('status' in a) return { status: a.status, json: { error: { message: 'overloaded', type: 'server_error' } } };
    return {
      ...('delayMs' in a ? { delayMs: a.delayMs } : {}),
      json: {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1_764_000_000,
        model: (req.body as { model?: string }).model,
        choices: [{ index: 0, message: { role: 'assistant', content: a.content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130 },
      },
    };
  });
  /** The user message of each chat request, as it left our server. */
  const userTexts = () => server.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => (r.body as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'user')!.content);
  return { ...server, url: `${server.base}/v1`, userTexts };
}

export const verdictJson = (v: Record<string, unknown>) => JSON.stringify({ is_issue: true, category: null, type: null, urgency: null, enterprise_name: null, location: null, amounts: [], dates: [], ...v });
