import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';

/**
 * Request logs and metrics of `atrium start`'s gateways: one log record per request with the
 * subscription key removed from the URL, visible to the owning workspace and to service readers
 * only; Prometheus series per workspace.
 */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`not reached: ${what}`);
}

describe('gateway request logs and metrics', () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  const keys: Record<string, string> = {};
  const readers: Record<string, string> = {};

  before(async () => {
    atrium = await startAtrium();
    backend = await startBackend('obs');
    for (const ws of ['red', 'blue']) {
      await ok(atrium, 'PUT', `/workspaces/${ws}`, { properties: { displayName: ws } });
      await ok(atrium, 'PUT', `/gateways/managed/workspaceLinks/${ws}`, { properties: {} });
      await ok(atrium, 'PUT', `/workspaces/${ws}/apis/${ws}-api`, { properties: { path: ws, serviceUrl: backend.url } });
      await ok(atrium, 'PUT', `/workspaces/${ws}/apis/${ws}-api/operations/get`, { properties: { displayName: 'get', method: 'GET', urlTemplate: '/get' } });
      await ok(atrium, 'PUT', `/workspaces/${ws}/products/${ws}-product`, { properties: { displayName: ws, state: 'published' } });
      await ok(atrium, 'PUT', `/workspaces/${ws}/products/${ws}-product/apiLinks/l`, { properties: { apiId: `/apis/${ws}-api` } });
      await ok(atrium, 'PUT', `/workspaces/${ws}/subscriptions/${ws}-sub`, { properties: { displayName: ws, scope: `/products/${ws}-product`, state: 'active' } });
      keys[ws] = (await ok(atrium, 'POST', `/workspaces/${ws}/subscriptions/${ws}-sub/listSecrets`)).primaryKey;
      readers[ws] = (await ok(atrium, 'PUT', `/workspaces/${ws}/apiKeys/reader`, { properties: { type: 'service-account', role: 'workspace-reader' } })).properties.key;
    }
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
    for (const ws of ['red', 'blue']) {
      assert.equal((await fetch(`${atrium.gatewayUrl}/${ws}/get?subscription-key=${keys[ws]}&keep=1`)).status, 200);
      assert.equal((await fetch(`${atrium.gatewayUrl}/${ws}/get`)).status, 401);
    }
    assert.equal((await fetch(`${atrium.gatewayUrl}/nowhere?subscription-key=${keys.red}`)).status, 404);
  });

  after(async () => {
    await atrium?.close();
    await backend?.close();
  });

  it('writes one record per request, with product, subscription and the key removed from the URL', async () => {
    await eventually(async () => ((await atrium.call('GET', '/logs?$top=100')).body?.count ?? 0) >= 5, 'five records');
    const all = (await atrium.call('GET', '/logs?$top=100')).body.value as any[];
    const served = all.find((r) => r.workspace === 'red' && r.status === 200);
    assert.ok(served, JSON.stringify(all));
    assert.equal(served.gateway, 'managed');
    assert.equal(served.apiId, '/workspaces/red/apis/red-api');
    assert.equal(served.operationId, '/workspaces/red/apis/red-api/operations/get');
    assert.equal(served.productId, '/workspaces/red/products/red-product');
    assert.equal(served.subscriptionId, '/workspaces/red/subscriptions/red-sub');
    assert.equal(served.url, '/red/get?keep=1');
    assert.ok(!JSON.stringify(all).includes(keys.red), 'no record carries the key');
    assert.equal(typeof served.responseTimeMs, 'number');
    assert.equal(typeof served.backendTimeMs, 'number');
    assert.equal(served.clientIp, '127.0.0.1');
    const denied = all.find((r) => r.workspace === 'blue' && r.status === 401);
    assert.ok(denied && denied.error && denied.backendTimeMs === null, JSON.stringify(denied));
    const unrouted = all.find((r) => r.status === 404);
    assert.ok(unrouted && unrouted.workspace === '' && unrouted.apiId === null);
    assert.equal(unrouted.url, '/nowhere');
  });

  it('shows a workspace its own records only, and refuses it the others and the federated view', async () => {
    const own = await atrium.call('GET', '/workspaces/red/logs?$top=100', undefined, { authorization: `Bearer ${readers.red}` });
    assert.equal(own.status, 200, own.text);
    assert.ok(own.body.value.length >= 2);
    assert.ok(own.body.value.every((r: any) => r.workspace === 'red'));
    const other = await atrium.call('GET', '/workspaces/blue/logs', undefined, { authorization: `Bearer ${readers.red}` });
    // Another workspace is out of reach: refused without saying whether it exists.
    assert.ok(other.status === 403 || other.status === 404, `${other.status}`);
    assert.ok(!other.text.includes('blue-api'));
    const federated = await atrium.call('GET', '/logs', undefined, { authorization: `Bearer ${readers.red}` });
    assert.equal(federated.status, 403);
    const service = await atrium.call('GET', '/logs?$top=100');
    assert.ok(service.body.value.some((r: any) => r.workspace === 'red') && service.body.value.some((r: any) => r.workspace === 'blue'));
  });

  it('exposes Prometheus series per workspace, with process CPU and memory', async () => {
    const text = await (await fetch(`${atrium.metricsUrl}/metrics`)).text();
    assert.match(text, /atrium_gateway_requests_total\{gateway="managed",workspace="red",api="red-api",operation="get",status_class="2xx"\} 1/);
    assert.match(text, /atrium_gateway_requests_total\{gateway="managed",workspace="blue",api="blue-api",operation="get",status_class="4xx"\} 1/);
    assert.match(text, /atrium_gateway_request_duration_seconds_bucket\{gateway="managed",workspace="red",api="red-api",operation="get",le="\+Inf"\} 2/);
    assert.match(text, /atrium_gateway_backend_duration_seconds_count\{gateway="managed",workspace="red",api="red-api",operation="get"\} 1/);
    assert.match(text, /atrium_gateway_requests_in_flight\{gateway="managed"\} 0/);
    assert.match(text, /process_cpu_seconds_total [\d.]+/);
    assert.match(text, /atrium_gateway_config_revision\{gateway="managed"\} [1-9]\d*/);
    assert.match(text, /atrium_gateway_apis\{gateway="managed"\} 2\n/);
    assert.match(text, /atrium_gateway_failing_apis\{gateway="managed"\} 0\n/);
    assert.match(text, /atrium_gateway_store_reachable\{gateway="managed"\} 1\n/);
    assert.match(text, /process_resident_memory_bytes \d+/);
  });
});
