import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';

/** Lists, filters, paging, HEAD, aliases and cascades through the real HTTP API. */
describe('management API resources', () => {
  let atrium: RunningAtrium;
  before(async () => {
    atrium = await startAtrium();
    await atrium.call('PUT', '/workspaces/w1', { properties: { displayName: 'W1' } });
    for (let i = 0; i < 25; i++) {
      const name = `api-${String(i).padStart(2, '0')}`;
      const res = await atrium.call('PUT', `/workspaces/w1/apis/${name}`, {
        properties: { displayName: i % 2 === 0 ? `Even ${i}` : `Odd ${i}`, path: name, subscriptionRequired: i % 5 !== 0 },
      });
      assert.equal(res.status, 201, res.text);
    }
  });
  after(() => atrium?.close());

  it('pages through a list with $top, $skip and nextLink', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/workspaces/w1/apis?$top=10&api-version=2024-05-01';
    let pages = 0;
    while (url) {
      const res = await atrium.call('GET', url);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.count, 25);
      seen.push(...res.body.value.map((a: { name: string }) => a.name));
      url = res.body.nextLink ? res.body.nextLink.replace(atrium.url, '') : undefined;
      if (url) assert.match(url, /api-version=2024-05-01/);
      pages++;
    }
    assert.equal(pages, 3);
    assert.equal(seen.length, 25);
    assert.deepEqual(seen, [...seen].sort());
    const skipped = await atrium.call('GET', '/workspaces/w1/apis?$skip=20');
    assert.deepEqual(skipped.body.value.map((a: { name: string }) => a.name), ['api-20', 'api-21', 'api-22', 'api-23', 'api-24']);
    assert.equal(skipped.body.nextLink, undefined);
  });

  it('filters with eq, ne, startswith, contains, booleans, and/or/not', async () => {
    const names = async (filter: string): Promise<string[]> => {
      const res = await atrium.call('GET', `/workspaces/w1/apis?$filter=${encodeURIComponent(filter)}&$top=100`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.count, res.body.value.length);
      return res.body.value.map((a: { name: string }) => a.name);
    };
    assert.deepEqual(await names("name eq 'api-03'"), ['api-03']);
    assert.deepEqual(await names("name eq 'API-03'"), ['api-03']);
    assert.equal((await names("name ne 'api-03'")).length, 24);
    assert.deepEqual(await names("startswith(name, 'api-2')"), ['api-20', 'api-21', 'api-22', 'api-23', 'api-24']);
    assert.deepEqual(await names("contains(properties/displayName, 'odd 1') and startswith(name, 'api-1')"), ['api-11', 'api-13', 'api-15', 'api-17', 'api-19']);
    assert.deepEqual(await names('subscriptionRequired eq false'), ['api-00', 'api-05', 'api-10', 'api-15', 'api-20']);
    assert.deepEqual(await names("(name eq 'api-01' or name eq 'api-02') and not (name eq 'api-02')"), ['api-01']);
    const page = await atrium.call('GET', `/workspaces/w1/apis?$filter=${encodeURIComponent("startswith(displayName, 'even')")}&$top=5`);
    assert.equal(page.body.count, 13);
    assert.equal(page.body.value.length, 5);
    assert.ok(page.body.nextLink.includes('%24skip=5') || page.body.nextLink.includes('$skip=5'));
  });

  it('answers HEAD with the ETag and 404 for a missing resource', async () => {
    const head = await fetch(`${atrium.url}/workspaces/w1/apis/api-01`, { method: 'HEAD', headers: { authorization: 'Bearer test-admin-key-0123456789abcdef' } });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('etag') ?? '', /^"[0-9a-f]+"$/);
    const missing = await fetch(`${atrium.url}/workspaces/w1/apis/none`, { method: 'HEAD', headers: { authorization: 'Bearer test-admin-key-0123456789abcdef' } });
    assert.equal(missing.status, 404);
  });

  it('treats names as case-insensitive and keeps the name as created', async () => {
    const created = await atrium.call('PUT', '/workspaces/w1/tags/MixedCase', { properties: { displayName: 'Mixed' } });
    assert.equal(created.status, 201);
    const read = await atrium.call('GET', '/workspaces/W1/tags/mixedcase');
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.name, 'MixedCase');
    assert.equal(read.body.id, '/workspaces/w1/tags/MixedCase');
  });

  it('merges PATCH bodies and keeps untouched properties', async () => {
    const patched = await atrium.call('PATCH', '/workspaces/w1/apis/api-01', { properties: { description: 'patched', subscriptionKeyParameterNames: { header: 'X-Key' } } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.properties.description, 'patched');
    assert.equal(patched.body.properties.path, 'api-01');
    assert.equal(patched.body.properties.subscriptionKeyParameterNames.header, 'X-Key');
    assert.equal(patched.body.properties.subscriptionKeyParameterNames.query, 'subscription-key');
    const missing = await atrium.call('PATCH', '/workspaces/w1/apis/none', { properties: { description: 'x' } });
    assert.equal(missing.status, 404);
  });

  it('links through the older alias forms and the link resources alike', async () => {
    await atrium.call('PUT', '/workspaces/w1/products/gold', { properties: { displayName: 'Gold' } });
    assert.equal((await atrium.call('PUT', '/workspaces/w1/products/gold/apis/api-02')).status, 201);
    assert.equal((await atrium.call('PUT', '/workspaces/w1/products/gold/apis/api-02')).status, 200);
    assert.equal((await atrium.call('PUT', '/workspaces/w1/products/gold/apiLinks/link-3', { properties: { apiId: '/apis/api-03' } })).status, 201);
    const viaAlias = await atrium.call('GET', '/workspaces/w1/products/gold/apis');
    assert.deepEqual(viaAlias.body.value.map((a: { name: string }) => a.name), ['api-02', 'api-03']);
    const links = await atrium.call('GET', '/workspaces/w1/products/gold/apiLinks');
    assert.equal(links.body.count, 2);
    assert.equal((await atrium.call('GET', '/workspaces/w1/products/gold/apis/api-03')).body.name, 'api-03');
    assert.equal((await atrium.call('GET', '/workspaces/w1/products/gold/apis/api-04')).status, 404);
    assert.equal((await atrium.call('PUT', '/workspaces/w1/products/gold/apis/missing')).status, 404);

    assert.equal((await atrium.call('PUT', '/workspaces/w1/tags/blue', { properties: { displayName: 'blue' } })).status, 201);
    assert.equal((await atrium.call('PUT', '/workspaces/w1/apis/api-02/tags/blue')).status, 201);
    assert.equal((await atrium.call('GET', '/workspaces/w1/tags/blue/apiLinks')).body.count, 1);
    assert.deepEqual((await atrium.call('GET', '/workspaces/w1/apis/api-02/tags')).body.value.map((t: { name: string }) => t.name), ['blue']);
    assert.equal((await atrium.call('DELETE', '/workspaces/w1/apis/api-02/tags/blue')).status, 200);
    assert.equal((await atrium.call('GET', '/workspaces/w1/tags/blue/apiLinks')).body.count, 0);
  });

  it('deleting an API removes its operations, policies and the links to it, and nothing else', async () => {
    await atrium.call('PUT', '/workspaces/w1/apis/api-03/operations/op1', { properties: { displayName: 'Op', method: 'GET', urlTemplate: '/x' } });
    assert.equal((await atrium.call('PUT', '/workspaces/w1/apis/api-03/policies/policy', { properties: { value: '<policies><inbound><base /></inbound></policies>', format: 'rawxml' } })).status, 201);
    assert.equal((await atrium.call('PUT', '/workspaces/w1/apis/api-03/operations/op1/policies/policy', { properties: { value: '<policies><inbound><base /></inbound></policies>' } })).status, 201);
    await atrium.call('PUT', '/workspaces/w1/tags/blue/apiLinks/t3', { properties: { apiId: '/apis/api-03' } });
    await atrium.call('PUT', '/workspaces/w1/tags/blue/operationLinks/o3', { properties: { operationId: '/apis/api-03/operations/op1' } });
    assert.equal((await atrium.call('DELETE', '/workspaces/w1/apis/api-03')).status, 200);
    for (const path of [
      '/workspaces/w1/apis/api-03/operations/op1',
      '/workspaces/w1/apis/api-03/policies/policy',
      '/workspaces/w1/apis/api-03/operations/op1/policies/policy',
      '/workspaces/w1/products/gold/apiLinks/link-3',
      '/workspaces/w1/tags/blue/apiLinks/t3',
      '/workspaces/w1/tags/blue/operationLinks/o3',
    ]) {
      assert.equal((await atrium.call('GET', path)).status, 404, path);
    }
    assert.equal((await atrium.call('GET', '/workspaces/w1/products/gold/apiLinks/api-02')).status, 200);
    assert.equal((await atrium.call('GET', '/workspaces/w1/tags/blue')).status, 200);
  });

  it('validates policy documents when they are saved and stores them as given', async () => {
    const scoped = '<policies><inbound><base /><set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", ""))</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
    const global = '<policies><inbound><set-header name="x-global" exists-action="override"><value>1</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>';
    for (const [path, doc] of [['/policies/policy', global], ['/workspaces/w1/policies/policy', scoped], ['/workspaces/w1/products/gold/policies/policy', scoped], ['/workspaces/w1/apis/api-04/policies/policy', scoped]]) {
      const res = await atrium.call('PUT', path, { properties: { value: doc, format: 'rawxml' } });
      assert.ok(res.status === 201 || res.status === 200, `${path}: ${res.text}`);
      assert.equal((await atrium.call('GET', path)).body.properties.value, doc);
    }
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis/api-04/policies')).body.count, 1);
    const bad: [string, RegExp][] = [
      ['<policies><inbound><set-header name="x"></inbound></policies>', /line 1/],
      ['<policies><inbound><no-such-policy /></inbound></policies>', /no-such-policy/],
      ['<policies><inbound><set-header exists-action="override"><value>1</value></set-header></inbound></policies>', /name/],
      ['<policies><inbound><set-variable name="v" value="@(context.Nope)" /></inbound></policies>', /Nope/],
      ['<policies><inbound><include-fragment fragment-id="missing" /></inbound></policies>', /missing/],
      ['<policies><inbound><set-header name="x" exists-action="override"><value>{{no-such-value}}</value></set-header></inbound></policies>', /no-such-value/],
    ];
    for (const [doc, message] of bad) {
      const res = await atrium.call('PUT', '/workspaces/w1/apis/api-05/policies/policy', { properties: { value: doc, format: 'rawxml' } });
      assert.equal(res.status, 400, `${doc}: ${res.text}`);
      assert.match(res.text, message);
      assert.match(res.body.error.details[0].message, /^line \d+, column \d+: /);
    }
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis/api-05/policies/policy')).status, 404);
    const fragment = await atrium.call('PUT', '/workspaces/w1/policyFragments/not-a-fragment', { properties: { value: '<policies />', format: 'rawxml' } });
    assert.equal(fragment.status, 400, fragment.text);
  });

  it('publishes an OpenAPI document that covers every registered route', async () => {
    const res = await fetch(`${atrium.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    assert.equal(doc.openapi, '3.1.0');
    const registered = atrium.atrium.management.registeredRoutes;
    assert.ok(registered.length > 400);
    for (const route of registered) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path} is not documented`);
    }
    for (const expected of ['/workspaces/{workspaceId}/apis/{apiId}/operations/{operationId}', '/subscriptions/{subscriptionId}/listSecrets', '/gateways/{gatewayId}/workspaceLinks/{workspaceLinkId}', '/products/{productId}/apis/{targetId}']) {
      assert.ok(doc.paths[expected], `missing ${expected}`);
    }
    let operations = 0;
    for (const methods of Object.values(doc.paths)) operations += Object.keys(methods).length;
    assert.ok(operations > 400, `only ${operations} operations documented`);
    const apiSchema = doc.components.schemas.apisProperties as { properties: Record<string, unknown> };
    assert.ok(apiSchema.properties.path && apiSchema.properties.subscriptionKeyParameterNames);
  });
});
