import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { sqliteMigrations } from '../migrations.ts';
import { recordFilter } from '../record-filter.ts';
import { insertRequestLogs, logRowValues, pruneRequestLogs, workspaceLogRows } from './request-log-rows.ts';
import { statementCache } from './statements.ts';
import { createRequestLogThread, type RequestLogThread } from './request-log-thread.ts';
import {
  StoreError,
  prefixEnd,
  type Change,
  type ListQuery,
  type ListResult,
  type NewRecord,
  type Reference,
  type AuditEntry,
  type AuditQuery,
  type Page,
  type RequestLogQuery,
  type RequestLogRecord,
  type ResourceRecord,
  type Store,
  type StoreReader,
  type StoreTx,
} from '../store.ts';

interface Row {
  key: string;
  id: string;
  kind: string;
  parent_key: string;
  workspace: string;
  name: string;
  unique_key: string | null;
  properties: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

/**
 * The embedded store on `node:sqlite`. One writer connection (writes are serialized by a
 * promise chain, since a transaction spans awaits) and one reader connection, in WAL mode, so
 * reads never see a transaction that has not committed.
 */
export function openSqliteStore(path: string, options: { now?: () => Date } = {}): Store {
  const now = options.now ?? (() => new Date());
  const writer = new DatabaseSync(path);
  writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  migrate(writer);
  const reader = new DatabaseSync(path, { readOnly: true });
  reader.exec('PRAGMA busy_timeout = 5000;');

  const readerOps = createReader(reader);
  const writerOps = createReader(writer);
  const listeners = new Set<(revision: number) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const stmt = statementCache(writer);
  // A database file gets its request-log writes in a thread of their own; an in-memory one
  // (a connection's own) keeps them here.
  const logThread: RequestLogThread | undefined = inMemory(path) ? undefined : createRequestLogThread(path);

  /** Runs work on the writer connection between transactions. */
  const exclusive = <T>(work: () => T): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  const write = <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> => {
    const run = async (): Promise<T> => {
      if (closed) throw new StoreError('STORE_UNAVAILABLE', 'the store is closed');
      writer.exec('BEGIN IMMEDIATE');
      let revision: number;
      try {
        const current = Number((stmt("SELECT value FROM meta WHERE key = 'revision'").get() as { value: string }).value);
        revision = current + 1;
        stmt("UPDATE meta SET value = ? WHERE key = 'revision'").run(String(revision));
        const tx: StoreTx = {
          ...writerOps,
          revision,
          async put(record: NewRecord): Promise<ResourceRecord> {
            const existing = stmt('SELECT created_at FROM resources WHERE key = ?').get(record.key) as { created_at: string } | undefined;
            const at = now().toISOString();
            const createdAt = existing?.created_at ?? at;
            try {
              stmt(
                `INSERT INTO resources (key, id, kind, parent_key, workspace, name, unique_key, properties, revision, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (key) DO UPDATE SET id = excluded.id, kind = excluded.kind, parent_key = excluded.parent_key,
                   workspace = excluded.workspace, name = excluded.name, unique_key = excluded.unique_key,
                   properties = excluded.properties, revision = excluded.revision, updated_at = excluded.updated_at`,
              ).run(record.key, record.id, record.kind, record.parentKey, record.workspace, record.name, record.uniqueKey, JSON.stringify(record.properties), revision, createdAt, at);
            } catch (error) {
              if (String((error as Error).message).includes('UNIQUE constraint failed')) {
                throw new StoreError('UNIQUE_VIOLATION', `unique key ${record.uniqueKey} is taken`);
              }
              throw error;
            }
            recordChange(record.key, record.kind, record.workspace, 'put');
            return { ...record, revision, createdAt, updatedAt: at };
          },
          async delete(key: string): Promise<boolean> {
            const row = stmt('SELECT kind, workspace FROM resources WHERE key = ?').get(key) as { kind: string; workspace: string } | undefined;
            if (!row) return false;
            stmt('DELETE FROM resources WHERE key = ?').run(key);
            stmt('DELETE FROM refs WHERE from_key = ?').run(key);
            recordChange(key, row.kind, row.workspace, 'delete');
            return true;
          },
          async setReferences(fromKey: string, refs: readonly Omit<Reference, 'fromKey'>[]): Promise<void> {
            stmt('DELETE FROM refs WHERE from_key = ?').run(fromKey);
            for (const ref of refs) stmt('INSERT OR IGNORE INTO refs (from_key, to_key, property) VALUES (?, ?, ?)').run(fromKey, ref.toKey, ref.property);
          },
          async setMeta(key: string, value: string): Promise<void> {
            stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
          },
          async appendAudit(entry: AuditEntry): Promise<void> {
            insertAudit(stmt, entry);
          },
        };
        function recordChange(key: string, kind: string, workspace: string, op: 'put' | 'delete'): void {
          stmt('INSERT INTO changes (revision, key, kind, workspace, op) VALUES (?, ?, ?, ?, ?) ON CONFLICT (revision, key) DO UPDATE SET op = excluded.op').run(revision, key, kind, workspace, op);
        }
        const result = await fn(tx);
        writer.exec('COMMIT');
        for (const listener of listeners) queueMicrotask(() => listener(revision));
        return result;
      } catch (error) {
        if (writer.isTransaction) writer.exec('ROLLBACK');
        throw error;
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    dialect: 'sqlite',
    ...readerOps,
    write,
    async changesSince(revision: number, limit = 10_000): Promise<readonly Change[]> {
      const rows = readerOps.raw('SELECT revision, key, kind, workspace, op FROM changes WHERE revision > ? ORDER BY revision, key LIMIT ?').all(revision, limit) as unknown as Change[];
      return rows.map((r) => ({ revision: Number(r.revision), key: r.key, kind: r.kind, workspace: r.workspace, op: r.op }));
    },
    async currentRevision(): Promise<number> {
      return Number((readerOps.raw("SELECT value FROM meta WHERE key = 'revision'").get() as { value: string }).value);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async appendRequestLogs(rows: readonly RequestLogRecord[]): Promise<void> {
      if (rows.length === 0) return;
      if (logThread !== undefined) return logThread.append(rows);
      await exclusive(() => insertRequestLogs(writer, stmt, logRowValues(rows)));
    },
    async queryRequestLogs(query: RequestLogQuery): Promise<Page<RequestLogRecord>> {
      if (query.workspace !== undefined) {
        const { rows, count } = workspaceLogRows(readerOps.raw, { ...query, workspace: query.workspace });
        return { items: rows.map(toLogRecord), count };
      }
      const { where, params } = recordFilter(query, () => '?');
      const count = Number((readerOps.raw(`SELECT count(*) AS n FROM request_logs ${where}`).get(...params) as { n: number }).n);
      const rows = readerOps.raw(`SELECT * FROM request_logs ${where} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`).all(...params, query.top, query.skip) as Record<string, unknown>[];
      return { items: rows.map(toLogRecord), count };
    },
    async pruneRequestLogs(olderThan: Date): Promise<number> {
      if (logThread !== undefined) return logThread.prune(olderThan);
      return exclusive(() => pruneRequestLogs(stmt, olderThan.toISOString()));
    },
    async appendAudit(entry: AuditEntry): Promise<void> {
      await exclusive(() => insertAudit(stmt, entry));
    },
    async queryAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
      const { where, params } = recordFilter(query, () => '?');
      const count = Number((readerOps.raw(`SELECT count(*) AS n FROM audit_log ${where}`).get(...params) as { n: number }).n);
      const rows = readerOps.raw(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...params, query.top, query.skip) as Record<string, unknown>[];
      return {
        items: rows.map((r) => ({
          time: String(r.time),
          requestId: String(r.request_id),
          principal: String(r.principal),
          action: String(r.action),
          resourceId: String(r.resource_id),
          workspace: String(r.workspace),
          outcome: r.outcome as AuditEntry['outcome'],
          status: Number(r.status),
        })),
        count,
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await queue;
      await logThread?.close();
      reader.close();
      writer.close();
    },
  };
}

function insertAudit(stmt: (sql: string) => StatementSync, entry: AuditEntry): void {
  stmt('INSERT INTO audit_log (time, request_id, principal, action, resource_id, workspace, outcome, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    entry.time,
    entry.requestId,
    entry.principal,
    entry.action,
    entry.resourceId,
    entry.workspace,
    entry.outcome,
    entry.status,
  );
}

function toLogRecord(r: Record<string, unknown>): RequestLogRecord {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    time: String(r.time),
    requestId: String(r.request_id),
    gateway: String(r.gateway),
    workspace: String(r.workspace),
    apiId: text(r.api_id),
    operationId: text(r.operation_id),
    productId: text(r.product_id),
    subscriptionId: text(r.subscription_id),
    method: String(r.method),
    url: String(r.url),
    status: Number(r.status),
    responseTimeMs: Number(r.response_time_ms),
    backendTimeMs: r.backend_time_ms === null ? null : Number(r.backend_time_ms),
    requestSize: Number(r.request_size),
    responseSize: Number(r.response_size),
    clientIp: String(r.client_ip),
    error: text(r.error),
  };
}

function createReader(db: DatabaseSync): StoreReader & { raw: (sql: string) => StatementSync } {
  const stmt = statementCache(db);
  return {
    raw: stmt,
    async get(key) {
      const row = stmt('SELECT * FROM resources WHERE key = ?').get(key) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    async getByUniqueKey(uniqueKey) {
      const row = stmt('SELECT * FROM resources WHERE unique_key = ?').get(uniqueKey) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    async list(query: ListQuery): Promise<ListResult> {
      const skip = query.skip ?? 0;
      const top = query.top ?? Number.MAX_SAFE_INTEGER;
      if (query.where) {
        const rows = stmt('SELECT * FROM resources WHERE parent_key = ? AND kind = ? ORDER BY name').all(query.parentKey, query.kind) as unknown as Row[];
        const matching = rows.map(toRecord).filter(query.where);
        return { items: matching.slice(skip, skip + top), count: matching.length };
      }
      const count = Number((stmt('SELECT count(*) AS n FROM resources WHERE parent_key = ? AND kind = ?').get(query.parentKey, query.kind) as { n: number }).n);
      const rows = stmt('SELECT * FROM resources WHERE parent_key = ? AND kind = ? ORDER BY name LIMIT ? OFFSET ?').all(
        query.parentKey,
        query.kind,
        Math.min(top, 1_000_000_000),
        skip,
      ) as unknown as Row[];
      return { items: rows.map(toRecord), count };
    },
    async listByPrefix(prefix) {
      const rows = stmt('SELECT * FROM resources WHERE key >= ? AND key < ? ORDER BY key').all(prefix, prefixEnd(prefix)) as unknown as Row[];
      return rows.map(toRecord);
    },
    async referencesTo(toKey) {
      const rows = stmt('SELECT from_key, to_key, property FROM refs WHERE to_key = ?').all(toKey) as unknown as { from_key: string; to_key: string; property: string }[];
      return rows.map((r) => ({ fromKey: r.from_key, toKey: r.to_key, property: r.property }));
    },
    async referencesFrom(fromKey) {
      const rows = stmt('SELECT from_key, to_key, property FROM refs WHERE from_key = ?').all(fromKey) as unknown as { from_key: string; to_key: string; property: string }[];
      return rows.map((r) => ({ fromKey: r.from_key, toKey: r.to_key, property: r.property }));
    },
    async getMeta(key) {
      const row = stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
      return row?.value;
    },
  };
}

function toRecord(row: Row): ResourceRecord {
  return {
    key: row.key,
    id: row.id,
    kind: row.kind,
    parentKey: row.parent_key,
    workspace: row.workspace,
    name: row.name,
    uniqueKey: row.unique_key,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    revision: Number(row.revision),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => Number(r.version)));
  for (const migration of sqliteMigrations) {
    if (applied.has(migration.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new StoreError('MIGRATION_FAILED', `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
    }
  }
}

function inMemory(path: string): boolean {
  return path === '' || path === ':memory:' || path.startsWith('file::memory:') || path.includes('mode=memory');
}
