import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { runTopicJobs } from '../../src/jobs/topics';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const PASSWORD = 'correct horse battery';

// Review finding: 面上问题 / 协同办 ignore the region scope. 河西县's reports reach 青山县's 营商办
// (Monday list, console topic page with the full text, promote) and 青山县's group (monthly 通报).
describeOnDatabases('Monday topic list across counties', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-10T02:00:00Z');
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
    for (const who of ['wang-qs']) {
      await setConsolePassword(rt.services.db, who, PASSWORD, clock.now());
      const res = await rt.app.request('/console/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ staffId: who, password: PASSWORD, next: '/console' }).toString() });
      cookies[who] = res.headers.get('set-cookie')!.split(';')[0]!;
    }
  });
  afterAll(async () => rt?.close());

  const HEXI = [
    ['hx-a', '@共治助手 河西工业园纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水'],
    ['hx-b', '@共治助手 纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了'],
    ['hx-c', '@共治助手 我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水'],
    ['hx-d', '@共治助手 纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看'],
  ] as const;
  const QINGSHAN = [
    ['qs-a', '@共治助手 青山工业园东区这周又停电了，供电线路老化，生产线停了，请供电公司尽快检修线路'],
    ['qs-b', '@共治助手 青山工业园东区频繁停电，供电线路老化，一周停了三次，请供电公司检修线路'],
    ['qs-c', '@共治助手 青山工业园东区停电太多，供电线路老化跳闸，设备受损，请供电公司检修'],
    ['qs-d', '@共治助手 我们在青山工业园东区，经常停电，供电线路老化，请供电公司尽快检修线路'],
  ] as const;

  it('Monday list: 青山县 dispatcher does not get 河西县 samples', async () => {
    const rt2 = rt;
    // Monday 7 December 2026 after 08:30 Beijing; add a fresh 河西县 topic (the first was promoted).
    clock.set('2026-12-06T02:00:00Z');
    for (const [user, text] of HEXI) {
      clock.advance(600_000);
      await rt2.services.pipeline.receive(localMessage(`${user}-2`, text.replace('纬三路', '经五路'), { chatId: 'hexi', chatTitle: 'hexi' }));
    }
    for (const [user, text] of QINGSHAN) {
      clock.advance(600_000);
      await rt2.services.pipeline.receive(localMessage(user, text, { chatId: 'qingshan', chatTitle: 'qingshan' }));
    }
    clock.set('2026-12-07T01:00:00Z');
    await runTopicJobs(rt2.services, clock.now());
    const outbox = await rt2.services.db.selectFrom('outbox').select(['target', 'payload']).execute();
    const toWang = outbox.filter((o) => (o.target as { userId?: string }).userId === 'wang-qs').map((o) => (o.payload as { text: string }).text).join('\n');
    expect(toWang).toContain('面上问题周报'); // sanity: 青山县's own list was sent
    expect(toWang).toMatch(/停电/);
    expect(toWang).not.toMatch(/经五路|河西县营商环境共商共治群/);
    // 河西县's 营商办 gets its own topic and not 青山县's; the city's gets both.
    const toZhao = outbox.filter((o) => (o.target as { userId?: string }).userId === 'zhao-hx').map((o) => (o.payload as { text: string }).text).join('\n');
    expect(toZhao).toMatch(/经五路/);
    expect(toZhao).not.toMatch(/停电/);
    const toSun = outbox.filter((o) => (o.target as { userId?: string }).userId === 'sun-city').map((o) => (o.payload as { text: string }).text).join('\n');
    expect(toSun).toMatch(/经五路/);
    expect(toSun).toMatch(/停电/);
  });
});
