// The request-log thread's body (see request-log-thread.ts): its own connection to the store's
// database file, taking batches of rows and prunings in the order they were sent and answering
// each with its id. Checkpoints of the write-ahead log (and their fsync) happen here, off the
// gateway's event loop.

import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { insertRequestLogs, type LogValue, pruneRequestLogs } from './request-log-rows.ts';
import { statementCache } from './statements.ts';

/** What the store asks of the thread. */
export type LogThreadWork =
  | { readonly kind: 'append'; readonly values: readonly LogValue[] }
  | { readonly kind: 'prune'; readonly olderThan: string }
  | { readonly kind: 'close' };

export type LogThreadRequest = LogThreadWork & { readonly id: number };

export type LogThreadReply = { readonly id: number; readonly result?: number; readonly error?: string };

/**
 * The thread's connection. `mode=rw` opens the store's database file, never creates it: a thread
 * started after the file was moved away (its first request, or a new thread after a failure)
 * would otherwise leave an empty database at the path, which a gateway would then take for the
 * store and serve nothing. Each request tries again until the file is back.
 */
function openLogDatabase(path: string): DatabaseSync {
  const url = pathToFileURL(path);
  url.search = 'mode=rw';
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(url);
  } catch (error) {
    throw new Error(`cannot open the database file ${path} for request logs: ${(error as Error).message}`);
  }
  // A write transaction of the store's own connection can span awaits: wait for it rather than fail.
  db.exec('PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;');
  return db;
}

const port = parentPort;
if (port !== null) {
  const path = (workerData as { path: string }).path;
  let connection: { readonly db: DatabaseSync; readonly stmt: (sql: string) => StatementSync } | undefined;
  port.on('message', (request: LogThreadRequest) => {
    let reply: LogThreadReply;
    try {
      if (request.kind === 'close') {
        connection?.db.close();
        port.postMessage({ id: request.id } satisfies LogThreadReply);
        port.close();
        return;
      }
      if (connection === undefined) {
        const db = openLogDatabase(path);
        connection = { db, stmt: statementCache(db) };
      }
      const { db, stmt } = connection;
      if (request.kind === 'append') {
        insertRequestLogs(db, stmt, request.values);
        reply = { id: request.id };
      } else {
        reply = { id: request.id, result: pruneRequestLogs(stmt, request.olderThan) };
      }
    } catch (error) {
      reply = { id: request.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}
