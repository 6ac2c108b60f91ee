import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { postDueDigests } from '../../src/jobs/digests';
import { listGroups } from '../../src/repo/directory';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime } from '../helpers/runtime';

// Outside review: a report the enterprise kept private on the QR report page belongs to the QR
// code's group, and the group's daily digest named it among the overdue tickets — its number,
// later its department and how late it was — telling the group it exists and against whom.
describeOnDatabases('private report-page reports in the group digest', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
  });
  afterAll(async () => rt?.close());

  it('names public overdue tickets in the group and never a private one', async () => {
    const group = (await listGroups(rt.services.db)).find((g) => g.id === 'county')!;
    const report = (id: string, text: string, publicNotice: boolean) =>
      rt.services.pipeline.submitReport({ submissionId: id, group, enterprise: '某机械厂', contact: '刘总', phone: '13800138000', text, location: null, photos: [], publicNotice });
    const hidden = await report('s-private', '县公安局交警大队执法人员多次到我厂索要好处费，不给就扣车', false);
    const shown = await report('s-public', '园区道路积水严重货车进不来已经一周了没人管', true);
    if (hidden.status === 'duplicate' || shown.status === 'duplicate') throw new Error('unexpected duplicate');
    // Three working days later (Thursday), after the digest time: both are past their sign deadline.
    clock.set('2026-11-26T02:00:00Z');
    await postDueDigests(rt.services, clock.now());
    await rt.services.drainer.drainOnce();
    const inGroup = rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text).join('\n');
    expect(inGroup).toContain('每日调度');
    expect(inGroup).toContain(shown.number);
    expect(inGroup).not.toContain(hidden.number);
  });
});
