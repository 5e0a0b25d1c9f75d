import { Worker } from 'node:worker_threads';
import type { RequestLogRecord } from '../store.ts';
import { logRowValues } from './request-log-rows.ts';
import type { LogThreadReply, LogThreadWork } from './request-log-worker.ts';

/**
 * Request-log writes of a file-backed SQLite store, in a thread of their own with its own
 * connection: a batch's inserts, commit and the checkpoints that follow (with their fsync) never
 * block the gateway's event loop. Requests are answered in the order they were sent. The thread
 * starts with the first request; it keeps the process alive only while a request is pending,
 * and one that fails (or a thread that dies) rejects the request, which the request-log writer
 * queues again. A new thread starts with the next request.
 */
export interface RequestLogThread {
  append(rows: readonly RequestLogRecord[]): Promise<void>;
  prune(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

type Pending = { resolve: (result: number) => void; reject: (error: Error) => void };

export function createRequestLogThread(path: string): RequestLogThread {
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let closed = false;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error): void => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const start = (): Worker => {
    const w = new Worker(new URL('./request-log-worker.ts', import.meta.url), { workerData: { path } });
    w.unref();
    w.on('message', (reply: LogThreadReply) => {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.error !== undefined) p.reject(new Error(reply.error));
      else p.resolve(reply.result ?? 0);
    });
    w.on('error', (error: unknown) => failAll(error instanceof Error ? error : new Error(String(error))));
    exited = new Promise((resolve) =>
      w.once('exit', () => {
        if (worker === w) worker = undefined;
        failAll(new Error('the request-log thread stopped'));
        resolve();
      }),
    );
    return w;
  };

  const send = (request: LogThreadWork): Promise<number> => {
    if (closed && request.kind !== 'close') return Promise.reject(new Error('the store is closed'));
    const w = (worker ??= start());
    const id = ++nextId;
    return new Promise<number>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ ...request, id });
    });
  };

  return {
    async append(rows) {
      if (rows.length > 0) await send({ kind: 'append', values: logRowValues(rows) });
    },
    prune: (olderThan) => send({ kind: 'prune', olderThan: olderThan.toISOString() }),
    async close() {
      if (closed) return;
      closed = true;
      if (worker === undefined) return;
      const done = exited;
      // Answered after every request sent before it; the thread then closes its connection and ends.
      await send({ kind: 'close' }).catch(() => undefined);
      await done;
    },
  };
}
