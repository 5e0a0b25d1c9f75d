import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';

/** Routing on the managed gateway: API paths, versions, revisions, operations, Azure's 404. */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

describe('gateway routing', () => {
  let atrium: RunningAtrium;
  let a: RecordingBackend;
  let b: RecordingBackend;
  let c: RecordingBackend;

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(atrium.gatewayUrl + path, { method, headers });

  before(async () => {
    atrium = await startAtrium();
    [a, b, c] = await Promise.all([startBackend('a'), startBackend('b'), startBackend('c')]);
    const op = (api: string, name: string, method: string, urlTemplate: string, ws = '') =>
      ok(atrium, 'PUT', `${ws}/apis/${api}/operations/${name}`, { properties: { displayName: name, method, urlTemplate } });
    await ok(atrium, 'PUT', '/apis/shop', { properties: { path: 'shop', serviceUrl: `${a.url}/base`, subscriptionRequired: false } });
    await op('shop', 'list', 'GET', '/items');
    await op('shop', 'get', 'GET', '/items/{id}');
    await op('shop', 'special', 'GET', '/items/special');
    await op('shop', 'create', 'POST', '/items');
    await op('shop', 'files', 'GET', '/files/{*path}');
    await op('shop', 'search', 'GET', '/search?q={q}');
    await op('shop', 'report', 'GET', '/reports/{year}-{month}.json');
    await op('shop', 'root', 'GET', '/');
    // A longer path under the same prefix is a different API.
    await ok(atrium, 'PUT', '/apis/shop-admin', { properties: { path: 'shop/admin', serviceUrl: b.url, subscriptionRequired: false } });
    await op('shop-admin', 'all', '*', '/*');
    // A revision that is not current.
    await ok(atrium, 'PUT', '/apis/shop;rev=2', { properties: { path: 'shop', serviceUrl: c.url, subscriptionRequired: false, apiRevision: '2' } });
    await op('shop;rev=2', 'list', 'GET', '/items');
    // Version sets by segment, query and header.
    for (const [set, scheme, extra] of [
      ['vseg', 'Segment', {}],
      ['vquery', 'Query', { versionQueryName: 'api-version' }],
      ['vheader', 'Header', { versionHeaderName: 'Api-Version' }],
    ] as const) {
      await ok(atrium, 'PUT', `/apiVersionSets/${set}`, { properties: { displayName: set, versioningScheme: scheme, ...extra } });
      await ok(atrium, 'PUT', `/apis/${set}-v1`, {
        properties: { path: set, serviceUrl: a.url, apiVersion: 'v1', apiVersionSetId: `/apiVersionSets/${set}`, subscriptionRequired: false },
      });
      await ok(atrium, 'PUT', `/apis/${set}-v2`, {
        properties: { path: set, serviceUrl: b.url, apiVersion: 'v2', apiVersionSetId: `/apiVersionSets/${set}`, subscriptionRequired: false },
      });
      await op(`${set}-v1`, 'hello', 'GET', '/hello');
      await op(`${set}-v2`, 'hello', 'GET', '/hello');
    }
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
  });

  after(async () => {
    await atrium?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it('answers the status probe', async () => {
    const response = await get('/status-0123456789abcdef');
    assert.equal(response.status, 200);
  });

  it('forwards to the serviceUrl with the path after the API path and the query intact', async () => {
    const response = await get('/shop/items/42?x=1&y=two');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-backend'), 'a');
    assert.equal(a.last()!.url, '/base/items/42?x=1&y=two');
  });

  it('prefers the literal operation over the parameter and matches mixed and wildcard templates', async () => {
    assert.equal((await get('/shop/items/special')).status, 200);
    assert.equal((await get('/shop/files/a/b/c.txt')).status, 200);
    assert.equal(a.last()!.url, '/base/files/a/b/c.txt');
    assert.equal((await get('/shop/reports/2026-11.json')).status, 200);
    assert.equal((await get('/shop/search?q=shoes')).status, 200);
    assert.equal((await get('/shop')).status, 200);
    assert.equal(a.last()!.url, '/base');
  });

  it('answers Azure 404 JSON for unknown APIs, operations and methods', async () => {
    for (const [method, path] of [
      ['GET', '/nothing/here'],
      ['GET', '/shop/unknown'],
      ['DELETE', '/shop/items'],
      ['GET', '/shop/search'],
      ['GET', '/shopping/items'],
    ]) {
      const response = await get(path, {}, method);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(await response.json(), { statusCode: 404, message: 'Resource not found' });
    }
  });

  it('routes by the longest API path', async () => {
    const before = b.requests.length;
    const response = await get('/shop/admin/anything/at/all', {}, 'PATCH');
    assert.equal(response.status, 200);
    assert.equal(b.requests.length, before + 1);
    assert.equal(b.last()!.url, '/anything/at/all');
  });

  it('routes ;rev=n to that revision and the plain path to the current one', async () => {
    assert.equal((await get('/shop;rev=2/items')).headers.get('x-backend'), 'c');
    assert.equal(c.last()!.url, '/items');
    assert.equal((await get('/shop/items')).headers.get('x-backend'), 'a');
    assert.equal((await get('/shop;rev=1/items')).headers.get('x-backend'), 'a');
    assert.equal((await get('/shop;rev=9/items')).status, 404);
  });

  it('routes versions by path segment, query parameter and header', async () => {
    assert.equal((await get('/vseg/v1/hello')).headers.get('x-backend'), 'a');
    assert.equal((await get('/vseg/v2/hello')).headers.get('x-backend'), 'b');
    assert.equal(b.last()!.url, '/hello');
    assert.equal((await get('/vseg/v3/hello')).status, 404);
    assert.equal((await get('/vquery/hello?api-version=v2')).headers.get('x-backend'), 'b');
    assert.equal((await get('/vquery/hello?api-version=v1')).headers.get('x-backend'), 'a');
    assert.equal((await get('/vquery/hello')).status, 404);
    assert.equal((await get('/vheader/hello', { 'api-version': 'v2' })).headers.get('x-backend'), 'b');
    assert.equal((await get('/vheader/hello')).status, 404);
  });

  it('picks up a new API and a removed operation without a restart', async () => {
    await ok(atrium, 'PUT', '/apis/late', { properties: { path: 'late', serviceUrl: c.url, subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/apis/late/operations/x', { properties: { displayName: 'x', method: 'GET', urlTemplate: '/x' } });
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
    assert.equal((await get('/late/x')).status, 200);
    assert.equal((await atrium.call('DELETE', '/apis/late/operations/x')).status, 200);
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
    assert.equal((await get('/late/x')).status, 404);
  });
});
