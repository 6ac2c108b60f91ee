import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import type { DatabaseHandle } from '../../src/db/database';
import { createTestClock, createTestRuntime, localMessage } from './runtime';

/** The two-level example (北山市 and its counties), where a county unit can lift a ticket to the city. */
export const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;
/** A China wall-clock time ('2026-11-02T09:00:00') as an ISO instant. */
export const china = (s: string) => new Date(`${s}+08:00`).toISOString();

export interface CityRuntime {
  rt: Runtime;
  clock: ReturnType<typeof createTestClock>;
  /** At China time `when`, `user` says `text` in `group`: the ticket number it opened, or ''. */
  say(when: string, group: string, user: string, text: string): Promise<string>;
}

export async function startCityRuntime(h: DatabaseHandle, start: string): Promise<CityRuntime> {
  const clock = createTestClock(china(start));
  const rt = await createTestRuntime(h, { now: clock.now, config: await loadConfigFile(CITY) });
  return {
    rt,
    clock,
    async say(when, group, user, text) {
      clock.set(china(when));
      const r = await rt.services.pipeline.receive(localMessage(user, text, { chatId: group, chatTitle: group }));
      return r.status === 'duplicate' ? '' : (r.ticketNumber ?? '');
    },
  };
}
