import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load';
import { DIRECTORY_SYNC_LEASE_MS, runScheduledDirectorySync } from '../../src/jobs/directory-sync';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';

describeOnDatabases('a scheduled directory sync whose platform answers in a shape we do not read', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  // 03:30 on 3 December in Beijing: after the configured 03:00.
  const clock = createTestClock('2026-12-02T19:30:00Z');
  const departmentLists = () => wecom.requests.filter((r) => r.path === '/cgi-bin/department/list').length;
  beforeAll(async () => {
    wecom = await startFakeWecom({ corpId: WECOM_APP.corpId, secret: WECOM_APP.secret, contacts: { departments: [{ id: 1, name: '青山县人民政府', parentid: 0 }], users: [] } });
    const config = await loadConfigFile(EXAMPLE);
    rt = await createTestRuntime(database(), { now: clock.now, config: { ...config, directorySync: { platforms: ['wecom'], dailyAt: '03:00', apply: true } }, rawEnv: wecomRawEnv(wecom.base) });
  });
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
  });

  it('is the day’s outcome, logged with the platform: not a failed tick, nor a refetch every ten minutes all day', async () => {
    // A department without its name, every time it is asked.
    const malformed = { errcode: 0, errmsg: 'ok', department: [{ id: 1, parentid: 0 }] };
    wecom.failNext('/cgi-bin/department/list', ...Array.from({ length: 20 }, () => malformed));
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual(['directory-sync:wecom:2026-12-03']);
    const failed = rt.logger.lines.filter((l) => l.event === 'directory.sync_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ platform: 'wecom' });
    expect(String(failed[0]!.error)).toContain('/cgi-bin/department/list');
    expect(rt.services.liveDirectory.revision).toBe(1);

    const fetched = departmentLists();
    for (const step of [DIRECTORY_SYNC_LEASE_MS + 60_000, DIRECTORY_SYNC_LEASE_MS, 3 * 3600_000]) {
      clock.advance(step);
      expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual([]);
    }
    expect(departmentLists()).toBe(fetched);
  });
});
