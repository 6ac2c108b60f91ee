import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load';
import type { DirectorySource } from '../../src/directory/platform-sources';
import { DIRECTORY_SYNC_LEASE_MS, runScheduledDirectorySync } from '../../src/jobs/directory-sync';
import { listRevisions } from '../../src/repo/directory-store';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, EXAMPLE } from '../helpers/runtime';
import { startFakeWecom } from '../fakes/wecom-api';
import { WECOM_APP, wecomRawEnv } from '../fakes/wecom-callbacks';

describeOnDatabases('the scheduled directory sync survives a crash after its claim', (database) => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  // 03:30 on 3 December in Beijing: after the configured 03:00.
  const clock = createTestClock('2026-12-02T19:30:00Z');
  const userLists = () => wecom.requests.filter((r) => r.path === '/cgi-bin/user/list').length;
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
    rt = await createTestRuntime(database(), { now: clock.now, config: { ...config, directorySync: { platforms: ['wecom'], dailyAt: '03:00', apply: true } }, rawEnv: wecomRawEnv(wecom.base) });
  });
  afterAll(async () => {
    await rt?.close();
    await wecom?.close();
  });

  it('syncs on a sweep after the claim lapses, and once', async () => {
    const db = rt.services.db;
    expect(rt.services.liveDirectory.revision).toBe(1);
    // The database refuses the sync's revision mid-transaction, as a killed process or a lost connection would leave it.
    await sql`create function refuse_sync_revision() returns trigger language plpgsql as $$
      begin
        if new.source = 'sync' then raise exception 'simulated crash while syncing'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_sync_revision before insert on directory_revisions for each row execute function refuse_sync_revision()`.execute(db);
    await expect(runScheduledDirectorySync(rt.services, clock.now())).rejects.toThrow(/simulated crash/);
    await sql`drop trigger refuse_sync_revision on directory_revisions`.execute(db);
    expect(rt.services.liveDirectory.revision).toBe(1);

    // Within the claim another instance may still be at it: nobody starts a second fetch.
    clock.advance(60_000);
    const fetched = userLists();
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual([]);
    expect(userLists()).toBe(fetched);

    // Once the claim lapses, a sweep makes the day's sync up: minutes later, not tomorrow.
    clock.advance(DIRECTORY_SYNC_LEASE_MS);
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual(['directory-sync:wecom:2026-12-03']);
    expect(rt.services.liveDirectory.revision).toBe(2);
    expect((await listRevisions(db, 1))[0]).toMatchObject({ id: 2, author: 'schedule', source: 'sync' });
    expect(rt.services.directory.staffByAccount('wecom', 'ZhangWei')?.id).toBe('wecom-zhangwei');

    // Done for the day, however many sweeps follow.
    for (const step of [60_000, DIRECTORY_SYNC_LEASE_MS, 3 * 3600_000]) {
      clock.advance(step);
      expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual([]);
    }
    expect(rt.services.liveDirectory.revision).toBe(2);
  });

  it('a sync that outlives its claim writes nothing when another instance synced the day meanwhile', async () => {
    clock.set('2026-12-03T19:30:00Z'); // 03:30 on 4 December in Beijing
    const real = rt.services.directorySources.find((s) => s.platform === 'wecom')!;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first instance's fetch hangs (a slow platform) past its claim.
    const slow: DirectorySource = { ...real, fetch: async () => (await held, real.fetch()) };
    rt.services.directorySources = [slow];
    const first = runScheduledDirectorySync(rt.services, clock.now());
    await new Promise((r) => setTimeout(r, 50));

    // A second instance a minute later keeps off the day; after the claim lapses it syncs.
    rt.services.directorySources = [real];
    clock.advance(60_000);
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual([]);
    wecom.contacts.users.push({ userid: 'LiuYang', name: '刘洋', department: [7] });
    clock.advance(DIRECTORY_SYNC_LEASE_MS);
    expect(await runScheduledDirectorySync(rt.services, clock.now())).toEqual(['directory-sync:wecom:2026-12-04']);
    expect(rt.services.liveDirectory.revision).toBe(3);

    // The platform changed again before the first instance's fetch came back: its revision would differ, and is not written.
    wecom.contacts.users.push({ userid: 'ChenJing', name: '陈静', department: [7] });
    release();
    expect(await first).toEqual(['directory-sync:wecom:2026-12-04']);
    expect(rt.services.liveDirectory.revision).toBe(3);
    expect(rt.services.directory.staffByAccount('wecom', 'ChenJing')).toBeNull();
    expect(rt.logger.lines.some((l) => l.event === 'directory.sync_taken_over')).toBe(true);
  });
});
