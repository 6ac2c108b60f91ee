export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** One JSON line per event: greppable locally, parseable by any log shipper. */
export function createJsonLogger(write: (line: string) => void = (l) => console.log(l), level: 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { info: 0, warn: 1, error: 2 };
  const log = (lvl: 'info' | 'warn' | 'error') => (event: string, fields: LogFields = {}) => {
    if (order[lvl] < order[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, event, ...fields }));
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Collects log lines; tests assert on what an operator would read. */
export function createMemoryLogger(): Logger & { lines: Array<{ level: string; event: string } & LogFields> } {
  const lines: Array<{ level: string; event: string } & LogFields> = [];
  const log = (level: string) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, ...fields });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
