// The request-log thread's body (see request-log-thread.ts): its own connection to the store's
// database file, taking batches of rows and prunings in the order they were sent and answering
// each with its id. Checkpoints of the write-ahead log (and their fsync) happen here, off the
// gateway's event loop.

import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { RequestLogRecord } from '../store.ts';
import { insertRequestLogs, pruneRequestLogs } from './request-log-rows.ts';
import { statementCache } from './statements.ts';

/** What the store asks of the thread. */
export type LogThreadWork =
  | { readonly kind: 'append'; readonly rows: readonly RequestLogRecord[] }
  | { readonly kind: 'prune'; readonly olderThan: string }
  | { readonly kind: 'close' };

export type LogThreadRequest = LogThreadWork & { readonly id: number };

export type LogThreadReply = { readonly id: number; readonly result?: number; readonly error?: string };

const port = parentPort;
if (port !== null) {
  const db = new DatabaseSync((workerData as { path: string }).path);
  // A write transaction of the store's own connection can span awaits: wait for it rather than fail.
  db.exec('PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;');
  const stmt = statementCache(db);
  port.on('message', (request: LogThreadRequest) => {
    let reply: LogThreadReply;
    try {
      if (request.kind === 'append') {
        insertRequestLogs(db, stmt, request.rows);
        reply = { id: request.id };
      } else if (request.kind === 'prune') {
        reply = { id: request.id, result: pruneRequestLogs(stmt, request.olderThan) };
      } else {
        db.close();
        port.postMessage({ id: request.id } satisfies LogThreadReply);
        port.close();
        return;
      }
    } catch (error) {
      reply = { id: request.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}
