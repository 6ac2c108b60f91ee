import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load';
import type { DirectorySource } from '../../src/directory/platform-sources';
import { DIRECTORY_SYNC_LEASE_MS, runScheduledDirectorySync } from '../../src/jobs/directory-sync';
import { listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';

describeOnDatabases('a scheduled directory sync slower than its claim', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  // A second instance on the same database, its directory loaded before the day's sync.
  let other: Awaited<ReturnType<typeof createTestRuntime>> | undefined;
  // 03:30 on 3 December in Beijing: after the configured 03:00.
  const clock = createTestClock('2026-12-02T19:30:00Z');
  beforeAll(async () => {
    wecom = await startFakeWecom({
      corpId: WECOM_APP.corpId,
      secret: WECOM_APP.secret,
      contacts: {
        departments: [
          { id: 1, name: '青山县人民政府', parentid: 0 },
          { id: 7, name: '县招商服务中心', parentid: 1 },
        ],
        users: [{ userid: 'ZhangWei', name: '张伟', department: [7] }],
      },
    });
    const config = await loadConfigFile(EXAMPLE);
    const settings = { now: clock.now, config: { ...config, directorySync: { platforms: ['wecom' as const], dailyAt: '03:00', apply: true } }, rawEnv: wecomRawEnv(wecom.base) };
    rt = await createTestRuntime(database(), settings);
    other = await createTestRuntime(database(), settings);
  });
  afterAll(async () => {
    await other?.close();
    await rt?.close();
    await wecom?.close();
  });

  /** A source whose fetch waits until released: a large organisation behind a slow egress proxy. */
  const held = () => {
    const real = rt.services.directorySources.find((s) => s.platform === 'wecom')!;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source: DirectorySource = { ...real, fetch: async () => (await gate, real.fetch()) };
    return { source, release, real };
  };

  it('lands the day when it comes back first, though another sweep took the claim over meanwhile', async () => {
    const db = rt.services.db;
    const a = held();
    rt.services.directorySources = [a.source];
    const first = runScheduledDirectorySync(rt.services, clock.now());
    await new Promise((r) => setTimeout(r, 50));

    // Every sync takes longer than the claim: the next sweep past it starts another (the scheduler's
    // minute ticks overlap, here or on a second instance).
    const b = held();
    rt.services.directorySources = [b.source];
    clock.advance(DIRECTORY_SYNC_LEASE_MS + 60_000);
    const second = runScheduledDirectorySync(rt.services, clock.now());
    await new Promise((r) => setTimeout(r, 50));

    // The first comes back before the second: the day's contacts are written by it, not thrown away.
    clock.advance(60_000);
    a.release();
    expect(await first).toEqual(['directory-sync:wecom:2026-12-03']);
    expect(rt.services.liveDirectory.revision).toBe(2);
    expect((await listRevisions(db, 1))[0]).toMatchObject({ id: 2, author: 'schedule', source: 'sync' });
    expect(rt.services.directory.staffByAccount('wecom', 'ZhangWei')?.id).toBe('wecom-zhangwei');

    // The second finds the day synced and writes nothing.
    wecom.contacts.users.push({ userid: 'LiuYang', name: '刘洋', department: [7] });
    b.release();
    expect(await second).toEqual(['directory-sync:wecom:2026-12-03']);
    expect(rt.services.liveDirectory.revision).toBe(2);
    expect(rt.services.directory.staffByAccount('wecom', 'LiuYang')).toBeNull();
    expect(rt.logger.lines.filter((l) => l.event === 'directory.sync_taken_over')).toHaveLength(1);

    // Done for the day: later sweeps neither fetch nor write.
    rt.services.directorySources = [a.real];
    const fetched = wecom.requests.filter((r) => r.path === '/cgi-bin/user/list').length;
    for (const step of [60_000, DIRECTORY_SYNC_LEASE_MS, 3 * 3600_000]) {
      clock.advance(step);
      expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual([]);
    }
    expect(wecom.requests.filter((r) => r.path === '/cgi-bin/user/list').length).toBe(fetched);
    expect(rt.services.liveDirectory.revision).toBe(2);
  });

  it('a late run on an instance whose directory is behind finds the day synced: a warning, not a failed tick', async () => {
    clock.set('2026-12-03T19:30:00Z'); // 03:30 on 4 December in Beijing
    const late = other!;
    const real = late.services.directorySources.find((s) => s.platform === 'wecom')!;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    late.services.directorySources = [{ ...real, fetch: async () => (await gate, real.fetch()) }];
    const first = runScheduledDirectorySync(late.services, clock.now());
    await new Promise((r) => setTimeout(r, 50));

    // The other instance syncs the day once the claim lapses.
    wecom.contacts.users.push({ userid: 'ChenJing', name: '陈静', department: [7] });
    clock.advance(DIRECTORY_SYNC_LEASE_MS + 60_000);
    rt.services.directorySources = [rt.services.directorySources.find((s) => s.platform === 'wecom')!];
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual(['directory-sync:wecom:2026-12-04']);
    const revision = rt.services.liveDirectory.revision;

    // The late fetch comes back planned on the directory it loaded before: nothing written, and
    // the tick goes on (webhook deliveries, the rest of the sweep) instead of failing.
    release();
    expect(await first).toEqual(['directory-sync:wecom:2026-12-04']);
    expect((await listRevisions(rt.services.db, 1))[0]?.id).toBe(revision);
    expect(late.logger.lines.some((l) => l.event === 'directory.sync_taken_over')).toBe(true);
  });
});
