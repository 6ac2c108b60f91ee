import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { postDueDigests } from '../../src/jobs/digests';
import { dailyDigest, departmentRanking, ledgerRows, LEDGER_HEADER, monthPeriod } from '../../src/reports/queries';
import { writeCsv, writeXlsx } from '../../src/reports/xlsx';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`);

describeOnDatabases('digest, monthly ranking and ledger for a seeded month', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock();
  const numbers: Record<string, string> = {};
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const at = async (when: string, user: string, text: string, key?: string) => {
    clock.set(china(when).toISOString());
    const r = await rt.services.pipeline.receive(localMessage(user, text, { receivedAt: clock.now() }));
    if (key && r.status !== 'duplicate' && r.ticketNumber) numbers[key] = r.ticketNumber;
    return r;
  };

  it('seeds a month in order and computes the 5 Nov digest as the group saw it', async () => {
    await at('2026-10-30T10:00:00', 'xinghuo-wang', '@共治助手 宽带经常断网，报修三次没人来', 'OCT');
    await at('2026-11-02T10:00:00', 'qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通', 'T1');
    await at('2026-11-02T11:00:00', 'lidian', `/认领 ${numbers.T1}`);
    await at('2026-11-03T10:00:00', 'lvyuan-chen', '@共治助手 变压器增容申请提交两个月了一直没批下来', 'T2');
    await at('2026-11-04T10:00:00', 'lidian', `/办结 ${numbers.T1} 已完成接电`);
    await at('2026-11-04T10:30:00', 'hengtong-zhang', '@共治助手 园区路灯坏了半年了没人修', 'T3');

    clock.set(china('2026-11-05T08:30:00').toISOString());
    const d = await dailyDigest(h.db, rt.services.sla, { groupId: 'county', groupName: '青山县营商环境共商共治群', at: clock.now() });
    // Window 4 Nov 08:30 → 5 Nov 08:30: T3 received, T1 resolved (on time), nothing claimed.
    expect(d).toMatchObject({ date: '2026-11-05', received: 1, claimed: 0, resolved: 1, awaitingRating: 1 });
    // Overdue at 08:30 on 5 Nov: the October ticket (sign due Mon 2 Nov 10:00 → 14 h + 2 days + 8.5 h = 2.94 working days)
    // and T2 (sign due 4 Nov 10:00 → 22.5 h = 0.94 working days), rounded down to a tenth.
    expect(d.overdue).toEqual([
      { number: numbers.OCT, departmentName: '国网青山县供电公司', workdaysOver: 2.9 },
      { number: numbers.T2, departmentName: '国网青山县供电公司', workdaysOver: 0.9 },
    ]);
    expect(d.best).toEqual({ name: '国网青山县供电公司', resolvedOnTime: 1 });
    expect(d.worst).toEqual({ name: '国网青山县供电公司', overdue: 2 });

    // Posted once per group, even when the scheduler ticks twice.
    expect(await postDueDigests(rt.services, clock.now())).toEqual(['digest:daily:county:2026-11-05', 'digest:daily:park:2026-11-05']);
    expect(await postDueDigests(rt.services, clock.now())).toEqual([]);
    await rt.services.drainer.drainOnce();
    const posts = rt.local!.transcript('county', 0).filter((e) => e.text.startsWith('【每日调度】'));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toContain('新受理 1｜签收 0｜办结 1｜超期 2｜待评价 1');
    expect(posts[0]!.text).not.toMatch(/刘总|陈经理|qs-jixie/); // no personal data
  });

  it('ranks departments for November exactly as computed by hand', async () => {
    await at('2026-11-05T10:00:00', 'lidian', `/认领 ${numbers.T2}`);
    await at('2026-11-06T09:00:00', 'qs-jixie-liu', `/评价 ${numbers.T1} 5`);
    await at('2026-11-12T10:00:00', 'lidian', `/办结 ${numbers.T2} 已报上级审批`);
    await at('2026-11-12T15:00:00', 'lvyuan-chen', `/评价 ${numbers.T2} 2 没有实质进展`);

    const rows = await departmentRanking(h.db, monthPeriod('2026-11'), clock.now());
    // Power: T1 signed on time, resolved on time, rated 5; T2 reopened after a 2 (not resolved now) and dispatched
    //   again, its new sign deadline not yet passed at 15:00: neither on time nor late yet, so response 1/1,
    //   on time 1/1, resolution 1/2, satisfaction 1/2 → 0.2·1 + 0.3·1 + 0.2·0.5 + 0.3·0.5 = 0.75
    // 城管局: T3 never signed: response 0/1, resolution 0/1, no on-time or rating figure → 0.
    expect(rows.map((r) => [r.name, r.tickets, r.responseRate, r.onTimeRate, r.resolutionRate, r.satisfactionRate, r.reopened, r.score])).toEqual([
      ['国网青山县供电公司', 2, 1, 1, 0.5, 0.5, 1, 0.75],
      ['县城市管理局', 1, 0, null, 0, null, 0, 0],
    ]);
    clock.set(china('2026-12-01T08:31:00').toISOString());
    const posted = await postDueDigests(rt.services, clock.now());
    expect(posted).toContain('report:monthly:2026-11:county');
    await rt.services.drainer.drainOnce();
    const report = rt.local!.transcript('county', 0).find((e) => e.text.startsWith('【2026-11 月度通报】'))!;
    // On 1 Dec T2 is still unsigned, past its deadline: late now (1 of 2).
    expect(report.text).toContain('1. 国网青山县供电公司：2 件｜50%｜100%｜50%｜50%｜重办 1');
    // Monday 9 Nov: the weekly summary of 2–8 Nov, once per group.
    clock.set(china('2026-11-09T09:00:00').toISOString());
    expect(await postDueDigests(rt.services, clock.now())).toEqual(
      expect.arrayContaining(['report:weekly:2026-11-02:county', 'report:weekly:2026-11-02:park']),
    );
    expect((await postDueDigests(rt.services, clock.now())).filter((k) => k.startsWith('report:weekly'))).toEqual([]);
  });

  it('exports the ledger as xlsx and csv with the right rows, read back independently', async () => {
    const rows = await ledgerRows(h.db, monthPeriod('2026-11'));
    expect(rows.map((r) => r[0])).toEqual([numbers.T1, numbers.T2, numbers.T3]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(writeXlsx('台账 2026-11', LEDGER_HEADER, rows)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('台账 2026-11');
    expect(ws.rowCount).toBe(4);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(LEDGER_HEADER);
    const t1 = ws.getRow(2);
    expect(t1.getCell(1).value).toBe(numbers.T1);
    expect(t1.getCell(8).value).toBe('国网青山县供电公司');
    expect(t1.getCell(9).value).toBe('已关闭（已评价）');
    expect(t1.getCell(17).value).toBe(5);
    expect(ws.getRow(3).getCell(9).value).toBe('待签收');
    expect(ws.getRow(3).getCell(18).value).toBe(1);
    // Dates are real Excel dates, shown in Beijing time.
    const received = t1.getCell(2).value as Date;
    expect(received.toISOString()).toBe('2026-11-02T10:00:00.000Z');
    const csv = writeCsv(LEDGER_HEADER, rows);
    expect(csv.startsWith('\uFEFF工单号,受理时间')).toBe(true);
    expect(csv.split('\r\n')[1]).toContain(`${numbers.T1},2026-11-02 10:00`);
  });
});
