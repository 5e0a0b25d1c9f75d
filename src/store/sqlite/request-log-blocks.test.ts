import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { sqliteMigrations } from '../migrations.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrium-log-blocks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a database written before request-log blocks keeps every workspace\'s records findable', async () => {
  const file = join(dir, 'v2.db');
  const db = new DatabaseSync(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const migration of sqliteMigrations.filter((m) => m.version <= 2)) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00.000Z');
  }
  // Rows as the index-per-row schema wrote them: in arrival order, workspaces in runs of 1–3.
  const insert = db.prepare(`INSERT INTO request_logs (time, request_id, gateway, workspace, method, url, status, response_time_ms, request_size, response_size, client_ip)
    VALUES (?, ?, 'managed', ?, 'GET', '/x', 200, 1, 0, 0, '127.0.0.1')`);
  const workspaces = ['', 'wa', 'wb'];
  const written: { id: string; workspace: string }[] = [];
  for (let i = 0; i < 300; i++) {
    const workspace = workspaces[Math.floor(i / 2 + i / 3) % 3];
    insert.run(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(), `old${i}`, workspace);
    written.push({ id: `old${i}`, workspace });
  }
  db.close();

  const store = await openSqliteStore(file);
  try {
    const check = new DatabaseSync(file, { readOnly: true });
    const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'request_logs'").all() as { name: string }[]).map((r) => r.name);
    const blocks = Number((check.prepare('SELECT count(*) AS n FROM request_log_blocks').get() as { n: number }).n);
    check.close();
    assert.ok(!indexes.includes('request_logs_workspace_time'), `indexes left: ${indexes.join(', ')}`);
    assert.ok(blocks > 3 && blocks < 300, `${blocks} blocks: one per run of a workspace's rows`);
    for (const workspace of workspaces) {
      const expected = written.filter((r) => r.workspace === workspace).reverse().map((r) => r.id);
      const page = await store.queryRequestLogs({ workspace, top: 1000, skip: 0 });
      assert.equal(page.count, expected.length);
      assert.deepEqual(page.items.map((r) => r.requestId), expected);
      assert.ok(page.items.every((r) => r.workspace === workspace));
    }
  } finally {
    await store.close();
  }
});
