/** The outcome of one item in a batch: a batch may succeed for some items and fail for others. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions<I, O> {
  /** Does the work for a batch; returns one outcome per item, in order. A throw fails every item. */
  run(items: I[]): Promise<Array<Settled<O>>>;
  /** Items one run takes at most. */
  maxBatch: number;
  /** Runs in flight at once (connections the work may hold). */
  concurrency: number;
  /** Errors that say nothing about the item (a deadlock): it goes round again, up to maxRetries times. */
  retryable?: (error: unknown) => boolean;
  maxRetries?: number;
}

export interface Batcher<I, O> {
  add(item: I): Promise<O>;
  /** Items waiting for a run. */
  readonly waiting: number;
}

/**
 * Group commit: an item that arrives while a run is in flight waits for the next one, which takes
 * everything queued. A lone item goes straight in; under load, one round trip (and one WAL flush)
 * serves many items. Knows nothing of what an item means.
 */
export function createBatcher<I, O>(opts: BatcherOptions<I, O>): Batcher<I, O> {
  interface Entry {
    item: I;
    attempts: number;
    resolve: (o: O) => void;
    reject: (e: unknown) => void;
  }
  const queue: Entry[] = [];
  let running = 0;
  const maxRetries = opts.maxRetries ?? 3;

  function settle(entry: Entry, r: Settled<O> | undefined): void {
    if (r?.ok) return entry.resolve(r.value);
    const error = r ? r.error : new Error('batch run returned no outcome for an item');
    if (opts.retryable?.(error) && entry.attempts < maxRetries) {
      queue.push({ ...entry, attempts: entry.attempts + 1 });
      return;
    }
    entry.reject(error);
  }

  async function flush(): Promise<void> {
    const batch = queue.splice(0, opts.maxBatch);
    let results: Array<Settled<O>>;
    try {
      results = await opts.run(batch.map((e) => e.item));
    } catch (error) {
      results = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((e, i) => settle(e, results[i]));
  }

  function pump(): void {
    while (running < opts.concurrency && queue.length > 0) {
      running++;
      void flush().finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    add: (item) =>
      new Promise<O>((resolve, reject) => {
        queue.push({ item, attempts: 0, resolve, reject });
        pump();
      }),
    get waiting() {
      return queue.length;
    },
  };
}
