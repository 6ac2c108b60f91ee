import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { describeOnDatabases } from '../helpers/databases';
import { solveCheck } from '../helpers/report-form';
import { createTestClock, createTestRuntime } from '../helpers/runtime';
import { REPORT_LIMITS } from '../../src/report-page/routes';

const REPORT = '我们公司在青山工业园区的厂房新装变压器报装一个多月了还没通电，影响投产';

describeOnDatabases('report page: mistakes cost nothing, junk meets a wall', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  async function submit(fields: Record<string, string>, opts: { solve?: boolean } = {}) {
    const check = solveCheck(await (await rt.app.request('/r/county')).text());
    clock.advance(20_000);
    const body = new FormData();
    const all: Record<string, string> = { enterprise: '青山精密机械有限公司', contact: '刘建国', phone: '13800138000', text: REPORT, ...fields };
    for (const [k, v] of Object.entries(all)) body.append(k, v);
    body.append('check', check.token);
    body.append('answer', opts.solve === false ? String(Number(check.answer) + 1) : check.answer);
    return rt.app.request('/r/county', { method: 'POST', body, headers: { origin: 'http://localhost' } });
  }

  it('shows every problem of a form at once', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    const res = await submit({ enterprise: '', phone: '12345', text: '没电' }, { solve: false });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const message of ['请填写企业名称', '问题描述至少 10 个字', '验证题答案不对', '电话号码格式不对']) expect(html).toContain(message);
    // What the person typed is kept.
    expect(html).toContain('value="12345"');
  });

  it('counts only accepted reports against the address quota', async () => {
    clock.advance(60 * 60_000);
    const burst = REPORT_LIMITS.ipBurst!.limit;
    // More mistakes than the quota allows reports: none of them counts.
    for (let i = 0; i < burst + 2; i++) expect((await submit({ phone: '1380013800' })).status).toBe(400);
    for (let i = 0; i < burst; i++) expect((await submit({ phone: `1390013${String(8100 + i)}` })).status).toBe(200);
    const refused = await submit({ phone: '13700137000' });
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('提交过于频繁');
  });

  it('stops a flood of junk with the looser attempt limit', async () => {
    clock.advance(60 * 60_000);
    const limit = REPORT_LIMITS.ipAttempts!.limit;
    let status = 0;
    // A script posting junk as fast as it can: no form, no check.
    const junk = () => rt.app.request('/r/county', { method: 'POST', body: new URLSearchParams({ text: 'x' }), headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' } });
    for (let i = 0; i <= limit; i++) status = (await junk()).status;
    expect(status).toBe(429);
  });
});
