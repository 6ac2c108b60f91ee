import { unzipSync, strFromU8 } from 'fflate';
import { expect, it } from 'vitest';
import { writeXlsx } from '../../src/reports/xlsx';

// One report holding a character XML 1.0 forbids made the monthly 台账 a file Excel and WPS call
// damaged (second outside review): the sheet must stay well-formed whatever the text.
it('writes a sheet without characters XML forbids, keeping the rest of the text', () => {
  const file = writeXlsx('台账', ['诉求内容'], [['路灯坏了\uFFFF两个月\uFFFE，\u0001门口\uD800很黑 😀']]);
  const sheet = strFromU8(unzipSync(file)['xl/worksheets/sheet1.xml']!);
  expect(sheet).toContain('路灯坏了两个月，门口很黑 😀');
  expect(sheet).not.toMatch(/[\uFFFE\uFFFF\u0001]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
});
