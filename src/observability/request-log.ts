import type { RequestObserver, RequestOutcome } from '../gateway/handler.ts';
import type { RequestLogRecord } from '../store/store.ts';

export type { RequestLogRecord };

/**
 * Request logs (DESIGN.md §9): one record per gateway request, queued off the request path and
 * written to the store in batches — on an interval, when a batch is full, and on shutdown. The
 * queue is bounded: when the store cannot keep up or is unreachable, the oldest records are
 * dropped and counted, never the gateway's memory. Retention prunes old records periodically.
 */

/** The store's request-log methods the writer needs. */
export interface RequestLogSink {
  appendRequestLogs(rows: readonly RequestLogRecord[]): Promise<void>;
  pruneRequestLogs?(olderThan: Date): Promise<number>;
}

export interface RequestLogWriterOptions {
  readonly sink: RequestLogSink | undefined;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  readonly maxQueue?: number;
  /** How long records are kept; 0 keeps them forever. */
  readonly retentionMs?: number;
  readonly pruneIntervalMs?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

export interface RequestLogWriter extends RequestObserver {
  push(record: RequestLogRecord): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Replaces the sink (a gateway process whose store became reachable). */
  setSink(sink: RequestLogSink | undefined): void;
  stats(): { queued: number; written: number; dropped: number; failedBatches: number };
  /** Flushes and stops the timers. */
  close(): Promise<void>;
}

export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;

export function toRequestLogRecord(outcome: RequestOutcome): RequestLogRecord {
  const api = outcome.api;
  return {
    time: outcome.time,
    requestId: outcome.requestId,
    gateway: outcome.gatewayId,
    workspace: api?.workspace ?? '',
    apiId: api?.id ?? null,
    operationId: outcome.operation?.id ?? null,
    productId: outcome.productKey !== undefined ? (outcome.snapshot?.subscriptions.productIds.get(outcome.productKey) ?? outcome.productKey) : null,
    subscriptionId: outcome.subscription?.id ?? null,
    method: outcome.method,
    url: outcome.url,
    status: outcome.status,
    responseTimeMs: Math.round(outcome.responseTimeMs * 1000) / 1000,
    backendTimeMs: outcome.backendTimeMs === null ? null : Math.round(outcome.backendTimeMs * 1000) / 1000,
    requestSize: outcome.requestSize,
    responseSize: outcome.responseSize,
    clientIp: outcome.clientIp,
    error: outcome.error,
  };
}

/**
 * The writer's queue: first in, first out, bounded. Pushing and taking cost the same however
 * full it is — when the store cannot keep up, every request still pushes a record, and a queue
 * that shifted its whole content to make room (as `splice` at the front does) would cost each
 * request time in proportion to the bound: a gateway whose store failed ran three to five times
 * slower. When full, a push drops the oldest record. Grows by doubling up to its bound.
 */
export class RecordQueue<T> {
  #items: (T | undefined)[];
  /** Index of the oldest record. */
  #head = 0;
  #size = 0;
  #dropped = 0;
  readonly #bound: number;

  constructor(bound: number) {
    this.#bound = Math.max(1, bound);
    this.#items = new Array(Math.min(64, this.#bound));
  }

  get length(): number {
    return this.#size;
  }

  /** Records dropped so far to stay within the bound. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#size === this.#items.length && this.#size < this.#bound) this.#grow();
    if (this.#size === this.#items.length) {
      // Full at the bound: the newest takes the oldest's place.
      this.#items[this.#head] = item;
      this.#head = (this.#head + 1) % this.#items.length;
      this.#dropped++;
      return;
    }
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
  }

  /** Removes and returns up to `count` of the oldest records, oldest first. */
  take(count: number): T[] {
    const n = Math.min(count, this.#size);
    const out = new Array<T>(n);
    const capacity = this.#items.length;
    for (let i = 0; i < n; i++) {
      out[i] = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
    }
    this.#size -= n;
    return out;
  }

  /**
   * Puts records taken earlier (oldest first) back in front of the others, as far as the bound
   * allows: what does not fit is the oldest of them, and is dropped.
   */
  putBack(records: readonly T[]): void {
    while (this.#size + records.length > this.#items.length && this.#items.length < this.#bound) this.#grow();
    const keep = Math.min(records.length, this.#items.length - this.#size);
    this.#dropped += records.length - keep;
    const capacity = this.#items.length;
    for (let i = records.length - 1; i >= records.length - keep; i--) {
      this.#head = (this.#head - 1 + capacity) % capacity;
      this.#items[this.#head] = records[i];
      this.#size++;
    }
  }

  #grow(): void {
    const capacity = Math.min(this.#bound, this.#items.length * 2);
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) items[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = items;
    this.#head = 0;
  }
}

export function createRequestLogWriter(options: RequestLogWriterOptions): RequestLogWriter {
  const batchSize = options.batchSize ?? 500;
  const maxQueue = options.maxQueue ?? 100_000;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  let sink = options.sink;
  const queue = new RecordQueue<RequestLogRecord>(maxQueue);
  let written = 0;
  let failedBatches = 0;
  let writing: Promise<void> | undefined;
  let failing = false;

  const writeAll = async (): Promise<void> => {
    while (queue.length > 0 && sink) {
      const batch = queue.take(batchSize);
      try {
        await sink.appendRequestLogs(batch);
        written += batch.length;
        if (failing) log('request logs: writing again');
        failing = false;
      } catch (error) {
        failedBatches++;
        if (!failing) log(`request logs: cannot write (${(error as Error).message}); keeping up to ${maxQueue} records`);
        failing = true;
        // Put the batch back in front, within the bound; retry on the next interval.
        queue.putBack(batch);
        return;
      }
    }
  };

  const flush = (): Promise<void> => {
    if (writing) return writing.then(() => (queue.length > 0 && !failing ? flush() : undefined));
    writing = writeAll().finally(() => {
      writing = undefined;
    });
    return writing;
  };

  const interval = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  interval.unref();

  const prune = async (): Promise<void> => {
    if (!sink?.pruneRequestLogs || retentionMs <= 0) return;
    try {
      const removed = await sink.pruneRequestLogs(new Date(now().getTime() - retentionMs));
      if (removed > 0) log(`request logs: pruned ${removed} records older than the retention`);
    } catch (error) {
      log(`request logs: pruning failed (${(error as Error).message})`);
    }
  };
  const pruning = setInterval(() => void prune(), options.pruneIntervalMs ?? 3600_000);
  pruning.unref();
  // A first pruning soon after start, so that a process restarted often still honours the retention.
  const firstPrune = setTimeout(() => void prune(), 5_000);
  firstPrune.unref();

  const push = (record: RequestLogRecord): void => {
    queue.push(record);
    if (queue.length >= batchSize && !writing && !failing) void flush();
  };

  return {
    push,
    started: () => undefined,
    finished: (outcome) => push(toRequestLogRecord(outcome)),
    flush,
    setSink(next) {
      sink = next;
      failing = false;
      void prune();
    },
    stats: () => ({ queued: queue.length, written, dropped: queue.dropped, failedBatches }),
    async close() {
      clearInterval(interval);
      clearInterval(pruning);
      clearTimeout(firstPrune);
      failing = false;
      await flush();
    },
  };
}
