import pg from 'pg';
import { postgresMigrations } from '../migrations.ts';
import { recordFilter } from '../record-filter.ts';
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
  properties: Record<string, unknown>;
  revision: string | number;
  created_at: Date;
  updated_at: Date;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresStoreOptions {
  /** A schema to use (and create) instead of `public`: isolates test runs sharing one database. */
  readonly schema?: string;
  readonly poolSize?: number;
}


/**
 * The scale-out store on PostgreSQL. Every write transaction first bumps the revision row,
 * which serializes writers so that revisions follow commit order, and sends a NOTIFY inside the
 * transaction so followers in other processes learn of it at commit.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const setPath = schema ? `SET search_path TO "${schema}"` : undefined;
  const CHANNEL = schema ? `atrium_changes_${schema}` : 'atrium_changes';
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: schema ? `-c search_path=${schema}` : undefined });
  pool.on('error', () => undefined);

  const setup = await pool.connect().catch((error: Error) => {
    void pool.end();
    throw new StoreError('STORE_UNAVAILABLE', `cannot connect to PostgreSQL: ${error.message}`);
  });
  try {
    if (schema) await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    if (setPath) await setup.query(setPath);
    await migrate(setup);
  } finally {
    setup.release();
  }

  const listeners = new Set<(revision: number) => void>();
  let listenClient: pg.Client | undefined;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const notify = (revision: number): void => {
    for (const listener of listeners) listener(revision);
  };
  const startListening = async (): Promise<void> => {
    if (closed || listenClient) return;
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {
      if (listenClient === client) listenClient = undefined;
      void client.end().catch(() => undefined);
      scheduleReconnect();
    });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) notify(Number(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      listenClient = client;
      // Anything committed while not listening is caught up by followers through changesSince.
      notify(await currentRevision(pool));
    } catch {
      void client.end().catch(() => undefined);
      scheduleReconnect();
    }
  };
  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void startListening();
    }, 1000);
    reconnectTimer.unref();
  };

  const reader = createReader(pool);

  const write = async <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError('STORE_UNAVAILABLE', 'the store is closed');
    const client = await pool.connect().catch((error: Error) => {
      throw new StoreError('STORE_UNAVAILABLE', `cannot connect to PostgreSQL: ${error.message}`);
    });
    let broken: Error | undefined;
    try {
      // One round trip: open the transaction and take the revision (which serializes writers).
      const opened = (await client.query("BEGIN; UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'revision' RETURNING value")) as unknown as pg.QueryResult<{ value: string }>[];
      const revision = Number(opened[1].rows[0].value);
      const ops = createReader(client);
      const recordChange = async (key: string, kind: string, workspace: string, op: 'put' | 'delete'): Promise<void> => {
        await client.query(
          'INSERT INTO changes (revision, key, kind, workspace, op) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (revision, key) DO UPDATE SET op = excluded.op',
          [revision, key, kind, workspace, op],
        );
      };
      const tx: StoreTx = {
        ...ops,
        revision,
        async put(record: NewRecord): Promise<ResourceRecord> {
          const at = new Date();
          let result;
          try {
            // The record and its change-feed entry in one statement.
            result = await client.query<{ created_at: Date }>(
              `WITH written AS (
                 INSERT INTO resources (key, id, kind, parent_key, workspace, name, unique_key, properties, revision, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                 ON CONFLICT (key) DO UPDATE SET id = excluded.id, kind = excluded.kind, parent_key = excluded.parent_key,
                   workspace = excluded.workspace, name = excluded.name, unique_key = excluded.unique_key,
                   properties = excluded.properties, revision = excluded.revision, updated_at = excluded.updated_at
                 RETURNING created_at
               ), change AS (
                 INSERT INTO changes (revision, key, kind, workspace, op) VALUES ($9, $1, $3, $5, 'put')
                 ON CONFLICT (revision, key) DO UPDATE SET op = excluded.op
               )
               SELECT created_at FROM written`,
              [record.key, record.id, record.kind, record.parentKey, record.workspace, record.name, record.uniqueKey, JSON.stringify(record.properties), revision, at],
            );
          } catch (error) {
            if ((error as { code?: string }).code === '23505') {
              throw new StoreError('UNIQUE_VIOLATION', `unique key ${record.uniqueKey} is taken`);
            }
            throw error;
          }
          return { ...record, revision, createdAt: result.rows[0].created_at.toISOString(), updatedAt: at.toISOString() };
        },
        async delete(key: string): Promise<boolean> {
          const { rows: deleted } = await client.query<{ kind: string; workspace: string }>('DELETE FROM resources WHERE key = $1 RETURNING kind, workspace', [key]);
          if (deleted.length === 0) return false;
          await client.query('DELETE FROM refs WHERE from_key = $1', [key]);
          await recordChange(key, deleted[0].kind, deleted[0].workspace, 'delete');
          return true;
        },
        async setReferences(fromKey: string, refs: readonly Omit<Reference, 'fromKey'>[]): Promise<void> {
          // Keep the references that stay, drop the others, add the new ones: one statement.
          await client.query(
            `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::text[]) AS u(to_key, property)),
             dropped AS (
               DELETE FROM refs r WHERE r.from_key = $1
                 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.to_key = r.to_key AND w.property = r.property)
             )
             INSERT INTO refs (from_key, to_key, property) SELECT $1, to_key, property FROM wanted ON CONFLICT DO NOTHING`,
            [fromKey, refs.map((r) => r.toKey), refs.map((r) => r.property)],
          );
        },
        async setMeta(key: string, value: string): Promise<void> {
          await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
        },
        appendAudit: (entry: AuditEntry) => insertAudit(client, entry),
      };
      const result = await fn(tx);
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(revision)]);
      await client.query('COMMIT');
      if (!listenClient) notify(revision);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };

  await startListening();

  return {
    dialect: 'postgres',
    ...reader,
    write,
    async changesSince(revision: number, limit = 10_000): Promise<readonly Change[]> {
      const { rows } = await pool.query<{ revision: string; key: string; kind: string; workspace: string; op: 'put' | 'delete' }>(
        'SELECT revision, key, kind, workspace, op FROM changes WHERE revision > $1 ORDER BY revision, key LIMIT $2',
        [revision, limit],
      );
      return rows.map((r) => ({ revision: Number(r.revision), key: r.key, kind: r.kind, workspace: r.workspace, op: r.op }));
    },
    currentRevision: () => currentRevision(pool),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    appendRequestLogs: (rows: readonly RequestLogRecord[]) => appendRequestLogs(pool, rows),
    async queryRequestLogs(query: RequestLogQuery): Promise<Page<RequestLogRecord>> {
      const { where, params } = recordFilter(query, (n) => `$${n}`);
      const { rows: countRows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM request_logs ${where}`, params);
      const { rows } = await pool.query(`SELECT * FROM request_logs ${where} ORDER BY time DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, query.top, query.skip]);
      return { items: rows.map(toLogRecord), count: Number(countRows[0].n) };
    },
    async pruneRequestLogs(olderThan: Date): Promise<number> {
      const result = await pool.query('DELETE FROM request_logs WHERE time < $1', [olderThan]);
      return result.rowCount ?? 0;
    },
    appendAudit: (entry: AuditEntry) => insertAudit(pool, entry),
    async queryAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
      const { where, params } = recordFilter(query, (n) => `$${n}`);
      const { rows: countRows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log ${where}`, params);
      const { rows } = await pool.query(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, query.top, query.skip]);
      return {
        items: rows.map((r) => ({
          time: (r.time as Date).toISOString(),
          requestId: r.request_id,
          principal: r.principal,
          action: r.action,
          resourceId: r.resource_id,
          workspace: r.workspace,
          outcome: r.outcome,
          status: Number(r.status),
        })),
        count: Number(countRows[0].n),
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const client = listenClient;
      listenClient = undefined;
      if (client) await client.end().catch(() => undefined);
      await pool.end();
    },
  };
}

async function appendRequestLogs(pool: pg.Pool, rows: readonly RequestLogRecord[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length > 1000) {
    for (let i = 0; i < rows.length; i += 1000) await appendRequestLogs(pool, rows.slice(i, i + 1000));
    return;
  }
  const columns = 17;
  const values: unknown[] = [];
  const tuples = rows.map((r, i) => {
    values.push(r.time, r.requestId, r.gateway, r.workspace, r.apiId, r.operationId, r.productId, r.subscriptionId, r.method, r.url, r.status,
      r.responseTimeMs, r.backendTimeMs, r.requestSize, r.responseSize, r.clientIp, r.error);
    return `(${Array.from({ length: columns }, (_, c) => `$${i * columns + c + 1}`).join(', ')})`;
  });
  await pool.query(
    `INSERT INTO request_logs (time, request_id, gateway, workspace, api_id, operation_id, product_id, subscription_id, method, url, status,
       response_time_ms, backend_time_ms, request_size, response_size, client_ip, error) VALUES ${tuples.join(', ')}`,
    values,
  );
}

async function insertAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (time, request_id, principal, action, resource_id, workspace, outcome, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [entry.time, entry.requestId, entry.principal, entry.action, entry.resourceId, entry.workspace, entry.outcome, entry.status],
  );
}

function toLogRecord(r: Record<string, unknown>): RequestLogRecord {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    time: (r.time as Date).toISOString(),
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

async function currentRevision(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'revision'");
  return Number(rows[0].value);
}

function createReader(db: Queryable): StoreReader {
  return {
    async get(key) {
      const { rows } = await db.query<Row>('SELECT * FROM resources WHERE key = $1', [key]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async getByUniqueKey(uniqueKey) {
      const { rows } = await db.query<Row>('SELECT * FROM resources WHERE unique_key = $1', [uniqueKey]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(query: ListQuery): Promise<ListResult> {
      const skip = query.skip ?? 0;
      const top = query.top ?? Number.MAX_SAFE_INTEGER;
      if (query.where) {
        const { rows } = await db.query<Row>('SELECT * FROM resources WHERE parent_key = $1 AND kind = $2 ORDER BY name', [query.parentKey, query.kind]);
        const matching = rows.map(toRecord).filter(query.where);
        return { items: matching.slice(skip, skip + top), count: matching.length };
      }
      const { rows: countRows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM resources WHERE parent_key = $1 AND kind = $2', [query.parentKey, query.kind]);
      const { rows } = await db.query<Row>('SELECT * FROM resources WHERE parent_key = $1 AND kind = $2 ORDER BY name LIMIT $3 OFFSET $4', [
        query.parentKey,
        query.kind,
        Math.min(top, 1_000_000_000),
        skip,
      ]);
      return { items: rows.map(toRecord), count: Number(countRows[0].n) };
    },
    async listByPrefix(prefix) {
      const { rows } = await db.query<Row>('SELECT * FROM resources WHERE key >= $1 AND key < $2 ORDER BY key', [prefix, prefixEnd(prefix)]);
      return rows.map(toRecord);
    },
    async referencesTo(toKey) {
      const { rows } = await db.query<{ from_key: string; to_key: string; property: string }>('SELECT from_key, to_key, property FROM refs WHERE to_key = $1', [toKey]);
      return rows.map((r) => ({ fromKey: r.from_key, toKey: r.to_key, property: r.property }));
    },
    async referencesFrom(fromKey) {
      const { rows } = await db.query<{ from_key: string; to_key: string; property: string }>('SELECT from_key, to_key, property FROM refs WHERE from_key = $1', [fromKey]);
      return rows.map((r) => ({ fromKey: r.from_key, toKey: r.to_key, property: r.property }));
    },
    async getMeta(key) {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
      return rows[0]?.value;
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
    properties: row.properties,
    revision: Number(row.revision),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function migrate(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_lock(727274)');
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    for (const migration of postgresMigrations) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new StoreError('MIGRATION_FAILED', `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)');
  }
}
