import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRecord } from '../store/store.ts';
import { createRouter, type RouteInput } from './router.ts';
import { compileApi, type CompiledApi } from './snapshot.ts';
import { compileTemplate, matchTemplate } from './template.ts';

let revision = 0;
function record(key: string, kind: string, properties: Record<string, unknown>, workspace = ''): ResourceRecord {
  const id = key;
  const name = key.slice(key.lastIndexOf('/') + 1);
  const parentKey = key.slice(0, key.lastIndexOf('/', key.lastIndexOf('/') - 1));
  revision++;
  return { key, id, kind, parentKey, workspace, name, uniqueKey: null, properties, revision, createdAt: '', updatedAt: '' };
}

function api(name: string, path: string, operations: [string, string][], extra: Record<string, unknown> = {}, versionSet?: ResourceRecord): CompiledApi {
  const apiRecord = record(`/apis/${name}`, 'apis', { path, serviceUrl: 'http://backend.test', isCurrent: !name.includes(';rev='), ...extra });
  const ops = operations.map(([method, urlTemplate], i) => record(`/apis/${name}/operations/op${i}`, 'apiOperations', { method, urlTemplate }));
  return compileApi(apiRecord, ops, versionSet, '1');
}

function input(method: string, url: string, headers: Record<string, string> = {}): RouteInput {
  const at = url.indexOf('?');
  const query = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  return { method, path: at === -1 ? url : url.slice(0, at), query: () => query, header: (name) => headers[name] };
}

describe('URL templates', () => {
  it('matches parameters, mixed segments, wildcards and query parts', () => {
    const seg = (p: string) => p.split('/').filter(Boolean);
    assert.deepEqual(matchTemplate(compileTemplate('/items/{id}'), seg('/items/42'), undefined), { id: '42' });
    assert.equal(matchTemplate(compileTemplate('/items/{id}'), seg('/items/42/x'), undefined), undefined);
    assert.deepEqual(matchTemplate(compileTemplate('/r/{y}-{m}.json'), seg('/r/2026-11.json'), undefined), { y: '2026', m: '11' });
    assert.deepEqual(matchTemplate(compileTemplate('/files/{*path}'), seg('/files/a/b'), undefined), { path: 'a/b' });
    assert.deepEqual(matchTemplate(compileTemplate('/*'), seg('/anything/at/all'), undefined), {});
    assert.deepEqual(matchTemplate(compileTemplate('/s?q={q}'), seg('/s'), new URLSearchParams('q=x')), { q: 'x' });
    assert.equal(matchTemplate(compileTemplate('/s?q={q}'), seg('/s'), new URLSearchParams('')), undefined);
    assert.deepEqual(matchTemplate(compileTemplate('/Items/{id}'), seg('/ITEMS/%41'), undefined), { id: 'A' });
  });

  it('rejects a wildcard before the last segment', () => {
    assert.throws(() => compileTemplate('/*/x'), /last segment/);
  });

  it('ranks literal segments above parameters and wildcards last', () => {
    const ranks = ['/items/special', '/items/{id}', '/{a}/{b}', '/items/*'].map((t) => compileTemplate(t).rank);
    assert.deepEqual([...ranks].sort((a, b) => b - a), ranks);
  });
});

describe('router', () => {
  const shop = api('shop', 'shop', [
    ['GET', '/items/{id}'],
    ['GET', '/items/special'],
    ['*', '/*'],
  ]);
  const deep = api('deep', 'shop/admin/tools', [['GET', '/x']]);
  const root = api('root', '', [['GET', '/ping']]);
  const router = createRouter([shop, deep, root]);

  it('finds the API by the longest path prefix and the most specific operation', () => {
    const special = router.route(input('GET', '/shop/items/special'));
    assert.ok(special.found);
    assert.equal(special.api, shop);
    assert.equal(special.operation?.name, 'op1');
    const byId = router.route(input('GET', '/shop/items/7'));
    assert.ok(byId.found && byId.operation?.name === 'op0');
    assert.deepEqual(byId.matchedParameters, { id: '7' });
    const fallback = router.route(input('DELETE', '/shop/items/7'));
    assert.ok(fallback.found && fallback.operation?.name === 'op2');
    const tools = router.route(input('GET', '/shop/admin/tools/x'));
    assert.ok(tools.found && tools.api === deep && tools.remainder === '/x');
    // Not deep enough for the longer API: the shorter prefix serves it.
    const admin = router.route(input('GET', '/shop/admin'));
    assert.ok(admin.found && admin.api === shop && admin.remainder === '/admin');
  });

  it('serves an API with an empty path at the root, after every longer prefix', () => {
    const ping = router.route(input('GET', '/ping'));
    assert.ok(ping.found && ping.api === root);
    const unknown = router.route(input('GET', '/nothing'));
    assert.ok(unknown.found && unknown.api === root && unknown.operation === undefined);
  });

  it('keeps the trailing slash of the remainder', () => {
    const route = router.route(input('GET', '/shop/items/'));
    assert.ok(route.found && route.remainder === '/items/');
  });

  it('compares API paths case-insensitively', () => {
    const route = router.route(input('GET', '/SHOP/items/1'));
    assert.ok(route.found && route.api === shop);
  });

  it('routes among 10,000 APIs by path segments', () => {
    const many: CompiledApi[] = [];
    for (let i = 0; i < 10_000; i++) many.push(api(`api${i}`, `team${i % 100}/api${i}`, [['GET', '/hello']]));
    const big = createRouter(many);
    assert.equal(big.apiCount, 10_000);
    for (const i of [0, 4321, 9999]) {
      const route = big.route(input('GET', `/team${i % 100}/api${i}/hello`));
      assert.ok(route.found && route.api.name === `api${i}` && route.operation !== undefined);
    }
    assert.equal(big.route(input('GET', '/team1/api2/hello')).found, false);
  });

  it('reports an API whose path another API already serves, and keeps serving the first', () => {
    const first = api('first', 'same', [['GET', '/x']]);
    const second = api('second', 'same', [['GET', '/x']]);
    const clash = createRouter([first, second]);
    const route = clash.route(input('GET', '/same/x'));
    assert.ok(route.found && route.api === first);
    assert.match(clash.conflicts.get('/apis/second') ?? '', /already served by \/apis\/first/);
  });

  it('updates by path copying: the old router is unchanged, the new one routes the change', () => {
    const a1 = api('a', 'team/a', [['GET', '/x']], { serviceUrl: 'http://one.test' });
    const b1 = api('b', 'team/b', [['GET', '/x']]);
    const first = createRouter([a1, b1]);
    const a2 = api('a', 'team/a', [['GET', '/x']], { serviceUrl: 'http://two.test' });
    const second = first.with([a1], [a2]);
    const before = first.route(input('GET', '/team/a/x'));
    const after = second.route(input('GET', '/team/a/x'));
    assert.ok(before.found && before.api === a1);
    assert.ok(after.found && after.api === a2);
    const untouched = second.route(input('GET', '/team/b/x'));
    assert.ok(untouched.found && untouched.api === b1);
    assert.equal(second.apiCount, 2);
    const third = second.with([b1], []);
    assert.equal(third.route(input('GET', '/team/b/x')).found, false);
    assert.equal(third.apiCount, 1);
    assert.ok(second.route(input('GET', '/team/b/x')).found);
  });

  it('resolves a path clash once the holder goes away', () => {
    const holder = api('holder', 'clash', [['GET', '/x']]);
    const other = api('other', 'clash', [['GET', '/x']]);
    const clashing = createRouter([holder]).with([], [other]);
    assert.ok(clashing.conflicts.has('/apis/other'));
    const resolved = clashing.with([holder], []);
    assert.equal(resolved.conflicts.size, 0);
    const route = resolved.route(input('GET', '/clash/x'));
    assert.ok(route.found && route.api === other);
  });

  it('routes the same after a series of updates as a router built from scratch', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const current = new Map<string, CompiledApi>();
    let router = createRouter([]);
    for (let step = 0; step < 300; step++) {
      const name = `x${random(40)}`;
      const path = `p${random(5)}/${random(3) === 0 ? '' : `q${random(4)}`}`;
      const old = current.get(`/apis/${name}`);
      if (old && random(3) === 0) {
        current.delete(old.key);
        router = router.with([old], []);
      } else {
        const next = api(name, path, [['GET', '/x']]);
        current.set(next.key, next);
        router = router.with(old ? [old] : [], [next]);
      }
    }
    const scratch = createRouter(current.values());
    assert.equal(router.apiCount, scratch.apiCount);
    for (let a = 0; a < 5; a++) {
      for (const q of ['', '/q0', '/q1', '/q2', '/q3']) {
        const r1 = router.route(input('GET', `/p${a}${q}/x`));
        const r2 = scratch.route(input('GET', `/p${a}${q}/x`));
        assert.equal(r1.found, r2.found, `/p${a}${q}/x`);
        // Which API of a clash serves may differ by insertion order; both must serve one of the same path.
        if (r1.found && r2.found) assert.deepEqual(r1.api.pathSegments, r2.api.pathSegments);
      }
    }
    assert.equal(router.conflicts.size, scratch.conflicts.size);
  });

  it('keeps older routers unchanged once a node with many children is split into buckets', () => {
    const apis = Array.from({ length: 600 }, (_, i) => api(`r${i}`, `r${i}`, [['GET', '/x']]));
    // Grown one API at a time: the root splits on the way, and every step leaves its predecessor as it was.
    const steps = [createRouter([])];
    for (const next of apis) steps.push(steps[steps.length - 1].with([], [next]));
    for (const at of [0, 100, 256, 257, 300, 600]) {
      const router = steps[at];
      assert.equal(router.apiCount, at);
      if (at > 0) assert.ok(router.route(input('GET', `/R${at - 1}/x`)).found, `step ${at}`);
      if (at < 600) assert.equal(router.route(input('GET', `/r${at}/x`)).found, false, `step ${at}`);
    }
    const full = steps[600];
    const built = createRouter(apis);
    const replaced = api('r42', 'r42', [['GET', '/x']], { serviceUrl: 'http://other.test' });
    const updated = built.with([apis[42]], [replaced]).with([apis[43]], []);
    for (let i = 0; i < 600; i++) {
      const path = `/r${i}/x`;
      const routed = full.route(input('GET', path));
      assert.ok(routed.found && routed.api === apis[i] && built.route(input('GET', path)).found, path);
      const after = updated.route(input('GET', path));
      if (i === 43) assert.equal(after.found, false);
      else assert.ok(after.found && after.api === (i === 42 ? replaced : apis[i]), path);
    }
    assert.equal(updated.apiCount, 599);
    const before = built.route(input('GET', '/r42/x'));
    assert.ok(before.found && before.api === apis[42]);
  });

  it('routes revisions: the current one by the plain path and by its number, another only by its number', () => {
    const current = api('shop', 'shop', [['GET', '/x']], { apiRevision: '1' });
    const second = api('shop;rev=2', 'shop', [['GET', '/x']], { apiRevision: '2' });
    // A non-current API of the current one's number answers for that number.
    const override = api('shop;rev=3', 'shop', [['GET', '/x']], { apiRevision: '3' });
    const promoted = api('shop', 'shop', [['GET', '/x']], { apiRevision: '3' });
    const routed = (router: ReturnType<typeof createRouter>, path: string) => {
      const route = router.route(input('GET', path));
      return route.found ? route.api : undefined;
    };
    for (const router of [createRouter([current, second]), createRouter([second, current]), createRouter([]).with([], [second]).with([], [current])]) {
      assert.equal(routed(router, '/shop/x'), current);
      assert.equal(routed(router, '/shop;rev=1/x'), current);
      assert.equal(routed(router, '/shop;rev=2/x'), second);
      assert.equal(routed(router, '/shop;rev=4/x'), undefined);
    }
    for (const router of [createRouter([promoted, override]), createRouter([override, promoted])]) {
      assert.equal(routed(router, '/shop/x'), promoted);
      assert.equal(routed(router, '/shop;rev=3/x'), override);
    }
    // Another API's revision at the same path and number is a clash; the first keeps the path.
    const intruder = api('other;rev=1', 'shop', [['GET', '/x']], { apiRevision: '1' });
    const clash = createRouter([current, intruder]);
    assert.equal(routed(clash, '/shop;rev=1/x'), current);
    assert.match(clash.conflicts.get('/apis/other;rev=1') ?? '', /already served by \/apis\/shop/);
    // Added the other way round, the other API holds the number and the current one the plain path.
    const byRevision = createRouter([intruder, current]);
    assert.equal(routed(byRevision, '/shop;rev=1/x'), intruder);
    assert.equal(routed(byRevision, '/shop/x'), current);
    assert.equal(byRevision.conflicts.size, 0);
  });

  it('a path with one API answers for it alone until a revision or a version set joins it there', () => {
    const current = api('shop', 'shop', [['GET', '/x']], { apiRevision: '1' });
    const second = api('shop;rev=2', 'shop', [['GET', '/x']], { apiRevision: '2' });
    const versionSet = record('/apiversionsets/vs', 'apiVersionSets', { versioningScheme: 'Segment', displayName: 'vs' });
    const v1 = api('shop-v1', 'shop', [['GET', '/x']], { apiVersionSetId: '/apiVersionSets/vs', apiVersion: 'v1' }, versionSet);
    const routed = (router: ReturnType<typeof createRouter>, path: string) => {
      const route = router.route(input('GET', path));
      return route.found ? route.api : undefined;
    };
    const alone = createRouter([current]);
    assert.equal(routed(alone, '/shop/x'), current);
    assert.equal(routed(alone, '/shop;rev=1/x'), current);
    assert.equal(routed(alone, '/shop;rev=2/x'), undefined);
    const withRevision = alone.with([], [second]);
    assert.equal(routed(withRevision, '/shop/x'), current);
    assert.equal(routed(withRevision, '/shop;rev=2/x'), second);
    const withVersions = withRevision.with([], [v1]);
    assert.equal(routed(withVersions, '/shop/v1/x'), v1);
    assert.equal(routed(withVersions, '/shop/x'), current);
    const aloneAgain = withVersions.with([second, v1], []);
    assert.equal(routed(aloneAgain, '/shop;rev=2/x'), undefined);
    const gone = aloneAgain.route(input('GET', '/shop/v1/x'));
    assert.ok(gone.found && gone.api === current && gone.operation === undefined, 'v1 is gone: shop has no operation for /v1/x');
    assert.equal(routed(aloneAgain, '/shop/x'), current);
    const replaced = api('shop', 'shop', [['GET', '/x']], { apiRevision: '1', serviceUrl: 'http://other.test' });
    assert.equal(routed(aloneAgain.with([current], [replaced]), '/shop/x'), replaced);
    assert.equal(routed(aloneAgain, '/shop/x'), current, 'the router it came from is unchanged');
  });

  it('routes the versions of a version set by segment beside a plain API at the same path', () => {
    const versionSet = record('/apiversionsets/vs', 'apiVersionSets', { versioningScheme: 'Segment', displayName: 'vs' });
    const v1 = api('v1', 'catalog', [['GET', '/x']], { apiVersionSetId: '/apiVersionSets/vs', apiVersion: 'v1' }, versionSet);
    const v2 = api('v2', 'catalog', [['GET', '/x']], { apiVersionSetId: '/apiVersionSets/vs', apiVersion: 'v2' }, versionSet);
    const plain = api('plain', 'catalog', [['GET', '/*']]);
    const router = createRouter([v1, plain, v2]);
    const route = (path: string) => {
      const r = router.route(input('GET', path));
      return r.found ? [r.api, r.remainder] : undefined;
    };
    assert.deepEqual(route('/catalog/v1/x'), [v1, '/x']);
    assert.deepEqual(route('/catalog/V2/x'), [v2, '/x']);
    assert.deepEqual(route('/catalog/v3/x'), [plain, '/v3/x']);
    assert.equal(router.conflicts.size, 0);
  });

  it('marks an API with an unusable template as failing, alone', () => {
    const broken = api('broken', 'broken', [['GET', '/*/x']]);
    assert.match(broken.failure ?? '', /op0/);
    const ok = api('fine', 'fine', [['GET', '/x']]);
    assert.equal(ok.failure, undefined);
  });
});
