/**
 * Versioned schema migrations, one list per dialect, applied in order inside a transaction at
 * start-up. A migration is never edited once released: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'resources, references, change feed',
    sql: `
      CREATE TABLE resources (
        key TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_key TEXT NOT NULL,
        workspace TEXT NOT NULL,
        name TEXT NOT NULL,
        unique_key TEXT UNIQUE,
        properties TEXT NOT NULL,
        revision INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX resources_children ON resources (parent_key, kind, name);
      CREATE TABLE refs (
        from_key TEXT NOT NULL,
        to_key TEXT NOT NULL,
        property TEXT NOT NULL,
        PRIMARY KEY (from_key, property, to_key)
      );
      CREATE INDEX refs_to ON refs (to_key);
      CREATE TABLE changes (
        revision INTEGER NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        workspace TEXT NOT NULL,
        op TEXT NOT NULL,
        PRIMARY KEY (revision, key)
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('revision', '0');
    `,
  },
  {
    version: 2,
    name: 'request logs and audit log',
    sql: `
      CREATE TABLE request_logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        request_id TEXT NOT NULL,
        gateway TEXT NOT NULL,
        workspace TEXT NOT NULL,
        api_id TEXT,
        operation_id TEXT,
        product_id TEXT,
        subscription_id TEXT,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        status INTEGER NOT NULL,
        response_time_ms REAL NOT NULL,
        backend_time_ms REAL,
        request_size INTEGER NOT NULL,
        response_size INTEGER NOT NULL,
        client_ip TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX request_logs_workspace_time ON request_logs (workspace, time);
      CREATE INDEX request_logs_time ON request_logs (time);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        request_id TEXT NOT NULL,
        principal TEXT NOT NULL,
        action TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        workspace TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER NOT NULL
      );
      CREATE INDEX audit_log_workspace_time ON audit_log (workspace, time);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    // A workspace's request logs are found through the blocks of consecutive rows each batch
    // writes for it (request-log-rows.ts), not through an index entry per row: every row then
    // goes in at the end of its table and time index. Existing rows become blocks of their runs.
    version: 3,
    name: 'request-log blocks per workspace',
    sql: `
      CREATE TABLE request_log_blocks (
        workspace TEXT NOT NULL,
        first_id INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        first_time TEXT NOT NULL,
        last_time TEXT NOT NULL
      );
      CREATE INDEX request_log_blocks_workspace ON request_log_blocks (workspace, last_time);
      INSERT INTO request_log_blocks (workspace, first_id, last_id, first_time, last_time)
        SELECT workspace, min(id), max(id), min(time), max(time) FROM (
          SELECT id, workspace, time, row_number() OVER (ORDER BY id) - row_number() OVER (PARTITION BY workspace ORDER BY id) AS run
          FROM request_logs
        ) GROUP BY workspace, run;
      DROP INDEX request_logs_workspace_time;
    `,
  },
];

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'resources, references, change feed',
    sql: `
      CREATE TABLE resources (
        key TEXT COLLATE "C" PRIMARY KEY,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_key TEXT COLLATE "C" NOT NULL,
        workspace TEXT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        unique_key TEXT UNIQUE,
        properties JSONB NOT NULL,
        revision BIGINT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX resources_children ON resources (parent_key, kind, name);
      CREATE TABLE refs (
        from_key TEXT COLLATE "C" NOT NULL,
        to_key TEXT COLLATE "C" NOT NULL,
        property TEXT NOT NULL,
        PRIMARY KEY (from_key, property, to_key)
      );
      CREATE INDEX refs_to ON refs (to_key);
      CREATE TABLE changes (
        revision BIGINT NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        workspace TEXT NOT NULL,
        op TEXT NOT NULL,
        PRIMARY KEY (revision, key)
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('revision', '0');
    `,
  },
  {
    version: 2,
    name: 'request logs and audit log',
    sql: `
      CREATE TABLE request_logs (
        id BIGSERIAL PRIMARY KEY,
        time TIMESTAMPTZ NOT NULL,
        request_id TEXT NOT NULL,
        gateway TEXT NOT NULL,
        workspace TEXT NOT NULL,
        api_id TEXT,
        operation_id TEXT,
        product_id TEXT,
        subscription_id TEXT,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        status INTEGER NOT NULL,
        response_time_ms DOUBLE PRECISION NOT NULL,
        backend_time_ms DOUBLE PRECISION,
        request_size BIGINT NOT NULL,
        response_size BIGINT NOT NULL,
        client_ip TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX request_logs_workspace_time ON request_logs (workspace, time);
      CREATE INDEX request_logs_time ON request_logs (time);
      CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        time TIMESTAMPTZ NOT NULL,
        request_id TEXT NOT NULL,
        principal TEXT NOT NULL,
        action TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        workspace TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER NOT NULL
      );
      CREATE INDEX audit_log_workspace_time ON audit_log (workspace, time);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    `,
  },
];
