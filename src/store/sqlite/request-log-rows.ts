import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RequestLogRecord } from '../store.ts';

/**
 * Writing request-log rows to SQLite, shared by the store's own connection and the request-log
 * thread's (request-log-thread.ts). A batch is one transaction; its rows go in by the block,
 * one statement per LOG_BLOCK rows, since a statement run costs more than binding its values.
 */

/** Request-log rows per insert statement. */
export const LOG_BLOCK = 50;
const LOG_COLUMNS = 17;
const insertLogStatements = new Map<number, string>();

/**
 * Inserts `rows` in one transaction (`BEGIN IMMEDIATE`: the write lock is taken, or waited for, at
 * once), grouped by workspace, each workspace's rows in their order: the (workspace, time) index
 * then takes each workspace's rows together instead of alternating between as many places in
 * it as there are workspaces. A batch of 500 rows over 30 workspaces cost 12.5 µs per row in
 * arrival order and 9.2 µs grouped (over 10 workspaces 8.5 and 6.5). Queries order by time, so
 * only rows of the same millisecond in different workspaces can trade places.
 */
export function insertRequestLogs(db: DatabaseSync, stmt: (sql: string) => StatementSync, batch: readonly RequestLogRecord[]): void {
  if (batch.length === 0) return;
  const rows = byWorkspace(batch);
  db.exec('BEGIN IMMEDIATE');
  try {
    let at = 0;
    if (rows.length >= LOG_BLOCK) {
      const block = stmt(insertLogs(LOG_BLOCK));
      const values: (string | number | null)[] = new Array(LOG_BLOCK * LOG_COLUMNS);
      for (; at + LOG_BLOCK <= rows.length; at += LOG_BLOCK) {
        for (let i = 0; i < LOG_BLOCK; i++) logValues(rows[at + i], values, i * LOG_COLUMNS);
        block.run(...values);
      }
    }
    if (at < rows.length) {
      const one = stmt(insertLogs(1));
      const values: (string | number | null)[] = new Array(LOG_COLUMNS);
      for (; at < rows.length; at++) {
        logValues(rows[at], values, 0);
        one.run(...values);
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** The rows grouped by workspace (a stable sort: each workspace's rows keep their order). */
function byWorkspace(rows: readonly RequestLogRecord[]): readonly RequestLogRecord[] {
  const first = rows[0].workspace;
  let mixed = false;
  for (let i = 1; i < rows.length && !mixed; i++) mixed = rows[i].workspace !== first;
  if (!mixed) return rows;
  return rows.slice().sort((a, b) => (a.workspace < b.workspace ? -1 : a.workspace > b.workspace ? 1 : 0));
}

/** Deletes the records older than `olderThan` (ISO 8601); answers how many. */
export function pruneRequestLogs(stmt: (sql: string) => StatementSync, olderThan: string): number {
  return Number(stmt('DELETE FROM request_logs WHERE time < ?').run(olderThan).changes);
}

function insertLogs(rows: number): string {
  let sql = insertLogStatements.get(rows);
  if (sql === undefined) {
    const row = `(${new Array(LOG_COLUMNS).fill('?').join(', ')})`;
    sql = `INSERT INTO request_logs (time, request_id, gateway, workspace, api_id, operation_id, product_id, subscription_id, method, url, status,
       response_time_ms, backend_time_ms, request_size, response_size, client_ip, error) VALUES ${new Array(rows).fill(row).join(', ')}`;
    insertLogStatements.set(rows, sql);
  }
  return sql;
}

/** Writes one record's column values into `values` from `at`, in the order of `insertLogs`. */
function logValues(r: RequestLogRecord, values: (string | number | null)[], at: number): void {
  values[at] = r.time;
  values[at + 1] = r.requestId;
  values[at + 2] = r.gateway;
  values[at + 3] = r.workspace;
  values[at + 4] = r.apiId;
  values[at + 5] = r.operationId;
  values[at + 6] = r.productId;
  values[at + 7] = r.subscriptionId;
  values[at + 8] = r.method;
  values[at + 9] = r.url;
  values[at + 10] = r.status;
  values[at + 11] = r.responseTimeMs;
  values[at + 12] = r.backendTimeMs;
  values[at + 13] = r.requestSize;
  values[at + 14] = r.responseSize;
  values[at + 15] = r.clientIp;
  values[at + 16] = r.error;
}
