import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from '../../test/support/services.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { StoreError, type AuditEntry, type NewRecord, type RequestLogRecord, type Store } from './store.ts';

/** One contract, every implementation. */
interface Implementation {
  readonly name: string;
  readonly skip: false | string;
  open(): Promise<Store>;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const pgStatus = await postgresAvailable();

function sqliteImplementation(): Implementation {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-store-'));
  const file = join(dir, 'atrium.db');
  return {
    name: 'sqlite',
    skip: false,
    open: async () => openSqliteStore(file),
    reopen: async () => openSqliteStore(file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresImplementation(): Implementation {
  const schema = uniqueSchema('atrium_contract');
  return {
    name: 'postgres',
    skip: pgStatus === true ? false : pgStatus,
    open: () => openPostgresStore(POSTGRES_URL, { schema }),
    reopen: () => openPostgresStore(POSTGRES_URL, { schema }),
    cleanup: () => dropSchema(schema),
  };
}

function record(key: string, overrides: Partial<NewRecord> = {}): NewRecord {
  const name = key.split('/').at(-1)!;
  const parentKey = key.split('/').slice(0, -2).join('/');
  return { key, id: key, kind: 'apis', parentKey, workspace: '', name, uniqueKey: null, properties: { displayName: name }, ...overrides };
}

for (const impl of [sqliteImplementation(), postgresImplementation()]) {
  describe(`store contract: ${impl.name}`, { skip: impl.skip }, () => {
    let store: Store;
    before(async () => {
      store = await impl.open();
    });
    after(async () => {
      await store?.close();
      await impl.cleanup();
    });

    it('puts and gets a record, keeping createdAt and bumping the revision on replace', async () => {
      const first = await store.write((tx) => tx.put(record('/apis/echo', { properties: { path: 'echo', n: 1 } })));
      const got = await store.get('/apis/echo');
      assert.deepEqual(got?.properties, { path: 'echo', n: 1 });
      assert.equal(got?.revision, first.revision);
      const second = await store.write((tx) => tx.put(record('/apis/echo', { properties: { path: 'echo', n: 2 } })));
      assert.ok(second.revision > first.revision);
      const again = await store.get('/apis/echo');
      assert.equal(again?.createdAt, got?.createdAt);
      assert.deepEqual(again?.properties, { path: 'echo', n: 2 });
    });

    it('lists children of one parent and kind in name order, with skip, top, count and a predicate', async () => {
      await store.write(async (tx) => {
        for (const n of ['c', 'a', 'b', 'e', 'd']) await tx.put(record(`/workspaces/w1/apis/${n}`, { parentKey: '/workspaces/w1', workspace: 'w1' }));
        await tx.put(record('/workspaces/w1/products/a', { kind: 'products', parentKey: '/workspaces/w1', workspace: 'w1' }));
      });
      const all = await store.list({ parentKey: '/workspaces/w1', kind: 'apis' });
      assert.deepEqual(all.items.map((r) => r.name), ['a', 'b', 'c', 'd', 'e']);
      assert.equal(all.count, 5);
      const page = await store.list({ parentKey: '/workspaces/w1', kind: 'apis', skip: 1, top: 2 });
      assert.deepEqual(page.items.map((r) => r.name), ['b', 'c']);
      assert.equal(page.count, 5);
      const filtered = await store.list({ parentKey: '/workspaces/w1', kind: 'apis', where: (r) => r.name !== 'c', skip: 1, top: 2 });
      assert.deepEqual(filtered.items.map((r) => r.name), ['b', 'd']);
      assert.equal(filtered.count, 4);
    });

    it('rejects a unique-key clash and rolls back the whole transaction', async () => {
      await store.write((tx) => tx.put(record('/products/p1', { kind: 'products', uniqueKey: 'products:p1' })));
      await assert.rejects(
        store.write(async (tx) => {
          await tx.put(record('/apis/left-behind'));
          await tx.put(record('/workspaces/w2/products/p1', { kind: 'products', parentKey: '/workspaces/w2', workspace: 'w2', uniqueKey: 'products:p1' }));
        }),
        (error: unknown) => error instanceof StoreError && error.code === 'UNIQUE_VIOLATION',
      );
      assert.equal(await store.get('/apis/left-behind'), undefined);
      assert.equal((await store.getByUniqueKey('products:p1'))?.key, '/products/p1');
      // The store is still usable after the failed transaction.
      await store.write((tx) => tx.put(record('/apis/after-failure')));
      assert.ok(await store.get('/apis/after-failure'));
    });

    it('rolls back when the transaction function throws', async () => {
      await assert.rejects(
        store.write(async (tx) => {
          await tx.put(record('/apis/never'));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.get('/apis/never'), undefined);
    });

    it('does not show uncommitted writes to readers outside the transaction', async () => {
      let seenInside: unknown = 'unset';
      let seenOutside: unknown = 'unset';
      await store.write(async (tx) => {
        await tx.put(record('/apis/pending'));
        seenInside = (await tx.get('/apis/pending'))?.name;
        seenOutside = await store.get('/apis/pending');
      });
      assert.equal(seenInside, 'pending');
      assert.equal(seenOutside, undefined);
      assert.ok(await store.get('/apis/pending'));
    });

    it('lists a subtree by key prefix without treating _ or % as wildcards', async () => {
      await store.write(async (tx) => {
        await tx.put(record('/workspaces/a_b', { kind: 'workspaces', parentKey: '' }));
        await tx.put(record('/workspaces/a_b/apis/x', { parentKey: '/workspaces/a_b', workspace: 'a_b' }));
        await tx.put(record('/workspaces/axb/apis/y', { parentKey: '/workspaces/axb', workspace: 'axb' }));
        await tx.put(record('/workspaces/a%/apis/z', { parentKey: '/workspaces/a%', workspace: 'a%' }));
      });
      const subtree = await store.listByPrefix('/workspaces/a_b/');
      assert.deepEqual(subtree.map((r) => r.key), ['/workspaces/a_b/apis/x']);
    });

    it('keeps references and forgets them when the referencing record is deleted', async () => {
      await store.write(async (tx) => {
        await tx.put(record('/products/p9/apilinks/l1', { kind: 'productApiLinks', parentKey: '/products/p9' }));
        await tx.setReferences('/products/p9/apilinks/l1', [{ toKey: '/apis/echo', property: 'apiId' }]);
      });
      assert.deepEqual(await store.referencesTo('/apis/echo'), [{ fromKey: '/products/p9/apilinks/l1', toKey: '/apis/echo', property: 'apiId' }]);
      assert.deepEqual(await store.referencesFrom('/products/p9/apilinks/l1'), [{ fromKey: '/products/p9/apilinks/l1', toKey: '/apis/echo', property: 'apiId' }]);
      await store.write(async (tx) => {
        assert.equal(await tx.delete('/products/p9/apilinks/l1'), true);
        assert.equal(await tx.delete('/products/p9/apilinks/l1'), false);
      });
      assert.deepEqual(await store.referencesTo('/apis/echo'), []);
    });

    it('replaces a record\'s references: kept ones stay, dropped ones go, new ones come', async () => {
      const refs = async (): Promise<string[]> => (await store.referencesFrom('/tags/t1/apilinks/x')).map((r) => `${r.property}:${r.toKey}`).sort();
      await store.write((tx) => tx.setReferences('/tags/t1/apilinks/x', [{ toKey: '/apis/a', property: 'apiId' }, { toKey: '/apis/b', property: 'apiId' }]));
      assert.deepEqual(await refs(), ['apiId:/apis/a', 'apiId:/apis/b']);
      await store.write((tx) => tx.setReferences('/tags/t1/apilinks/x', [{ toKey: '/apis/b', property: 'apiId' }, { toKey: '/apis/c', property: 'other' }]));
      assert.deepEqual(await refs(), ['apiId:/apis/b', 'other:/apis/c']);
      await store.write((tx) => tx.setReferences('/tags/t1/apilinks/x', []));
      assert.deepEqual(await refs(), []);
    });

    it('records every committed write in the change feed, in revision order', async () => {
      const start = await store.currentRevision();
      await store.write((tx) => tx.put(record('/apis/feed')));
      await store.write((tx) => tx.delete('/apis/feed'));
      const changes = await store.changesSince(start);
      assert.deepEqual(
        changes.map((c) => [c.key, c.op]),
        [
          ['/apis/feed', 'put'],
          ['/apis/feed', 'delete'],
        ],
      );
      assert.ok(changes[0].revision < changes[1].revision);
      assert.equal(await store.currentRevision(), changes[1].revision);
    });

    it('serializes concurrent writers so that revisions are distinct and all writes land', async () => {
      const start = await store.currentRevision();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.write(async (tx) => (await tx.put(record(`/apis/concurrent-${i}`))).revision)),
      );
      assert.equal(new Set(results).size, 20);
      const changes = await store.changesSince(start);
      assert.equal(changes.length, 20);
      for (let i = 0; i < 20; i++) assert.ok(await store.get(`/apis/concurrent-${i}`));
    });

    it('tells change listeners after commit', async () => {
      const seen: number[] = [];
      const stop = store.onChange((revision) => seen.push(revision));
      const written = await store.write(async (tx) => (await tx.put(record('/apis/notified'))).revision);
      for (let i = 0; i < 50 && !seen.includes(written); i++) await new Promise((r) => setTimeout(r, 20));
      stop();
      assert.ok(seen.includes(written), `listener saw ${seen.join(',')} but not ${written}`);
    });

    it('appends request logs in batches and queries them newest first, per workspace and with filters', async () => {
      const base = Date.parse('2026-03-01T00:00:00.000Z');
      const log = (i: number, workspace: string, status = 200): RequestLogRecord => ({
        time: new Date(base + i * 1000).toISOString(),
        requestId: `r${i}`,
        gateway: 'managed',
        workspace,
        apiId: workspace === '' ? '/apis/echo' : `/workspaces/${workspace}/apis/echo`,
        operationId: null,
        productId: null,
        subscriptionId: i % 2 === 0 ? 'sub1' : null,
        method: 'GET',
        url: `/echo/${i}`,
        status,
        responseTimeMs: 1.5 + i,
        backendTimeMs: i % 3 === 0 ? null : 1,
        requestSize: 0,
        responseSize: 100 + i,
        clientIp: '127.0.0.1',
        error: status >= 500 ? 'upstream failed' : null,
      });
      const rows = [...Array.from({ length: 1500 }, (_, i) => log(i, 'w1', i % 10 === 0 ? 502 : 200)), log(2000, 'w2'), log(2001, '')];
      await store.appendRequestLogs(rows);
      const w1 = await store.queryRequestLogs({ workspace: 'w1', top: 3, skip: 0 });
      assert.equal(w1.count, 1500);
      assert.deepEqual(w1.items.map((r) => r.requestId), ['r1499', 'r1498', 'r1497']);
      assert.deepEqual(w1.items[0], log(1499, 'w1'));
      assert.equal((await store.queryRequestLogs({ workspace: 'w2', top: 10, skip: 0 })).count, 1);
      assert.equal((await store.queryRequestLogs({ top: 10, skip: 0 })).count, 1502);
      // Every row comes back as written, whatever block of the batch it went in with.
      const all = await store.queryRequestLogs({ top: 2000, skip: 0 });
      assert.deepEqual(all.items, [...rows].reverse());
      assert.equal((await store.queryRequestLogs({ workspace: 'w1', status: 502, top: 1000, skip: 0 })).count, 150);
      const window = await store.queryRequestLogs({ workspace: 'w1', from: new Date(base + 10_000).toISOString(), to: new Date(base + 19_000).toISOString(), top: 100, skip: 0 });
      assert.equal(window.count, 10);
      assert.equal((await store.queryRequestLogs({ apiId: '/WORKSPACES/W2/apis/echo', top: 10, skip: 0 })).count, 1);
      assert.equal(await store.pruneRequestLogs(new Date(base + 100_000)), 100);
      assert.equal((await store.queryRequestLogs({ workspace: 'w1', top: 1, skip: 0 })).count, 1400);
    });

    it('pages a workspace\'s request logs newest first across batches whose times interleave', async () => {
      const base = Date.parse('2026-04-01T00:00:00.000Z');
      const workspaces = ['ia', 'ib', 'ic'];
      const log = (i: number): RequestLogRecord => ({
        time: new Date(base + i * 10).toISOString(),
        requestId: `i${i}`,
        gateway: i % 2 === 0 ? 'one' : 'two',
        workspace: workspaces[(i * 7) % 3],
        apiId: null,
        operationId: null,
        productId: null,
        subscriptionId: null,
        method: 'GET',
        url: `/x/${i}`,
        status: i % 4 === 0 ? 500 : 200,
        responseTimeMs: 1,
        backendTimeMs: null,
        requestSize: 0,
        responseSize: 0,
        clientIp: '127.0.0.1',
        error: null,
      });
      // Two writers: even and odd records, in batches whose time ranges overlap.
      const all = Array.from({ length: 240 }, (_, i) => log(i));
      for (let b = 0; b < 4; b++) {
        await store.appendRequestLogs(all.filter((r, i) => i % 2 === 1 && Math.floor(i / 60) === b));
        await store.appendRequestLogs(all.filter((r, i) => i % 2 === 0 && Math.floor(i / 60) === b));
      }
      for (const workspace of workspaces) {
        const expected = all.filter((r) => r.workspace === workspace).reverse().map((r) => r.requestId);
        for (const [skip, top] of [[0, 5], [3, 7], [40, 30], [79, 10], [0, 200]]) {
          const page = await store.queryRequestLogs({ workspace, top, skip });
          assert.equal(page.count, expected.length);
          assert.deepEqual(page.items.map((r) => r.requestId), expected.slice(skip, skip + top), `${workspace} skip ${skip} top ${top}`);
        }
        const from = new Date(base + 500).toISOString();
        const to = new Date(base + 1500).toISOString();
        const inWindow = all.filter((r) => r.workspace === workspace && r.time >= from && r.time <= to && r.status === 500).reverse().map((r) => r.requestId);
        const window = await store.queryRequestLogs({ workspace, from, to, status: 500, top: 4, skip: 1 });
        assert.equal(window.count, inWindow.length);
        assert.deepEqual(window.items.map((r) => r.requestId), inWindow.slice(1, 5));
      }
      assert.equal((await store.queryRequestLogs({ workspace: 'id', top: 10, skip: 0 })).count, 0);
    });

    it('keeps an append-only audit log, written inside write transactions and on its own', async () => {
      const entry = (action: string, workspace: string, outcome: AuditEntry['outcome']): AuditEntry => ({
        time: new Date().toISOString(),
        requestId: `req-${action}`,
        principal: '/admin',
        action,
        resourceId: `/workspaces/${workspace}/apis/a`,
        workspace,
        outcome,
        status: outcome === 'denied' ? 403 : 200,
      });
      await store.write(async (tx) => {
        await tx.put(record('/apis/audited'));
        await tx.appendAudit(entry('PUT', 'w1', 'success'));
      });
      await assert.rejects(
        store.write(async (tx) => {
          await tx.appendAudit(entry('ROLLEDBACK', 'w1', 'success'));
          throw new Error('abort');
        }),
        /abort/,
      );
      await store.appendAudit(entry('DELETE', 'w2', 'denied'));
      const all = await store.queryAudit({ top: 10, skip: 0 });
      assert.deepEqual(all.items.map((e) => e.action), ['DELETE', 'PUT']);
      const w2 = await store.queryAudit({ workspace: 'w2', top: 10, skip: 0 });
      assert.equal(w2.count, 1);
      assert.equal(w2.items[0].outcome, 'denied');
      assert.equal(w2.items[0].status, 403);
    });

    it('stores metadata and keeps everything across a reopen', async () => {
      await store.write((tx) => tx.setMeta('adminKeyHash', 'h1'));
      assert.equal(await store.getMeta('adminKeyHash'), 'h1');
      const revision = await store.currentRevision();
      await store.close();
      store = await impl.reopen();
      assert.equal(await store.getMeta('adminKeyHash'), 'h1');
      assert.equal(await store.currentRevision(), revision);
      assert.ok(await store.get('/apis/echo'));
    });
  });
}
