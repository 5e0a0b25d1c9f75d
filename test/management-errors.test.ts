import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium, type TestResponse } from './support/atrium.ts';

/** Bad input of every kind gets Azure's error envelope with the right status, never a 500 or a partial write. */
describe('management API bad input', () => {
  let atrium: RunningAtrium;
  before(async () => {
    atrium = await startAtrium();
    await atrium.call('PUT', '/workspaces/w1', { properties: { displayName: 'W1' } });
  });
  after(() => atrium?.close());

  const expectError = (res: TestResponse, status: number, code: string, target?: string): void => {
    assert.equal(res.status, status, res.text);
    assert.equal(res.body?.error?.code, code, res.text);
    assert.equal(typeof res.body.error.message, 'string');
    assert.ok(Array.isArray(res.body.error.details), res.text);
    if (target) assert.ok(res.body.error.details.some((d: { target?: string }) => d.target === target), `no detail names ${target}: ${res.text}`);
  };

  it('rejects malformed JSON with 400', async () => {
    const res = await atrium.call('PUT', '/apis/a1', '{"properties": {"path": "a1",');
    expectError(res, 400, 'InvalidRequestContent', 'body');
    assert.equal((await atrium.call('GET', '/apis/a1')).status, 404);
  });

  it('rejects a body that is not an object, and properties that are not an object', async () => {
    expectError(await atrium.call('PUT', '/apis/a1', '[1,2]'), 400, 'ValidationError');
    expectError(await atrium.call('PUT', '/apis/a1', '"text"'), 400, 'ValidationError');
    expectError(await atrium.call('PUT', '/apis/a1', { properties: 'x' }), 400, 'ValidationError', 'properties');
  });

  it('rejects wrong types and unknown properties, naming the field', async () => {
    expectError(await atrium.call('PUT', '/apis/a1', { properties: { path: 'a1', displayName: 5 } }), 400, 'ValidationError', 'properties.displayName');
    expectError(await atrium.call('PUT', '/apis/a1', { properties: { path: 'a1', bogus: true } }), 400, 'ValidationError', 'properties.bogus');
    expectError(await atrium.call('PUT', '/products/p1', { properties: { displayName: 'P', state: 'open' } }), 400, 'ValidationError', 'properties.state');
    expectError(await atrium.call('PUT', '/apis/a1', { properties: { path: 'a1' }, extra: 1 }), 400, 'ValidationError', 'extra');
    expectError(await atrium.call('PUT', '/gateways/g1', { properties: { displayName: 'G', port: 70000 } }), 400, 'ValidationError', 'properties.port');
    assert.equal((await atrium.call('GET', '/apis/a1')).status, 404);
  });

  it('rejects a missing required property', async () => {
    expectError(await atrium.call('PUT', '/workspaces/w2', { properties: {} }), 400, 'ValidationError', 'properties.displayName');
    expectError(await atrium.call('PUT', '/apis/a1/operations/o1', { properties: { displayName: 'x' } }), 404, 'ParentResourceNotFound');
  });

  it('rejects prototype keys', async () => {
    const res = await atrium.call('PUT', '/apis/a1', '{"properties":{"path":"a1","__proto__":{"admin":true}}}');
    expectError(res, 400, 'InvalidRequestContent');
  });

  it('rejects an oversized body with 413', async () => {
    const big = JSON.stringify({ properties: { path: 'big', description: 'x'.repeat(9 * 1024 * 1024) } });
    const res = await atrium.call('PUT', '/apis/big', big);
    expectError(res, 413, 'RequestEntityTooLarge');
  });

  it('rejects an unsupported content type with 415', async () => {
    expectError(await atrium.call('PUT', '/apis/a1', '<xml/>', { 'content-type': 'application/xml' }), 415, 'UnsupportedMediaType');
  });

  it('rejects bad names: characters and length', async () => {
    expectError(await atrium.call('PUT', '/apis/a*b', { properties: { path: 'x' } }), 400, 'ValidationError', 'name');
    expectError(await atrium.call('PUT', `/apis/${'a'.repeat(257)}`, { properties: { path: 'x' } }), 400, 'ValidationError', 'name');
    expectError(await atrium.call('PUT', '/apis/a%3Ab', { properties: { path: 'x' } }), 400, 'ValidationError', 'name');
    expectError(await atrium.call('PUT', '/apis/a1/policies/other', { properties: { value: '<policies/>' } }), 400, 'ValidationError', 'name');
  });

  it('answers unknown paths, methods, workspaces and parents with 404', async () => {
    expectError(await atrium.call('GET', '/nothing-here'), 404, 'NotFound');
    expectError(await atrium.call('POST', '/apis/a1'), 404, 'NotFound');
    expectError(await atrium.call('GET', '/workspaces/nope/apis'), 404, 'ResourceNotFound');
    expectError(await atrium.call('PUT', '/workspaces/nope/apis/x', { properties: { path: 'x' } }), 404, 'ResourceNotFound');
    expectError(await atrium.call('GET', '/apis/missing'), 404, 'ResourceNotFound');
    expectError(await atrium.call('POST', '/namedValues/missing/listValue'), 404, 'ResourceNotFound');
    assert.equal((await atrium.call('DELETE', '/apis/missing')).status, 204);
  });

  it('rejects bad list parameters', async () => {
    expectError(await atrium.call('GET', '/apis?$top=abc'), 400, 'ValidationError', '$top');
    expectError(await atrium.call('GET', '/apis?$top=0'), 400, 'ValidationError', '$top');
    expectError(await atrium.call('GET', '/apis?$top=5000'), 400, 'ValidationError', '$top');
    expectError(await atrium.call('GET', '/apis?$skip=-1'), 400, 'ValidationError', '$skip');
    expectError(await atrium.call('GET', "/apis?$filter=name eq 'unterminated"), 400, 'ValidationError', '$filter');
    expectError(await atrium.call('GET', "/apis?$filter=name like 'x'"), 400, 'ValidationError', '$filter');
  });

  it('requires the admin key', async () => {
    expectError(await atrium.call('GET', '/apis', undefined, { authorization: '' }), 401, 'Unauthorized');
    expectError(await atrium.call('GET', '/apis', undefined, { authorization: 'Bearer wrong-key-0123456789' }), 401, 'Unauthorized');
    expectError(await atrium.call('GET', '/apis', undefined, { authorization: 'Basic abc' }), 401, 'Unauthorized');
    const health = await fetch(`${atrium.url}/health`);
    assert.equal(health.status, 200);
  });

  it('rejects references to missing resources and to the wrong type', async () => {
    expectError(await atrium.call('PUT', '/subscriptions/s1', { properties: { displayName: 's1', scope: '/products/none' } }), 400, 'ValidationError', 'properties.scope');
    expectError(await atrium.call('PUT', '/subscriptions/s1', { properties: { displayName: 's1', scope: '/groups/developers' } }), 400, 'ValidationError', 'properties.scope');
    expectError(await atrium.call('PUT', '/subscriptions/s1', { properties: { displayName: 's1', scope: 'not an id' } }), 400, 'ValidationError', 'properties.scope');
    expectError(await atrium.call('PUT', '/gateways/managed/workspaceLinks/nope'), 400, 'ValidationError', 'name');
    assert.equal((await atrium.call('GET', '/subscriptions/s1')).status, 404);
  });

  it('forbids a service-level resource from referencing a workspace resource, and a workspace one from using service-level named things', async () => {
    await atrium.call('PUT', '/workspaces/w1/apis/wapi', { properties: { path: 'wapi' } });
    await atrium.call('PUT', '/products/sp', { properties: { displayName: 'SP' } });
    expectError(await atrium.call('PUT', '/products/sp/apiLinks/l1', { properties: { apiId: '/workspaces/w1/apis/wapi' } }), 400, 'ValidationError', 'properties.apiId');
    await atrium.call('PUT', '/apis/sapi', { properties: { path: 'sapi' } });
    await atrium.call('PUT', '/workspaces/w1/products/wp', { properties: { displayName: 'WP' } });
    expectError(await atrium.call('PUT', '/workspaces/w1/products/wp/apiLinks/l1', { properties: { apiId: '/apis/sapi' } }), 400, 'ValidationError', 'properties.apiId');
    // Built-in groups are shared with workspaces; custom service-level groups are not.
    assert.equal((await atrium.call('PUT', '/workspaces/w1/products/wp/groupLinks/g1', { properties: { groupId: '/groups/developers' } })).status, 201);
    await atrium.call('PUT', '/groups/partners', { properties: { displayName: 'Partners' } });
    expectError(await atrium.call('PUT', '/workspaces/w1/products/wp/groupLinks/g2', { properties: { groupId: '/groups/partners' } }), 400, 'ValidationError', 'properties.groupId');
  });

  it('keeps built-in resources and restricted references from being deleted', async () => {
    expectError(await atrium.call('DELETE', '/gateways/managed'), 409, 'Conflict');
    expectError(await atrium.call('DELETE', '/groups/developers'), 409, 'Conflict');
    await atrium.call('PUT', '/apiVersionSets/vs1', { properties: { displayName: 'VS', versioningScheme: 'Segment' } });
    assert.equal((await atrium.call('PUT', '/apis/versioned', { properties: { path: 'versioned', apiVersion: 'v1', apiVersionSetId: '/apiVersionSets/vs1' } })).status, 201);
    expectError(await atrium.call('DELETE', '/apiVersionSets/vs1'), 409, 'Conflict');
    assert.equal((await atrium.call('GET', '/apiVersionSets/vs1')).status, 200);
    assert.equal((await atrium.call('DELETE', '/apis/versioned')).status, 200);
    assert.equal((await atrium.call('DELETE', '/apiVersionSets/vs1')).status, 200);
  });

  it("deletes a product's subscriptions and an API's revisions only when asked", async () => {
    await atrium.call('PUT', '/products/with-subs', { properties: { displayName: 'With subs' } });
    assert.equal((await atrium.call('PUT', '/subscriptions/sub-of-product', { properties: { displayName: 'x', scope: '/products/with-subs' } })).status, 201);
    expectError(await atrium.call('DELETE', '/products/with-subs'), 409, 'Conflict', '/subscriptions/sub-of-product');
    assert.equal((await atrium.call('DELETE', '/products/with-subs?deleteSubscriptions=true')).status, 200);
    assert.equal((await atrium.call('GET', '/subscriptions/sub-of-product')).status, 404);
    await atrium.call('PUT', '/apis/revised', { properties: { path: 'revised' } });
    assert.equal((await atrium.call('PUT', '/apis/revised;rev=2', { properties: { path: 'revised', sourceApiId: '/apis/revised' } })).status, 201);
    expectError(await atrium.call('DELETE', '/apis/revised'), 409, 'Conflict');
    assert.equal((await atrium.call('DELETE', '/apis/revised?deleteRevisions=true')).status, 200);
    assert.equal((await atrium.call('GET', '/apis/revised;rev=2')).status, 404);
  });

  it('allows at most 30 workspaces on one gateway', async () => {
    await atrium.call('PUT', '/gateways/busy', { properties: { displayName: 'Busy' } });
    for (let i = 0; i < 31; i++) {
      const ws = await atrium.call('PUT', `/workspaces/many-${i}`, { properties: { displayName: `many ${i}` } });
      assert.equal(ws.status, 201, ws.text);
    }
    for (let i = 0; i < 30; i++) assert.equal((await atrium.call('PUT', `/gateways/busy/workspaceLinks/many-${i}`)).status, 201);
    expectError(await atrium.call('PUT', '/gateways/busy/workspaceLinks/many-30'), 409, 'LimitExceeded');
    assert.equal((await atrium.call('GET', '/gateways/busy/workspaceLinks')).body.count, 30);
    // Re-linking an existing one is not a new link.
    assert.equal((await atrium.call('PUT', '/gateways/busy/workspaceLinks/many-0')).status, 200);
  });
});
