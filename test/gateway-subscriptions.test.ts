import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/** Subscription keys on the gateway: names, scopes, states, open products, Azure's 401 wording. */

const MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

const pgStatus = await postgresAvailable();
const stores = [
  { name: 'SQLite', skip: false as const, schema: undefined as string | undefined },
  { name: 'PostgreSQL', skip: pgStatus === true ? (false as const) : pgStatus, schema: uniqueSchema('atrium_gwkeys') as string | undefined },
];

for (const variant of stores) describe(`gateway subscription keys on ${variant.name}`, { skip: variant.skip }, () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  const keys: Record<string, { primaryKey: string; secondaryKey: string }> = {};

  const call = (path: string, headers: Record<string, string> = {}) => fetch(atrium.gatewayUrl + path, { headers });
  const sync = () => atrium.atrium.gateways.runtime('managed')!.follower.sync();

  before(async () => {
    atrium = await startAtrium({ databaseUrl: variant.schema ? `${POSTGRES_URL}?schema=${variant.schema}` : undefined });
    backend = await startBackend('keyed');
    const api = async (name: string, extra: Record<string, unknown> = {}) => {
      await ok(atrium, 'PUT', `/apis/${name}`, { properties: { path: name, serviceUrl: backend.url, ...extra } });
      await ok(atrium, 'PUT', `/apis/${name}/operations/get`, { properties: { displayName: 'get', method: 'GET', urlTemplate: '/get' } });
    };
    await api('keyed');
    await api('other');
    await api('inopen');
    await api('free', { subscriptionRequired: false });
    await api('custom', { subscriptionKeyParameterNames: { header: 'X-Api-Key', query: 'apikey' } });
    await api('stripped', { stripSubscriptionKey: true });
    await ok(atrium, 'PUT', '/products/gold', { properties: { displayName: 'Gold', state: 'published', subscriptionRequired: true } });
    await ok(atrium, 'PUT', '/products/gold/apiLinks/keyed', { properties: { apiId: '/apis/keyed' } });
    await ok(atrium, 'PUT', '/products/open', { properties: { displayName: 'Open', state: 'published', subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/products/open/apiLinks/inopen', { properties: { apiId: '/apis/inopen' } });
    const subscriptions: [string, string, string][] = [
      ['all', '/apis', 'active'],
      ['one', '/apis/keyed', 'active'],
      ['elsewhere', '/apis/other', 'active'],
      ['gold', '/products/gold', 'active'],
      ['arm', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s/apis/custom', 'active'],
      ['suspended', '/apis', 'suspended'],
      ['submitted', '/apis/keyed', 'submitted'],
      ['cancelled', '/products/gold', 'cancelled'],
      ['expired', '/apis', 'expired'],
      ['rejected', '/apis/keyed', 'rejected'],
    ];
    for (const [name, scope, state] of subscriptions) {
      await ok(atrium, 'PUT', `/subscriptions/${name}`, { properties: { displayName: name, scope, state } });
      keys[name] = await ok(atrium, 'POST', `/subscriptions/${name}/listSecrets`);
    }
    await sync();
  });

  after(async () => {
    await atrium?.close();
    await backend?.close();
    if (variant.schema && pgStatus === true) await dropSchema(variant.schema);
  });

  it('rejects a request without a key with Azure 401 and does not reach the backend', async () => {
    const before = backend.requests.length;
    const response = await call('/keyed/get');
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { statusCode: 401, message: MISSING });
    assert.equal(backend.requests.length, before);
  });

  it('rejects an unknown key with the invalid-key message', async () => {
    const response = await call('/keyed/get', { 'Ocp-Apim-Subscription-Key': 'nope' });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { statusCode: 401, message: INVALID });
  });

  it('accepts primary and secondary keys of all-APIs, API and product subscriptions, in header or query', async () => {
    for (const name of ['all', 'one', 'gold']) {
      for (const key of [keys[name].primaryKey, keys[name].secondaryKey]) {
        const byHeader = await call('/keyed/get', { 'ocp-apim-subscription-key': key });
        assert.equal(byHeader.status, 200, `${name} by header`);
        // Like Azure, the key reaches the backend.
        assert.equal(backend.last()!.headers['ocp-apim-subscription-key'], key);
        const byQuery = await call(`/keyed/get?subscription-key=${key}`);
        assert.equal(byQuery.status, 200, `${name} by query`);
      }
    }
  });

  it('strips the key before the backend when the API says so', async () => {
    const byHeader = await call('/stripped/get?x=1', { 'ocp-apim-subscription-key': keys.all.primaryKey });
    assert.equal(byHeader.status, 200);
    assert.equal(backend.last()!.headers['ocp-apim-subscription-key'], undefined);
    const byQuery = await call(`/stripped/get?x=1&subscription-key=${keys.all.primaryKey}`);
    assert.equal(byQuery.status, 200);
    assert.ok(!backend.last()!.url.includes(keys.all.primaryKey), backend.last()!.url);
    assert.match(backend.last()!.url, /x=1/);
  });

  it('refuses a key outside its scope', async () => {
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': keys.elsewhere.primaryKey })).status, 401);
    assert.equal((await call('/other/get', { 'ocp-apim-subscription-key': keys.one.primaryKey })).status, 401);
    assert.equal((await call('/other/get', { 'ocp-apim-subscription-key': keys.gold.primaryKey })).status, 401);
    assert.equal((await call('/other/get', { 'ocp-apim-subscription-key': keys.elsewhere.primaryKey })).status, 200);
  });

  it('accepts only active subscriptions', async () => {
    for (const name of ['suspended', 'submitted', 'cancelled', 'expired', 'rejected']) {
      const response = await call('/keyed/get', { 'ocp-apim-subscription-key': keys[name].primaryKey });
      assert.equal(response.status, 401, name);
      assert.equal(((await response.json()) as { message: string }).message, INVALID);
    }
  });

  it('needs no key for an API that does not require one, or in a published open product', async () => {
    assert.equal((await call('/free/get')).status, 200);
    assert.equal((await call('/inopen/get')).status, 200);
    assert.equal((await call('/free/get', { 'ocp-apim-subscription-key': 'ignored' })).status, 200);
  });

  it('honours per-API key names (and ARM-form scopes)', async () => {
    const key = keys.arm.primaryKey;
    assert.equal((await call('/custom/get', { 'x-api-key': key })).status, 200);
    assert.equal((await call(`/custom/get?apikey=${key}`)).status, 200);
    const response = await call('/custom/get', { 'ocp-apim-subscription-key': key });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^AzureApiManagementKey realm="http:\/\/[^"]+\/custom",name="X-Api-Key",type="header"$/);
    assert.equal(((await response.json()) as { message: string }).message, MISSING);
  });

  it('rejects a suspended subscription within a second and accepts it again once active', async () => {
    const key = keys.one.primaryKey;
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': key })).status, 200);
    await ok(atrium, 'PATCH', '/subscriptions/one', { properties: { state: 'suspended' } });
    const deadline = Date.now() + 1000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await call('/keyed/get', { 'ocp-apim-subscription-key': key })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 401);
    await ok(atrium, 'PATCH', '/subscriptions/one', { properties: { state: 'active' } });
    await sync();
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': key })).status, 200);
  });

  it('takes a regenerated key at once and refuses the old one', async () => {
    const old = keys.gold.primaryKey;
    await ok(atrium, 'POST', '/subscriptions/gold/regeneratePrimaryKey');
    const fresh = (await ok(atrium, 'POST', '/subscriptions/gold/listSecrets')).primaryKey;
    await sync();
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': old })).status, 401);
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': fresh })).status, 200);
  });

  it('removes an API from a product: the product key stops working for it', async () => {
    await ok(atrium, 'DELETE', '/products/gold/apiLinks/keyed');
    await sync();
    const fresh = (await ok(atrium, 'POST', '/subscriptions/gold/listSecrets')).primaryKey;
    assert.equal((await call('/keyed/get', { 'ocp-apim-subscription-key': fresh })).status, 401);
  });
});
