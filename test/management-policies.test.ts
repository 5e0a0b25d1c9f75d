import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';

/** The effective policy of an operation, composed from every scope through the management API. */
describe('effective policy', () => {
  let atrium: RunningAtrium;
  const header = (name: string): string => `<set-header name="${name}" exists-action="override"><value>1</value></set-header>`;
  before(async () => {
    atrium = await startAtrium();
    const put = async (path: string, properties: unknown): Promise<void> => {
      const res = await atrium.call('PUT', path, { properties });
      assert.ok(res.status === 201 || res.status === 200, `${path}: ${res.text}`);
    };
    await put('/workspaces/w1', { displayName: 'W1' });
    await put('/workspaces/w1/apis/orders', { path: 'orders' });
    await put('/workspaces/w1/apis/orders/operations/list', { displayName: 'List', method: 'GET', urlTemplate: '/' });
    await put('/workspaces/w1/products/gold', { displayName: 'Gold' });
    await put('/workspaces/w1/policyFragments/stamp', { value: `<fragment>${header('x-fragment')}</fragment>`, format: 'rawxml' });
    await put('/policies/policy', { value: `<policies><inbound>${header('x-global')}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`, format: 'rawxml' });
    await put('/workspaces/w1/policies/policy', { value: `<policies><inbound><base />${header('x-workspace')}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`, format: 'rawxml' });
    await put('/workspaces/w1/products/gold/policies/policy', { value: `<policies><inbound><base />${header('x-product')}</inbound></policies>`, format: 'rawxml' });
    await put('/workspaces/w1/apis/orders/policies/policy', { value: `<policies><inbound><base /><include-fragment fragment-id="stamp" /></inbound></policies>`, format: 'rawxml' });
    await put('/workspaces/w1/apis/orders/operations/list/policies/policy', { value: `<policies><inbound><base />${header('x-operation')}</inbound></policies>`, format: 'rawxml' });
  });
  after(() => atrium?.close());

  it('merges global > workspace > product > API > operation and expands fragments', async () => {
    const res = await atrium.call('GET', '/workspaces/w1/apis/orders/operations/list/effectivePolicy?productId=gold');
    assert.equal(res.status, 200, res.text);
    const order = ['x-global', 'x-workspace', 'x-product', 'x-fragment', 'x-operation'].map((h) => res.body.value.indexOf(`name="${h}"`));
    assert.ok(order.every((i) => i >= 0), res.body.value);
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'scopes run outside-in');
    assert.ok(!res.body.value.includes('<base'), 'no <base/> left');
    const withoutProduct = await atrium.call('GET', '/workspaces/w1/apis/orders/operations/list/effectivePolicy');
    assert.ok(!withoutProduct.body.value.includes('x-product'));
  });

  it('answers 404 for a missing operation and 400 for an unknown product', async () => {
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis/orders/operations/none/effectivePolicy')).status, 404);
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis/orders/operations/list/effectivePolicy?productId=none')).status, 400);
  });

  it('governs workspace policies: audit lists documents without <base/>, enforce rejects them', async () => {
    const noBase = `<policies><inbound>${header('x-alone')}</inbound></policies>`;
    assert.equal((await atrium.call('GET', '/settings/policies')).body.properties.requireBase, 'off');
    assert.equal((await atrium.call('PUT', '/workspaces/w1/apis/orders/operations/list/policies/policy', { properties: { value: noBase, format: 'rawxml' } })).status, 200);
    assert.equal((await atrium.call('PATCH', '/settings/policies', { properties: { requireBase: 'audit' } })).status, 200);
    const offenders = await atrium.call('GET', '/settings/policies/offenders');
    assert.equal(offenders.status, 200, offenders.text);
    assert.deepEqual(offenders.body.value.map((o: { id: string }) => o.id), ['/workspaces/w1/apis/orders/operations/list/policies/policy']);
    assert.equal(offenders.body.requireBase, 'audit');
    assert.equal((await atrium.call('PATCH', '/settings/policies', { properties: { requireBase: 'enforce' } })).status, 200);
    const rejected = await atrium.call('PUT', '/workspaces/w1/apis/orders/policies/policy', { properties: { value: noBase, format: 'rawxml' } });
    assert.equal(rejected.status, 400, rejected.text);
    assert.match(rejected.text, /base/);
    // The service level is the platform team's own: it is not governed.
    assert.equal((await atrium.call('PUT', '/policies/policy', { properties: { value: `<policies><inbound>${header('x-global')}</inbound></policies>`, format: 'rawxml' } })).status, 200);
    assert.equal((await atrium.call('PUT', '/settings/other', { properties: { requireBase: 'off' } })).status, 400);
    assert.equal((await atrium.call('DELETE', '/settings/policies')).status, 404);
  });
});
