import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import type { RequestLogRecord } from '../store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { createRequestLogThread } from './request-log-thread.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrium-log-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A database file with the store's schema, and no store holding it open. */
async function databaseFile(): Promise<string> {
  const file = join(dir, `logs-${++files}.db`);
  await (await openSqliteStore(file)).close();
  return file;
}

const record = (i: number, time = new Date(Date.UTC(2026, 10, 23, 12, 0, 0, i)).toISOString()): RequestLogRecord => ({
  time,
  requestId: `r${i}`,
  gateway: 'managed',
  workspace: 'w1',
  apiId: '/workspaces/w1/apis/echo',
  operationId: null,
  productId: null,
  subscriptionId: null,
  method: 'GET',
  url: `/echo/${i}`,
  status: 200,
  responseTimeMs: 1,
  backendTimeMs: 0.5,
  requestSize: 0,
  responseSize: 10,
  clientIp: '127.0.0.1',
  error: null,
});

const count = (file: string): number => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number }).n);
  } finally {
    db.close();
  }
};

test('a store on a file writes request logs through its thread; closing waits for what was sent', async () => {
  const file = await databaseFile();
  const store = await openSqliteStore(file);
  const sent = store.appendRequestLogs(Array.from({ length: 1234 }, (_, i) => record(i)));
  const pruned = store.pruneRequestLogs(new Date(Date.UTC(2026, 10, 23, 12, 0, 0, 100)));
  await store.close();
  await sent;
  assert.equal(await pruned, 100, 'the pruning ran after the batch sent before it');
  assert.equal(count(file), 1134);
});

test('a batch that cannot be written is refused with SQLite’s reason, and the thread goes on', async () => {
  const file = await databaseFile();
  const thread = createRequestLogThread(file);
  try {
    const broken = { ...record(1), time: null } as unknown as RequestLogRecord;
    await assert.rejects(thread.append([record(0), broken]), /NOT NULL constraint failed: request_logs\.time/);
    assert.equal(count(file), 0, 'nothing of the refused batch was kept');
    await thread.append([record(2), record(3)]);
    assert.equal(count(file), 2);
  } finally {
    await thread.close();
  }
  await assert.rejects(thread.append([record(4)]), /closed/);
});

test('the thread waits for another connection’s write transaction instead of failing', async () => {
  const file = await databaseFile();
  const other = new DatabaseSync(file);
  const thread = createRequestLogThread(file);
  try {
    other.exec('BEGIN IMMEDIATE');
    other.prepare("INSERT INTO meta (key, value) VALUES ('held', '1')").run();
    let written = false;
    const append = thread.append([record(1)]).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(written, false, 'the batch waits while the other transaction holds the lock');
    other.exec('COMMIT');
    await append;
    assert.equal(count(file), 1);
  } finally {
    other.close();
    await thread.close();
  }
});

test('a thread never creates the database file: while it is missing, writes fail with its path, and succeed once it is back', async () => {
  const file = await databaseFile();
  const away = `${file}.away`;
  renameSync(file, away);
  const thread = createRequestLogThread(file);
  try {
    await assert.rejects(thread.append([record(1)]), (error: Error) => error.message.includes(`cannot open the database file ${file}`));
    await assert.rejects(thread.prune(new Date()), /cannot open the database file/);
    assert.equal(existsSync(file), false, 'no empty database left at the path');
    renameSync(away, file);
    await thread.append([record(2), record(3)]);
  } finally {
    await thread.close();
  }
  assert.equal(count(file), 2);
});

test('a batch over several workspaces: every row is written, each workspace lists its own in time order', async () => {
  const file = await databaseFile();
  const store = await openSqliteStore(file);
  try {
    // Arrival order alternates between three workspaces; the rows go in grouped by workspace.
    const rows = Array.from({ length: 300 }, (_, i) => ({ ...record(i), workspace: `w${i % 3}`, requestId: `r${i}` }));
    await store.appendRequestLogs(rows);
    for (let w = 0; w < 3; w++) {
      const page = await store.queryRequestLogs({ workspace: `w${w}`, top: 1000, skip: 0 });
      assert.equal(page.count, 100);
      const expected = rows.filter((r) => r.workspace === `w${w}`).map((r) => r.requestId).reverse();
      assert.deepEqual(page.items.map((r) => r.requestId), expected, `workspace w${w}: newest first, none of another workspace`);
    }
    const all = await store.queryRequestLogs({ top: 1000, skip: 0 });
    assert.deepEqual(all.items.map((r) => r.requestId), rows.map((r) => r.requestId).reverse(), 'across workspaces, in time order');
  } finally {
    await store.close();
  }
});
