import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { createChatClassifier, type ChatClassifierOptions } from '../../src/llm/chat-classifier';
import { createMemoryLogger } from '../../src/logger';
import { createTestClock } from '../helpers/runtime';
import { startFakeChatServer, verdictJson, type ChatAnswer } from '../fakes/openai-compatible';

describe('LLM second opinion (OpenAI-compatible chat completions)', () => {
  let next: ChatAnswer[] = [];
  let server: Awaited<ReturnType<typeof startFakeChatServer>>;
  beforeAll(async () => {
    server = await startFakeChatServer(() => next.shift() ?? { content: verdictJson({ category: 'other' }) });
  });
  afterAll(() => server?.close());

  const make = (over: Partial<ChatClassifierOptions> = {}) => {
    const clock = createTestClock('2026-11-23T02:00:00Z');
    const logger = createMemoryLogger();
    const llm = createChatClassifier({ url: server.url, model: 'qwen2.5-7b-instruct', apiKey: 'sk-test-key', timeoutMs: 2000, dailyBudget: 100, maskPersonalData: true, breaker: { failures: 2, cooldownMs: 60_000 }, now: clock.now, logger, ...over });
    return { llm, clock, logger };
  };
  const calls = () => server.requests.length;

  it('reads the verdict and the ticket fields, taking a category code or its Chinese name', async () => {
    const { llm } = make();
    next = [
      { content: verdictJson({ category: 'payment', type: 'complaint', enterprise_name: '青山建工有限公司', amounts: ['86万元'], dates: ['2024年6月'] }) },
      { content: '好的，结果如下：\n```json\n' + verdictJson({ category: '惠企政策兑现', type: '求助' }) + '\n```' },
    ];
    expect(await llm.classify('县里的道路工程2024年6月就验收了，86万元工程款到现在没给')).toEqual({
      isIssue: true,
      category: 'payment',
      type: 'complaint',
      urgency: 'normal',
      fields: { enterpriseName: '青山建工有限公司', location: null, amounts: ['86万元'], dates: ['2024年6月'] },
    });
    expect(await llm.classify('招商时承诺的落户奖励一直没兑现')).toMatchObject({ isIssue: true, category: 'policy', type: 'help' });
  });

  it('sends the model, the bearer key and the taxonomy, and masks phone, ID and bank numbers first', async () => {
    const { llm } = make();
    const before = calls();
    await llm.classify('我的电话13800138000，身份证110101199003071234，工资卡6222020200112233445，欠薪三个月');
    const req = server.requests.at(-1)!;
    expect(calls()).toBe(before + 1);
    expect(req.headers.authorization).toBe('Bearer sk-test-key');
    const body = req.body as { model: string; response_format: unknown; messages: Array<{ role: string; content: string }> };
    expect(body.model).toBe('qwen2.5-7b-instruct');
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]!.content).toContain('拖欠账款');
    const sent = server.userTexts().at(-1)!;
    expect(sent).toContain('欠薪三个月');
    expect(sent).not.toMatch(/13800138000|110101199003071234|6222020200112233445/);
  });

  it('sends the text as written when the deployment turns masking off, and no key for auth: none', async () => {
    const { llm } = make({ maskPersonalData: false, apiKey: undefined });
    await llm.classify('联系电话13800138000');
    expect(server.userTexts().at(-1)).toBe('联系电话13800138000');
    expect(server.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('answers null on an HTTP error, an answer that is not the JSON asked for, an unknown category, or a timeout', async () => {
    const { llm, logger } = make({ timeoutMs: 300, breaker: { failures: 10, cooldownMs: 60_000 } });
    next = [{ status: 503 }, { content: '这是一条诉求' }, { content: verdictJson({ category: 'weather' }) }, { delayMs: 1500, content: verdictJson({ category: 'tax' }) }];
    for (let i = 0; i < 4; i++) expect(await llm.classify('发票开不出来')).toBeNull();
    expect(logger.lines.filter((l) => l.event === 'llm.failed').map((l) => l.reason)).toEqual(['HTTP 503', expect.stringContaining('JSON'), expect.stringContaining('category'), 'timeout after 300 ms']);
  });

  it('opens the circuit after consecutive failures, then lets one trial through after the cool-down', async () => {
    const { llm, clock, logger } = make();
    next = [{ status: 500 }, { status: 500 }];
    expect(await llm.classify('停电了')).toBeNull();
    expect(await llm.classify('停电了')).toBeNull();
    expect(llm.state().circuit).toBe('open');
    expect(logger.lines.some((l) => l.event === 'llm.circuit_open')).toBe(true);
    const before = calls();
    expect(await llm.classify('停电了')).toBeNull();
    expect(calls()).toBe(before); // nothing sent while open
    clock.advance(61_000);
    expect(llm.state().circuit).toBe('half_open');
    next = [{ content: verdictJson({ category: 'utilities' }) }];
    expect(await llm.classify('停电了')).toMatchObject({ category: 'utilities' });
    expect(calls()).toBe(before + 1);
    expect(llm.state().circuit).toBe('closed');
  });

  it('keeps to the daily budget, and starts a new one at Beijing midnight', async () => {
    const { llm, clock } = make({ dailyBudget: 2 });
    const before = calls();
    for (let i = 0; i < 3; i++) await llm.classify('路灯不亮');
    expect(calls()).toBe(before + 2);
    expect(llm.state()).toMatchObject({ usedToday: 2, dailyBudget: 2 });
    clock.set('2026-11-23T16:00:00Z'); // 00:00 on the 24th in Beijing
    await llm.classify('路灯不亮');
    expect(calls()).toBe(before + 3);
  });
});
