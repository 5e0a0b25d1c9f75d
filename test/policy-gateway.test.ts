import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatewayHost, type GatewayHost } from '../src/gateway/host.ts';
import { createPolicyCompiler } from '../src/policy/runtime/index.ts';
import { createRedisCounters } from '../src/counters/index.ts';
import { randomBytes } from 'node:crypto';
import { REDIS_URL, redisAvailable } from './support/services.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';

/**
 * Policies end to end: documents saved through the management API, followed by a real gateway
 * with Atrium's policy compiler on its seam, requests over HTTP to a recording backend.
 */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

const document = (inbound: string, outbound = '<base />') => ({
  properties: { format: 'rawxml', value: `<policies><inbound>${inbound}</inbound><backend><base /></backend><outbound>${outbound}</outbound><on-error><base /></on-error></policies>` },
});
const mark = (value: string) => `<set-header name="x-scope" exists-action="append"><value>${value}</value></set-header>`;

describe('policies on the gateway', () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  let host: GatewayHost;
  let gateway: string;
  let key: string;
  const logs: string[] = [];
  const sync = () => host.runtime('managed')!.follower.sync();
  const scopes = () => backend.last()!.rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1].toLowerCase() === 'x-scope');

  before(async () => {
    atrium = await startAtrium();
    backend = await startBackend('echo');
    await ok(atrium, 'PUT', '/workspaces/team', { properties: { displayName: 'team' } });
    await ok(atrium, 'PUT', '/gateways/managed/workspaceLinks/team', { properties: {} });
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders', { properties: { path: 'orders', serviceUrl: backend.url } });
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders/operations/get', { properties: { displayName: 'get', method: 'GET', urlTemplate: '/items/{id}' } });
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders/operations/plain', { properties: { displayName: 'plain', method: 'GET', urlTemplate: '/plain' } });
    await ok(atrium, 'PUT', '/workspaces/team/products/gold', { properties: { displayName: 'Gold', state: 'published', subscriptionRequired: true } });
    await ok(atrium, 'PUT', '/workspaces/team/products/gold/apiLinks/orders', { properties: { apiId: '/apis/orders' } });
    await ok(atrium, 'PUT', '/workspaces/team/subscriptions/s1', { properties: { displayName: 's1', scope: '/products/gold', state: 'active' } });
    key = (await ok(atrium, 'POST', '/workspaces/team/subscriptions/s1/listSecrets')).primaryKey;
    await ok(atrium, 'PUT', '/workspaces/team/namedValues/greeting', { properties: { displayName: 'greeting', value: 'hello', secret: true } });
    await ok(atrium, 'PUT', '/workspaces/team/policyFragments/stamp', { properties: { format: 'rawxml', value: '<fragment><set-header name="x-fragment" exists-action="override"><value>{{greeting}}</value></set-header></fragment>' } });
    await ok(atrium, 'PUT', '/policies/policy', { properties: { format: 'rawxml', value: `<policies><inbound>${mark('global')}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>` } });
    await ok(atrium, 'PUT', '/workspaces/team/policies/policy', document(`<base />${mark('workspace')}`));
    await ok(atrium, 'PUT', '/workspaces/team/products/gold/policies/policy', document(`<base />${mark('product')}<quota calls="4" renewal-period="3600" />`));
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders/policies/policy', document(`<base />${mark('api')}<include-fragment fragment-id="stamp" />`));
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders/operations/get/policies/policy', document(`<base />${mark('operation')}`, '<base /><set-header name="x-id" exists-action="override"><value>@(context.Request.MatchedParameters["id"])</value></set-header>'));
    const pipelines = createPolicyCompiler({ reveal: atrium.atrium.engine.revealProperties, log: (m) => logs.push(m) });
    host = createGatewayHost({ store: atrium.atrium.store, reveal: atrium.atrium.engine.revealProperties, host: '127.0.0.1', managedPort: 0, pipelines });
    gateway = (await host.listen()).managed;
  });

  after(async () => {
    await host?.close();
    await atrium?.close();
    await backend?.close();
  });

  it('runs the five scopes outside-in, with fragments and secret named values of the workspace', async () => {
    const response = await fetch(`${gateway}/orders/items/7`, { headers: { 'ocp-apim-subscription-key': key } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(scopes(), ['global', 'workspace', 'product', 'api', 'operation']);
    assert.equal(backend.last()!.headers['x-fragment'], 'hello');
    assert.equal(response.headers.get('x-id'), '7');
  });

  it('an operation without <base/> drops the scopes above it', async () => {
    await ok(atrium, 'PUT', '/workspaces/team/apis/orders/operations/get/policies/policy', document(mark('operation only')));
    await sync();
    await fetch(`${gateway}/orders/items/7`, { headers: { 'ocp-apim-subscription-key': key } });
    assert.deepEqual(scopes(), ['operation only']);
    await fetch(`${gateway}/orders/plain`, { headers: { 'ocp-apim-subscription-key': key } });
    assert.deepEqual(scopes(), ['global', 'workspace', 'product', 'api']);
  });

  it('the product quota answers 403 with Azure’s message once spent', async () => {
    let status = 200;
    let body: unknown;
    for (let i = 0; i < 6 && status === 200; i++) {
      const response = await fetch(`${gateway}/orders/plain`, { headers: { 'ocp-apim-subscription-key': key } });
      status = response.status;
      body = await response.json().catch(() => undefined);
    }
    assert.equal(status, 403);
    assert.match((body as { message: string }).message, /^Out of call volume quota\. Quota will be replenished in \d\d:\d\d:\d\d\.$/);
  });

  it('a malformed document is refused on save with its line and column', async () => {
    const response = await atrium.call('PUT', '/workspaces/team/apis/orders/policies/policy', { properties: { format: 'rawxml', value: '<policies>\n<inbound>\n<set-header name="x">\n</inbound></policies>' } });
    assert.equal(response.status, 400);
    assert.match(response.text, /line 4, column 1/);
  });
});

const redis = await redisAvailable();

describe('rate limits across two gateways sharing Redis', { skip: redis === true ? false : redis }, () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  const hosts: GatewayHost[] = [];
  const urls: string[] = [];
  // Two gateways, each with its own Redis client, sharing one key space.
  const prefix = `atrium-test:${randomBytes(4).toString('hex')}:`;
  const counters = [0, 1].map(() => createRedisCounters({ url: REDIS_URL, prefix }));
  let key: string;

  before(async () => {
    atrium = await startAtrium();
    backend = await startBackend('echo');
    await ok(atrium, 'PUT', '/apis/limited', { properties: { path: 'limited', serviceUrl: backend.url } });
    await ok(atrium, 'PUT', '/apis/limited/operations/get', { properties: { displayName: 'get', method: 'GET', urlTemplate: '/' } });
    await ok(atrium, 'PUT', '/subscriptions/s1', { properties: { displayName: 's1', scope: '/apis/limited', state: 'active' } });
    key = (await ok(atrium, 'POST', '/subscriptions/s1/listSecrets')).primaryKey;
    await ok(atrium, 'PUT', '/apis/limited/policies/policy', document('<base /><rate-limit calls="5" renewal-period="60" />'));
    for (let i = 0; i < 2; i++) {
      const host = createGatewayHost({
        store: atrium.atrium.store,
        reveal: atrium.atrium.engine.revealProperties,
        host: '127.0.0.1',
        managedPort: 0,
        pipelines: createPolicyCompiler({ reveal: atrium.atrium.engine.revealProperties, services: { counters: counters[i] } }),
      });
      hosts.push(host);
      urls.push((await host.listen()).managed);
    }
  });

  after(async () => {
    for (const host of hosts) await host.close();
    for (const c of counters) await c.close();
    await atrium?.close();
    await backend?.close();
  });

  it('counts calls to either gateway against one limit: the sixth call is 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${urls[i % 2]}/limited/`, { headers: { 'ocp-apim-subscription-key': key } });
      statuses.push(last.status);
      if (i < 5) await last.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.match(((await last!.json()) as { message: string }).message, /^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
  });
});
