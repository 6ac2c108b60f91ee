import type { OutboundAdapter } from '../adapters/types';
import { CHINA_CALENDAR } from './calendar/china-calendar';
import type { GongzhiConfig } from './config/schema';
import type { Db } from './db/database';
import { createWorkCalendar } from './domain/calendar';
import type { Classifier } from './domain/classifier/types';
import { createDefaultClassifier } from './domain/classifier/default';
import { createLearningClassifier } from './pipeline/learning';
import type { Platform } from './domain/message';
import { createSlaClock, type SlaClock } from './domain/sla';
import type { Logger } from './logger';
import { createOutboxDrainer, type OutboxDrainer } from './outbox/drainer';
import { createWebhookDispatcher, type WebhookDispatcher } from './outbox/webhooks';
import { createPipeline, type Pipeline } from './pipeline/receive';
import { createPhotoFetcher, type PhotoSources } from './pipeline/attachments';
import type { DirectoryCache } from './pipeline/directory-cache';
import { createChatClassifier, type ChatClassifier } from './llm/chat-classifier';
import { createStaticDirectory, type LiveDirectory } from './directory/live';
import type { DirectorySource } from './directory/platform-sources';

export interface Services {
  db: Db;
  /** The file's settings with the directory's latest revision (it changes while running: read it when needed). */
  readonly config: GongzhiConfig;
  /** The directory in the database: revisions, live reload, writes (src/directory/live.ts). */
  liveDirectory: LiveDirectory;
  /** Contacts APIs the directory can be synced from (WeCom, DingTalk), as the environment configures them. */
  directorySources: DirectorySource[];
  classifier: Classifier;
  sla: SlaClock;
  pipeline: Pipeline;
  drainer: OutboxDrainer;
  /** Outgoing webhooks (a no-op when none are configured). */
  webhooks: WebhookDispatcher;
  directory: DirectoryCache;
  /**
   * Webhooks acknowledge as soon as a message is stored and work in the background (a pooled
   * PostgreSQL); with one embedded connection they finish the work before acknowledging.
   */
  ackFirst: boolean;
  defer: (work: Promise<unknown>) => void;
  logger: Logger;
  now: () => Date;
}

export interface ServicesOptions {
  db: Db;
  config: GongzhiConfig;
  logger: Logger;
  adapters: Partial<Record<Platform, OutboundAdapter>>;
  now?: () => Date;
  classifier?: Classifier;
  /**
   * Runs work after the response: Workers pass `ctx.waitUntil`, so a drain started by a
   * webhook survives the request; on Node a floating promise is enough.
   */
  defer?: (work: Promise<unknown>) => void;
  /** Transactions the pipeline runs at once: a PostgreSQL pool allows several, PGlite one. */
  concurrency?: number;
  /** Outbound HTTP for webhooks and the LLM (tests point it at loopback servers). */
  fetch?: typeof fetch;
  /** GONGZHI_LLM_API_KEY: required when classifier.llm is configured with `auth: bearer`. */
  llmApiKey?: string;
  /** How each platform's chat photos are downloaded (createPhotoSources builds them from the credentials). */
  photoSources?: PhotoSources;
  /** The directory from the database (bootstrap opens it); without one, the file's directory, read-only. */
  directory?: LiveDirectory;
  directorySources?: DirectorySource[];
}

/** The runtime-independent core: Node and Workers both build it from here. */
export function createServices(opts: ServicesOptions): Services {
  const now = opts.now ?? (() => new Date());
  const calendar = createWorkCalendar(CHINA_CALENDAR, opts.config.calendar);
  const sla = createSlaClock(calendar, opts.config.sla);
  // The shipped model plus this deployment's staff corrections, shared through the database.
  const learning = opts.classifier ? null : createLearningClassifier(createDefaultClassifier(), { now });
  const classifier = opts.classifier ?? learning!;
  const drainer = createOutboxDrainer({
    db: opts.db,
    adapters: opts.adapters,
    now,
    logger: opts.logger,
    perMinute: opts.config.delivery.perMinute,
    coalesceAt: opts.config.delivery.coalesceAt,
  });
  const defer = opts.defer ?? ((work: Promise<unknown>) => void work.catch((e) => opts.logger.error('background.failed', { error: (e as Error).message })));
  const webhooks = createWebhookDispatcher({ db: opts.db, hooks: opts.config.webhooks, now, logger: opts.logger, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  // Whatever wrote posts also wrote ticket events: both go out straight after the commit.
  const onOutbox = () => {
    defer(drainer.drainOnce());
    defer(webhooks.deliverOnce());
  };
  const live = opts.directory ?? createStaticDirectory(opts.config);
  const directory = delegatingCache(live);
  const llm = createConfiguredChatClassifier(opts, now);
  const photos = createPhotoFetcher({ sources: opts.photoSources ?? {}, logger: opts.logger, timeoutMs: opts.config.chatPhotos.downloadTimeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const pipeline = livePipeline(live, () =>
    createPipeline(
      {
        db: opts.db,
        get config() {
          return live.config;
        },
        classifier,
        ...(learning ? { learning } : {}),
        ...(llm ? { llm } : {}),
        sla,
        directory,
        now,
        onOutbox,
        photos,
      },
      { concurrency: opts.concurrency ?? 1 },
    ),
  );
  return {
    db: opts.db,
    get config() {
      return live.config;
    },
    liveDirectory: live,
    directorySources: opts.directorySources ?? [],
    classifier,
    sla,
    pipeline,
    drainer,
    webhooks,
    directory,
    ackFirst: (opts.concurrency ?? 1) > 1,
    logger: opts.logger,
    now,
    defer,
  };
}

/** Always the live directory's current cache, so holders of `services.directory` never go stale. */
function delegatingCache(live: LiveDirectory): DirectoryCache {
  return new Proxy({} as DirectoryCache, {
    get(_target, key) {
      const value: unknown = Reflect.get(live.cache, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(live.cache) : value;
    },
    has: (_target, key) => Reflect.has(live.cache, key),
  });
}

/**
 * Every pipeline call first lets the directory catch up (a poll every few seconds); after a new
 * revision the next call gets a fresh pipeline, whose per-process caches (known groups) start
 * empty, while calls already in the old one finish there.
 */
function livePipeline(live: LiveDirectory, make: () => Pipeline): Pipeline {
  let current = { revision: live.revision, pipeline: make() };
  const now = () => {
    if (current.revision !== live.revision) current = { revision: live.revision, pipeline: make() };
    return current.pipeline;
  };
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const key of Object.keys(current.pipeline)) {
    wrapped[key] = async (...args: unknown[]) => {
      await live.catchUp();
      const p = now() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return p[key]!(...args);
    };
  }
  return wrapped as unknown as Pipeline;
}

export class LlmConfigError extends Error {}

/** classifier.llm from the configuration, with its key from the environment; null when not configured. */
function createConfiguredChatClassifier(opts: ServicesOptions, now: () => Date): ChatClassifier | null {
  const cfg = opts.config.classifier.llm;
  if (!cfg) return null;
  const apiKey = opts.llmApiKey?.trim() || undefined;
  if (cfg.auth === 'bearer' && !apiKey) {
    throw new LlmConfigError('classifier.llm 需要密钥：请设置环境变量 GONGZHI_LLM_API_KEY；本地部署的模型服务（vLLM、Ollama）不需要密钥时，在配置里写 auth: none（classifier.llm is configured with auth: bearer but GONGZHI_LLM_API_KEY is not set）');
  }
  return createChatClassifier({
    url: cfg.url,
    model: cfg.model,
    ...(apiKey && cfg.auth === 'bearer' ? { apiKey } : {}),
    timeoutMs: cfg.timeoutMs,
    dailyBudget: cfg.dailyBudget,
    maskPersonalData: cfg.maskPersonalData,
    breaker: { failures: cfg.breaker.failures, cooldownMs: cfg.breaker.cooldownSeconds * 1000 },
    now,
    logger: opts.logger,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}
