import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { recordFilter } from '../record-filter.ts';
import type { RequestLogQuery, RequestLogRecord } from '../store.ts';

/**
 * Writing request-log rows to SQLite, shared by the store's own connection and the request-log
 * thread's (request-log-thread.ts). A batch is one transaction; its rows go in by the block,
 * one statement per LOG_BLOCK rows, since a statement run costs more than binding its values.
 */

/** Request-log rows per insert statement. */
export const LOG_BLOCK = 50;
const LOG_COLUMNS = 17;
/** Where a row's workspace and time are among its column values (the order of `insertLogs`). */
const TIME = 0;
const WORKSPACE = 3;
const insertLogStatements = new Map<number, string>();

/** One column value of a request-log row. */
export type LogValue = string | number | null;

/**
 * A batch of request-log rows as one flat list of their column values, LOG_COLUMNS per row: what
 * crosses to the request-log thread. A list of records would carry every field's name with every
 * record, and the thread would build an object per record to read them back.
 */
export function logRowValues(rows: readonly RequestLogRecord[]): LogValue[] {
  const values: LogValue[] = new Array(rows.length * LOG_COLUMNS);
  for (let i = 0; i < rows.length; i++) logValues(rows[i], values, i * LOG_COLUMNS);
  return values;
}

/**
 * Inserts a batch (`logRowValues`) in one transaction (`BEGIN IMMEDIATE`: the write lock is
 * taken, or waited for, at once), grouped by workspace, each workspace's rows in their order,
 * and records each workspace's group as a block of consecutive ids (`request_log_blocks`), through
 * which its records are found. Every row then goes in at the end of the table and of its time
 * index; an index entry per row by (workspace, time) went in at as many places as a batch had
 * workspaces, and cost 9–12 µs per row over 10–30 workspaces against 6–7 µs now. Queries order
 * by time, so only rows of the same millisecond in different workspaces can trade places.
 */
export function insertRequestLogs(db: DatabaseSync, stmt: (sql: string) => StatementSync, values: readonly LogValue[]): void {
  const count = values.length / LOG_COLUMNS;
  if (count === 0) return;
  const order = byWorkspace(values, count);
  db.exec('BEGIN IMMEDIATE');
  try {
    let at = 0;
    if (count >= LOG_BLOCK) {
      const block = stmt(insertLogs(LOG_BLOCK));
      const blockValues: LogValue[] = new Array(LOG_BLOCK * LOG_COLUMNS);
      for (; at + LOG_BLOCK <= count; at += LOG_BLOCK) {
        for (let i = 0; i < LOG_BLOCK; i++) copyRow(values, order[at + i], blockValues, i);
        block.run(...blockValues);
      }
    }
    if (at < count) {
      const one = stmt(insertLogs(1));
      const rowValues: LogValue[] = new Array(LOG_COLUMNS);
      for (; at < count; at++) {
        copyRow(values, order[at], rowValues, 0);
        one.run(...rowValues);
      }
    }
    // The batch's ids are consecutive: the write lock is held, and ids only grow (AUTOINCREMENT).
    const lastId = Number((stmt('SELECT last_insert_rowid() AS id').get() as { id: number | bigint }).id);
    const firstId = lastId - count + 1;
    const addBlock = stmt('INSERT INTO request_log_blocks (workspace, first_id, last_id, first_time, last_time) VALUES (?, ?, ?, ?, ?)');
    for (let start = 0; start < count; ) {
      const workspace = values[order[start] * LOG_COLUMNS + WORKSPACE];
      let firstTime = values[order[start] * LOG_COLUMNS + TIME] as string;
      let lastTime = firstTime;
      let end = start + 1;
      for (; end < count && values[order[end] * LOG_COLUMNS + WORKSPACE] === workspace; end++) {
        const time = values[order[end] * LOG_COLUMNS + TIME] as string;
        if (time < firstTime) firstTime = time;
        if (time > lastTime) lastTime = time;
      }
      addBlock.run(workspace, firstId + start, firstId + end - 1, firstTime, lastTime);
      start = end;
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** The batch's row numbers grouped by workspace (a stable sort: each workspace's rows keep their order). */
function byWorkspace(values: readonly LogValue[], count: number): number[] {
  const order = new Array<number>(count);
  let mixed = false;
  const first = values[WORKSPACE];
  for (let i = 0; i < count; i++) {
    order[i] = i;
    if (values[i * LOG_COLUMNS + WORKSPACE] !== first) mixed = true;
  }
  if (!mixed) return order;
  return order.sort((a, b) => {
    const wa = values[a * LOG_COLUMNS + WORKSPACE] as string;
    const wb = values[b * LOG_COLUMNS + WORKSPACE] as string;
    return wa < wb ? -1 : wa > wb ? 1 : a - b;
  });
}

function copyRow(from: readonly LogValue[], row: number, to: LogValue[], at: number): void {
  const src = row * LOG_COLUMNS;
  const dst = at * LOG_COLUMNS;
  for (let c = 0; c < LOG_COLUMNS; c++) to[dst + c] = from[src + c];
}

type Row = Record<string, unknown>;

const newestFirst = (a: Row, b: Row): number => {
  const ta = a.time as string;
  const tb = b.time as string;
  return ta < tb ? 1 : ta > tb ? -1 : Number(b.id) - Number(a.id);
};

/**
 * A workspace's records matching `query`, newest first (by time, then id), and how many match:
 * read through the workspace's blocks, the newest first. Every row of a block is at most as
 * recent as its last time, so once `skip + top` rows are at hand and the next block ends before
 * the oldest of them, no later block can hold one that belongs on the page — whatever order
 * several gateway processes wrote their blocks in.
 */
export function workspaceLogRows(stmt: (sql: string) => StatementSync, query: RequestLogQuery & { readonly workspace: string }): { rows: Row[]; count: number } {
  const { clauses, params } = recordFilter({ ...query, workspace: undefined }, () => '?');
  const rowFilter = clauses.map((clause) => ` AND ${clause}`).join('');
  let blockFilter = 'b.workspace = ?';
  const blockParams: string[] = [query.workspace];
  if (query.from) {
    blockFilter += ' AND b.last_time >= ?';
    blockParams.push(query.from);
  }
  if (query.to) {
    blockFilter += ' AND b.first_time <= ?';
    blockParams.push(query.to);
  }
  // CROSS JOIN keeps this order: the workspace's blocks, then each block's id range.
  const count = Number(
    (stmt(`SELECT count(*) AS n FROM request_log_blocks b CROSS JOIN request_logs r ON r.id BETWEEN b.first_id AND b.last_id AND r.workspace = b.workspace WHERE ${blockFilter}${rowFilter}`).get(...blockParams, ...params) as { n: number }).n,
  );
  const need = query.skip + query.top;
  let found: Row[] = [];
  if (need > 0 && count > 0) {
    const blockRows = stmt(`SELECT r.* FROM request_logs r WHERE r.id BETWEEN ? AND ? AND r.workspace = ?${rowFilter}`);
    const blocks = stmt(`SELECT b.first_id, b.last_id, b.last_time FROM request_log_blocks b WHERE ${blockFilter} ORDER BY b.last_time DESC`);
    for (const block of blocks.iterate(...blockParams) as Iterable<{ first_id: number; last_id: number; last_time: string }>) {
      if (found.length >= need && block.last_time < (found[need - 1].time as string)) break;
      const rows = blockRows.all(block.first_id, block.last_id, query.workspace, ...params) as Row[];
      if (rows.length === 0) continue;
      found = found.concat(rows);
      if (found.length >= need) {
        found.sort(newestFirst);
        found.length = need;
      }
    }
    found.sort(newestFirst);
  }
  return { rows: found.slice(query.skip, need), count };
}

/** Deletes the records older than `olderThan` (ISO 8601); answers how many. */
export function pruneRequestLogs(stmt: (sql: string) => StatementSync, olderThan: string): number {
  stmt('DELETE FROM request_log_blocks WHERE last_time < ?').run(olderThan);
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
function logValues(r: RequestLogRecord, values: LogValue[], at: number): void {
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
