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
];
