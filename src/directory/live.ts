import type { GroupChannelIssue } from '../config/platform-env';
import type { GongzhiConfig } from '../config/schema';
import type { Db, Tx } from '../db/database';
import type { Logger } from '../logger';
import { createDirectoryCache, type DirectoryCache } from '../pipeline/directory-cache';
import { writeDirectoryRows } from '../repo/directory';
import { currentRevisionId, getRevision, insertRevision, latestRevision, type RevisionSource } from '../repo/directory-store';
import { diffDirectory, formatChange, type DirectoryChange } from './diff';
import { strandingIssues } from './guards';
import { restoreMaskedSecrets } from './secrets';
import { composeConfig, formatIssue, pickDirectory, validateDirectory, type DirectoryIssue, type DirectorySnapshot } from './sections';

export interface DirectoryWrite {
  /** The whole new directory (every section); what is left out is removed. */
  directory: Record<string, unknown>;
  /** The revision the writer started from: a newer one in the database means a conflict. */
  base: number;
  author: string;
  source: RevisionSource;
  note?: string;
  /** Validate and diff only. */
  dryRun?: boolean;
  /**
   * More work that must commit with the revision or not at all (the scheduled sync records its
   * day's run here, so a crash never leaves one without the other); throwing rolls both back.
   */
  inTransaction?: (tx: Tx) => Promise<void>;
}

export type DirectoryWriteResult =
  | { ok: true; revision: number; changes: DirectoryChange[]; written: boolean }
  | { ok: false; issues: DirectoryIssue[] };

/**
 * The directory the running instance works with: the YAML file's settings plus the latest
 * revision in the database. Reads are synchronous (the hot path asks it for every message);
 * `catchUp` costs one `max(id)` at most every `pollMs` and reloads when another instance (or
 * the CLI) wrote a revision; a write in this process takes effect at once.
 */
export interface LiveDirectory {
  readonly config: GongzhiConfig;
  readonly cache: DirectoryCache;
  readonly revision: number;
  readonly snapshot: DirectorySnapshot;
  catchUp(): Promise<void>;
  reload(): Promise<void>;
  write(w: DirectoryWrite): Promise<DirectoryWriteResult>;
  /** What the next opening in a short-lived runtime (a Worker request) may start from. */
  memo(): DirectoryMemo;
}

/**
 * The loaded directory and when the database was last asked, kept between a Worker's requests
 * (which may not share a connection, but may share plain data) so most requests ask nothing.
 */
export interface DirectoryMemo {
  readonly file: GongzhiConfig;
  readonly revision: number;
  readonly state: unknown;
  readonly checkedAt: number;
}

interface State {
  revision: number;
  snapshot: DirectorySnapshot;
  config: GongzhiConfig;
  cache: DirectoryCache;
}

const stateOf = (settings: GongzhiConfig, revision: number, snapshot: DirectorySnapshot): State => {
  const config = composeConfig(settings, snapshot);
  return { revision, snapshot, config, cache: createDirectoryCache(config) };
};

/** The file's directory and nothing else: the Worker and read-only tools without a database revision. */
export function createStaticDirectory(config: GongzhiConfig): LiveDirectory {
  const state = stateOf(config, 0, pickDirectory(config as unknown as Record<string, unknown>));
  return {
    config: state.config,
    cache: state.cache,
    revision: 0,
    snapshot: state.snapshot,
    catchUp: async () => undefined,
    reload: async () => undefined,
    write: async () => {
      throw new Error('此运行环境的目录只读（read-only directory）');
    },
    memo: () => ({ file: config, revision: 0, state, checkedAt: 0 }),
  };
}

/** A memo's directory without a database (read-only): a Worker whose database is unreachable. */
export function staticFromMemo(memo: DirectoryMemo): LiveDirectory {
  return createStaticDirectory((memo.state as State).config);
}

export interface LiveDirectoryOptions {
  db: Db;
  /** The parsed configuration file: its settings are used as they are, its directory seeds an empty database. */
  file: GongzhiConfig;
  now: () => Date;
  logger: Logger;
  /** How often to look for other instances' revisions (default 3 s, on the injected clock). */
  pollMs?: number;
  /** Seed an empty database from the file (the server does; read-only tools do not). */
  seed?: boolean;
  /**
   * A previous opening's memo: used as it is within `pollMs` of its check, after one `max(id)`
   * when that still matches, and ignored when the file changed.
   */
  memo?: DirectoryMemo;
  /**
   * Groups whose posts this instance's environment cannot send (the start-up check's reading,
   * src/config/platform-env.ts): a save that adds or changes such a group is refused with the
   * check's message, and a revision loaded while running that holds one is logged once.
   */
  groupChannelIssues?: (config: GongzhiConfig) => GroupChannelIssue[];
}

/**
 * Opens the directory: an empty database is seeded with the file's directory as revision 1;
 * otherwise the database wins and a file that differs is reported (with how to import it),
 * not applied — `cli config import FILE --apply` is the explicit way from YAML to the database.
 */
export async function openLiveDirectory(opts: LiveDirectoryOptions): Promise<LiveDirectory> {
  const { db, logger } = opts;
  const settings = opts.file;
  const pollMs = opts.pollMs ?? 3000;
  const fileDirectory = pickDirectory(settings as unknown as Record<string, unknown>);
  let state: State;
  let lastPoll = opts.now().getTime();
  let loading: Promise<void> | null = null;
  const memo = opts.memo?.file === settings ? opts.memo : undefined;

  const fromRevision = (id: number, stored: DirectorySnapshot): State => {
    // Re-validated on load so defaults added by a newer version fill in; a stored directory the
    // schema now refuses still runs (it was valid when written) and is reported.
    const checked = validateDirectory(stored, settings);
    if (!checked.ok) logger.error('directory.revision_invalid', { revision: id, problems: checked.issues.slice(0, 20).map(formatIssue), hint: 'fix it in the console or with cli config import' });
    return stateOf(settings, id, checked.ok ? checked.directory : stored);
  };

  /** What an issue depends on: the group's channel, and the reference in `field` when it is about one. */
  const channelOf = (g: GongzhiConfig['groups'][number] | undefined, field?: string) =>
    g ? `${g.platform}:${g.outbound?.kind ?? ''}${field ? `:${String((g.outbound as Partial<Record<string, unknown>> | undefined)?.[field])}` : ''}` : '';

  /**
   * A new or changed group this environment cannot post to: every post would dead-letter, so the
   * save is refused. A group already running so is left to the load-time log (refusing every
   * unrelated edit would not make it deliverable).
   */
  function channelIssues(next: DirectorySnapshot): DirectoryIssue[] {
    if (!opts.groupChannelIssues) return [];
    const groups = composeConfig(settings, next).groups;
    const before = new Map(state.config.groups.map((g) => [g.id, g]));
    return opts.groupChannelIssues({ ...settings, groups } as GongzhiConfig).flatMap((p) => {
      const i = groups.findIndex((g) => g.id === p.groupId);
      if (channelOf(before.get(p.groupId), p.field) === channelOf(groups[i], p.field)) return [];
      return [{ path: p.field ? ['groups', i, 'outbound', p.field] : ['groups', i, 'outbound'], message: p.message }];
    });
  }

  let reportedChannels = '';
  /** A running instance that loads a group it cannot post to says so once, with the fix, rather than dead-lettering silently. */
  function reportChannels(s: State): void {
    const issues = opts.groupChannelIssues?.(s.config) ?? [];
    const key = issues.map((i) => `${i.groupId}:${i.missing.join(',')}`).join(' ');
    if (key === reportedChannels) return;
    reportedChannels = key;
    if (!issues.length) return;
    logger.error('directory.group_channel_missing', {
      revision: s.revision,
      groups: issues.map((i) => i.groupId),
      missing: [...new Set(issues.flatMap((i) => i.missing))],
      problems: issues.map((i) => i.message),
      hint: "posts to these groups dead-letter: set the variables in this instance's environment and restart, or change the groups' outbound in the console (目录 → 群)",
    });
  }

  async function seed(): Promise<void> {
    const checked = validateDirectory(fileDirectory, settings);
    if (!checked.ok) throw new Error(`配置文件的目录无效：${checked.issues.map(formatIssue).join('；')}`);
    const changes = diffDirectory({}, checked.directory);
    try {
      await db.transaction().execute(async (tx) => {
        await insertRevision(tx, { base: 0, author: 'config', source: 'seed', note: '首次启动：由配置文件导入（first start: seeded from the configuration file）', directory: checked.directory, changes }, opts.now());
        await writeDirectoryRows(tx, composeConfig(settings, checked.directory), opts.now());
      });
      logger.info('directory.seeded', { revision: 1, changes: changes.length });
    } catch (e) {
      // Another instance seeded first: use its revision.
      if ((e as Error).name !== 'DirectoryConflictError') throw e;
    }
  }

  const known = memo ? await fromMemo(memo) : null;
  let latest = known ? null : await latestRevision(db);
  if (known) {
    state = known;
  } else if (!latest && opts.seed !== false) {
    await seed();
    latest = await latestRevision(db);
  }
  if (known) {
    // Opened from the memo: nothing to load or report again.
  } else if (latest) {
    state = fromRevision(latest.id, latest.directory);
    const fileChecked = validateDirectory(fileDirectory, settings);
    const drift = fileChecked.ok ? diffDirectory(state.snapshot, fileChecked.directory) : [];
    if (drift.length && latest.id > 1) {
      logger.warn('directory.file_differs', {
        revision: latest.id,
        changes: drift.length,
        sample: drift.slice(0, 5).map(formatChange),
        hint: 'the database directory (edited in the console) is in use; to apply the file run: npm run cli -- config import FILE --apply',
      });
    } else if (drift.length) {
      logger.warn('directory.file_differs', { revision: latest.id, changes: drift.length, sample: drift.slice(0, 5).map(formatChange), hint: 'the file changed since it seeded the database: npm run cli -- config import FILE shows the difference, --apply writes it' });
    }
  } else {
    state = stateOf(settings, 0, fileDirectory);
  }

  async function fromMemo(m: DirectoryMemo): Promise<State | null> {
    const t = opts.now().getTime();
    const prior = m.state as State;
    if (t - m.checkedAt < pollMs && t >= m.checkedAt) {
      lastPoll = m.checkedAt;
      return prior;
    }
    return (await currentRevisionId(db)) === prior.revision && prior.revision > 0 ? prior : null;
  }

  async function reload(): Promise<void> {
    loading ??= (async () => {
      const rev = await latestRevision(db);
      if (rev && rev.id !== state.revision) {
        const before = state.revision;
        state = fromRevision(rev.id, rev.directory);
        logger.info('directory.reloaded', { from: before, to: rev.id, by: rev.author });
        reportChannels(state);
      }
    })().finally(() => (loading = null));
    return loading;
  }

  return {
    get config() {
      return state.config;
    },
    get cache() {
      return state.cache;
    },
    get revision() {
      return state.revision;
    },
    get snapshot() {
      return state.snapshot;
    },
    async catchUp() {
      const t = opts.now().getTime();
      if (t - lastPoll < pollMs && t >= lastPoll) return;
      lastPoll = t;
      try {
        if ((await currentRevisionId(db)) !== state.revision) await reload();
      } catch (e) {
        // The old directory keeps working; the next poll tries again.
        logger.warn('directory.poll_failed', { error: (e as Error).message });
      }
    },
    reload,
    async write(w) {
      // A masked group key sent back (the console form, an imported export) keeps the stored one.
      const restored = restoreMaskedSecrets(w.directory, state.snapshot);
      if (restored.issues.length) return { ok: false, issues: restored.issues };
      w = { ...w, directory: restored.directory };
      const checked = validateDirectory(w.directory, settings);
      // Measured against what runs now (not the writer's base): that is what the open work refers to.
      const stranded = await strandingIssues(db, state.snapshot, checked.ok ? checked.directory : pickDirectory(w.directory));
      const channels = checked.ok ? channelIssues(checked.directory) : [];
      if (!checked.ok || stranded.length || channels.length) return { ok: false, issues: [...(checked.ok ? [] : checked.issues), ...stranded, ...channels] };
      const before = w.base === state.revision ? state.snapshot : w.base === 0 ? {} : (await getRevision(db, w.base))?.directory;
      if (!before) return { ok: false, issues: [{ path: [], message: `没有版本 ${w.base}` }] };
      const changes = diffDirectory(before, checked.directory);
      if (w.dryRun || changes.length === 0) return { ok: true, revision: w.base, changes, written: false };
      const now = opts.now();
      const revision = await db.transaction().execute(async (tx) => {
        const id = await insertRevision(tx, { base: w.base, author: w.author, source: w.source, note: w.note ?? null, directory: checked.directory, changes }, now);
        await writeDirectoryRows(tx, composeConfig(settings, checked.directory), now);
        await w.inTransaction?.(tx);
        return id;
      });
      logger.info('directory.revised', { revision, author: w.author, source: w.source, changes: changes.length });
      await reload();
      return { ok: true, revision, changes, written: true };
    },
    memo: () => ({ file: settings, revision: state.revision, state, checkedAt: lastPoll }),
  };
}
