import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Change, ResourceRecord } from '../store/store.ts';
import { createConfigFollower, type ConfigStore } from './config-follower.ts';
import type { RouteInput } from './router.ts';

/** A store of records with a change feed, as much as a gateway reads. */
function createMemoryStore() {
  const records = new Map<string, ResourceRecord>();
  const changes: Change[] = [];
  const listeners = new Set<(revision: number) => void>();
  let revision = 0;
  let down = false;
  const check = (): void => {
    if (down) throw new Error('store unreachable');
  };
  const store: ConfigStore & { put(r: Omit<ResourceRecord, 'revision' | 'createdAt' | 'updatedAt' | 'uniqueKey' | 'parentKey'> & { parentKey?: string }): void; del(key: string): void; setDown(v: boolean): void } = {
    async get(key) {
      check();
      return records.get(key);
    },
    async listByPrefix(prefix) {
      check();
      return [...records.values()].filter((r) => r.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    },
    async changesSince(after, limit = 10_000) {
      check();
      return changes.filter((c) => c.revision > after).slice(0, limit);
    },
    async currentRevision() {
      check();
      return revision;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    put(r) {
      revision++;
      const parentKey = r.parentKey ?? r.key.slice(0, r.key.lastIndexOf('/', r.key.lastIndexOf('/') - 1));
      records.set(r.key, { ...r, parentKey, uniqueKey: null, revision, createdAt: '', updatedAt: '' });
      changes.push({ revision, key: r.key, kind: r.kind, workspace: r.workspace, op: 'put' });
      for (const l of listeners) l(revision);
    },
    del(key) {
      const r = records.get(key)!;
      records.delete(key);
      revision++;
      changes.push({ revision, key, kind: r.kind, workspace: r.workspace, op: 'delete' });
      for (const l of listeners) l(revision);
    },
    setDown(v) {
      down = v;
    },
  };
  return store;
}

function putApi(store: ReturnType<typeof createMemoryStore>, name: string, properties: Record<string, unknown> = {}, workspace = ''): void {
  const prefix = workspace === '' ? '' : `/workspaces/${workspace}`;
  store.put({ key: `${prefix}/apis/${name}`, id: `${prefix}/apis/${name}`, kind: 'apis', workspace, name, properties: { path: name, serviceUrl: 'http://b.test', ...properties } });
  store.put({ key: `${prefix}/apis/${name}/operations/get`, id: `${prefix}/apis/${name}/operations/get`, kind: 'apiOperations', workspace, name: 'get', properties: { method: 'GET', urlTemplate: '/get' } });
}

const get = (path: string): RouteInput => ({ method: 'GET', path, query: () => new URLSearchParams(), header: () => undefined });

describe('configuration follower', () => {
  it('recompiles only the APIs a change touches and swaps the snapshot', async () => {
    const store = createMemoryStore();
    store.put({ key: '/gateways/managed', id: '/gateways/managed', kind: 'gateways', workspace: '', name: 'managed', properties: {} });
    for (let i = 0; i < 100; i++) putApi(store, `api${i}`);
    const follower = createConfigFollower({ gatewayId: 'managed', store, reveal: (r) => r.properties, pollMs: 60_000 });
    await follower.ready;
    const first = follower.current()!;
    const before = first.router.route(get('/api1/get'));
    assert.ok(before.found);
    putApi(store, 'api2', { serviceUrl: 'http://changed.test' });
    await follower.sync();
    const second = follower.current()!;
    assert.notEqual(second, first);
    const after = second.router.route(get('/api1/get'));
    assert.ok(after.found && after.api === before.api, 'an untouched API keeps its compiled form');
    const changed = second.router.route(get('/api2/get'));
    assert.ok(changed.found && changed.api.upstream?.host === 'changed.test');
    // The old snapshot is untouched: a request that started on it finishes on it.
    const old = first.router.route(get('/api2/get'));
    assert.ok(old.found && old.api.upstream?.host === 'b.test');
    await follower.close();
  });

  it('applies a change at 400 APIs atomically: requests on the old snapshot keep it, failures follow the change', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 400; i++) putApi(store, `api${i}`);
    const follower = createConfigFollower({ gatewayId: 'managed', store, reveal: (r) => r.properties, pollMs: 60_000, log: () => undefined });
    await follower.ready;
    // A request in flight holds the snapshot it started with.
    const inFlight = follower.current()!;
    putApi(store, 'added');
    putApi(store, 'api7', { serviceUrl: 'not a url' });
    await follower.sync();
    const next = follower.current()!;
    assert.ok(next.router.route(get('/added/get')).found);
    assert.equal(next.router.apiCount, 401);
    assert.match(next.failures.get('/apis/api7') ?? '', /serviceUrl/);
    assert.equal(inFlight.router.route(get('/added/get')).found, false);
    assert.equal(inFlight.router.apiCount, 400);
    assert.equal(inFlight.failures.size, 0);
    const old = inFlight.router.route(get('/api7/get'));
    assert.ok(old.found && old.api.failure === undefined && old.api.upstream?.host === 'b.test');
    for (let i = 0; i < 400; i += 37) assert.ok(next.router.route(get(`/api${i}/get`)).found, `api${i}`);
    putApi(store, 'api7');
    await follower.sync();
    assert.equal(follower.current()!.failures.size, 0);
    assert.equal(next.failures.size, 1);
    await follower.close();
  });

  it('shares one upstream target among APIs on the same service URL, and an operation changed or removed stays its own', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 3; i++) putApi(store, `api${i}`, { protocols: ['https'] });
    const follower = createConfigFollower({ gatewayId: 'managed', store, reveal: (r) => r.properties, pollMs: 60_000 });
    await follower.ready;
    const routed = (path: string) => {
      const route = follower.current()!.router.route(get(path));
      assert.ok(route.found, path);
      return route;
    };
    assert.equal(routed('/api0/get').api.upstream, routed('/api2/get').api.upstream);
    // The operations of an API follow their records: one changed, one added, one removed.
    store.put({ key: '/apis/api1/operations/get', id: '/apis/api1/operations/get', kind: 'apiOperations', workspace: '', name: 'get', properties: { method: 'GET', urlTemplate: '/fetch' } });
    store.put({ key: '/apis/api1/operations/list', id: '/apis/api1/operations/list', kind: 'apiOperations', workspace: '', name: 'list', properties: { method: 'GET', urlTemplate: '/list' } });
    await follower.sync();
    assert.equal(routed('/api1/fetch').operation?.name, 'get');
    assert.equal(routed('/api1/list').operation?.name, 'list');
    assert.equal(routed('/api1/get').operation, undefined);
    assert.equal(routed('/api0/get').operation?.name, 'get');
    store.del('/apis/api1/operations/get');
    await follower.sync();
    assert.equal(routed('/api1/fetch').operation, undefined);
    assert.equal(routed('/api1/list').operation?.name, 'list');
    assert.equal(routed('/api1/list').api.upstream, routed('/api0/get').api.upstream);
    await follower.close();
  });

  it('persists a configuration of several slices and starts from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-follower-'));
    try {
      const store = createMemoryStore();
      for (let i = 0; i < 700; i++) putApi(store, `api${i}`);
      const file = join(dir, 'snapshot.json');
      const follower = createConfigFollower({ gatewayId: 'managed', store, reveal: (r) => r.properties, snapshotFile: file, pollMs: 60_000, log: () => undefined });
      await follower.ready;
      await follower.close();
      const restarted = createConfigFollower({ gatewayId: 'managed', store: undefined, reveal: (r) => r.properties, snapshotFile: file, pollMs: 60_000, log: () => undefined });
      await restarted.ready;
      const snapshot = restarted.current()!;
      assert.equal(snapshot.router.apiCount, 700);
      assert.equal(snapshot.revision, 1400);
      assert.ok(snapshot.router.route(get('/api0/get')).found);
      assert.ok(snapshot.router.route(get('/api699/get')).found);
      await restarted.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves only linked workspaces on a workspace gateway and follows links', async () => {
    const store = createMemoryStore();
    store.put({ key: '/gateways/g', id: '/gateways/g', kind: 'gateways', workspace: '', name: 'g', properties: { port: 1234 } });
    putApi(store, 'svc');
    putApi(store, 'mine', {}, 'w1');
    putApi(store, 'theirs', {}, 'w2');
    store.put({ key: '/gateways/g/workspacelinks/w1', id: '/gateways/g/workspaceLinks/w1', kind: 'gatewayWorkspaceLinks', workspace: '', name: 'w1', properties: {} });
    const follower = createConfigFollower({ gatewayId: 'g', store, reveal: (r) => r.properties, pollMs: 60_000 });
    await follower.ready;
    assert.equal(follower.gateway()?.properties.port, 1234);
    assert.ok(follower.current()!.router.route(get('/mine/get')).found);
    assert.equal(follower.current()!.router.route(get('/svc/get')).found, false);
    assert.equal(follower.current()!.router.route(get('/theirs/get')).found, false);
    store.del('/gateways/g/workspacelinks/w1');
    await follower.sync();
    assert.equal(follower.current()!.router.route(get('/mine/get')).found, false);
    await follower.close();
  });

  it('keeps the last good configuration while the store is down, persists it, and starts from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-follower-'));
    try {
      const store = createMemoryStore();
      putApi(store, 'kept');
      const file = join(dir, 'snapshot.json');
      const follower = createConfigFollower({ gatewayId: 'managed', store, reveal: (r) => r.properties, snapshotFile: file, pollMs: 60_000, log: () => undefined });
      await follower.ready;
      store.setDown(true);
      await follower.sync();
      assert.equal(follower.storeReachable(), false);
      assert.ok(follower.current()!.router.route(get('/kept/get')).found);
      await follower.close();

      const restarted = createConfigFollower({ gatewayId: 'managed', store: undefined, reveal: (r) => r.properties, snapshotFile: file, pollMs: 60_000, log: () => undefined });
      await restarted.ready;
      assert.ok(restarted.current()!.router.route(get('/kept/get')).found);
      store.setDown(false);
      putApi(store, 'added');
      restarted.connect(store);
      await restarted.sync();
      assert.ok(restarted.current()!.router.route(get('/added/get')).found);
      await restarted.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out a subscription whose secrets cannot be opened, and nothing else', async () => {
    const store = createMemoryStore();
    putApi(store, 'a');
    store.put({ key: '/subscriptions/good', id: '/subscriptions/good', kind: 'subscriptions', workspace: '', name: 'good', properties: { scope: '/apis', state: 'active', primaryKey: 'k1', secondaryKey: 'k2' } });
    store.put({ key: '/subscriptions/bad', id: '/subscriptions/bad', kind: 'subscriptions', workspace: '', name: 'bad', properties: { scope: '/apis', state: 'active', primaryKey: 'sealed', secondaryKey: 'sealed' } });
    const reveal = (r: ResourceRecord): Record<string, unknown> => {
      if (r.name === 'bad') throw new Error('wrong key');
      return r.properties;
    };
    const follower = createConfigFollower({ gatewayId: 'managed', store, reveal, pollMs: 60_000, log: () => undefined });
    await follower.ready;
    const index = follower.current()!.subscriptions;
    assert.ok(index.byKey.has('k1'));
    assert.equal(index.byKey.has('sealed'), false);
    await follower.close();
  });
});
