import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PipelineCompiler } from '../src/gateway/config-follower.ts';
import { errorResponse, FORWARD, type Pipeline } from '../src/gateway/context.ts';
import { createGatewayHost, type GatewayHost } from '../src/gateway/host.ts';
import { findBackend } from '../src/gateway/snapshot.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type BackendResponder, type RecordingBackend } from './support/backend.ts';

/**
 * The seam where compiled policy pipelines plug in: the follower loads the kinds the compiler
 * names, asks it for each operation's pipeline when an API compiles, recompiles when a policy
 * record changes, and marks only the API whose policies fail. Here a stand-in compiler reads the
 * API policy's text as instructions.
 */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

const policy = (marker: string) => ({
  properties: { format: 'rawxml', value: `<policies><inbound><base /><!-- ${marker} --></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>` },
});

/** `mock`: answer without the backend; `backend:<id>`: forward to that backend resource; `broken`: fail to compile. */
const compiler: PipelineCompiler = {
  kinds: ['apiPolicies'],
  compile(api, operation, lookup) {
    const document = lookup.get(`${api.key}/policies/policy`);
    if (!document) return undefined;
    const text = String(document.properties.value);
    if (text.includes('broken')) throw new Error('unknown policy <broken>');
    if (text.includes('bad-header')) {
      return async function badHeader() {
        return { status: 200, headers: ['x-bad', 'line\nbreak'], body: 'never sent' };
      };
    }
    if (text.includes('explode')) {
      return function explode() {
        throw new Error('a bug in a policy');
      } as unknown as Pipeline;
    }
    if (text.includes('direct')) {
      // Done with the request at once (`FORWARD`), or after waiting (`FORWARD` from a promise).
      const later = text.includes('later');
      return function forwardAsItStands(ctx) {
        ctx.request.headers.push('x-pipeline', later ? 'later' : 'direct');
        return later ? new Promise((resolve) => setTimeout(() => resolve(FORWARD), 5)) : FORWARD;
      };
    }
    if (text.includes('mock')) {
      return async function mockResponse() {
        return { status: 200, headers: ['content-type', 'application/json'], body: JSON.stringify({ mocked: operation.name }) };
      };
    }
    const backendId = /backend:([\w-]+)/.exec(text)?.[1];
    const pipeline: Pipeline = async function setBackendService(ctx) {
      if (backendId) {
        ctx.upstream = findBackend(ctx.snapshot, ctx.api, backendId);
        if (!ctx.upstream) return errorResponse(500, 'Internal server error');
      }
      ctx.request.headers.push('x-pipeline', document.name);
      const response = await ctx.forward();
      return { ...response, headers: [...response.headers, 'x-outbound', String(ctx.matchedParameters.id ?? '')] };
    };
    return pipeline;
  },
};

/** The recording backend's own answer, put back after a test changed it. */
function defaultResponder(name: string): BackendResponder {
  return (request, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
    res.end(JSON.stringify({ backend: name, method: request.method, url: request.url, bodyLength: request.bodyLength }));
  };
}

describe('compiled pipelines on the gateway', () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  let other: RecordingBackend;
  let host: GatewayHost;
  let gateway: string;
  const sync = () => host.runtime('managed')!.follower.sync();

  before(async () => {
    atrium = await startAtrium();
    [backend, other] = await Promise.all([startBackend('service-url'), startBackend('backend-resource')]);
    await ok(atrium, 'PUT', '/workspaces/team', { properties: { displayName: 'team' } });
    await ok(atrium, 'PUT', '/gateways/managed/workspaceLinks/team', { properties: {} });
    await ok(atrium, 'PUT', '/workspaces/team/backends/creds', {
      properties: {
        url: `${other.url}/base?fixed=1`,
        protocol: 'http',
        credentials: { header: { 'x-backend-secret': ['s3cret'] }, query: { code: ['abc'] }, authorization: { scheme: 'Bearer', parameter: 'token-1' } },
      },
    });
    for (const name of ['piped', 'plain', 'failing', 'direct', 'later', 'direct-down']) {
      await ok(atrium, 'PUT', `/workspaces/team/apis/${name}`, { properties: { path: name, serviceUrl: backend.url, subscriptionRequired: false } });
      await ok(atrium, 'PUT', `/workspaces/team/apis/${name}/operations/item`, { properties: { displayName: 'item', method: 'GET', urlTemplate: '/items/{id}' } });
    }
    await ok(atrium, 'PUT', '/workspaces/team/apis/piped/policies/policy', policy('backend:creds'));
    await ok(atrium, 'PUT', '/workspaces/team/apis/failing/policies/policy', policy('broken'));
    await ok(atrium, 'PUT', '/workspaces/team/apis/direct/policies/policy', policy('direct'));
    await ok(atrium, 'PUT', '/workspaces/team/apis/later/policies/policy', policy('direct later'));
    await ok(atrium, 'PUT', '/workspaces/team/apis/direct-down', { properties: { path: 'direct-down', serviceUrl: 'http://127.0.0.1:1', subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/workspaces/team/apis/direct-down/policies/policy', policy('direct'));
    host = createGatewayHost({ store: atrium.atrium.store, reveal: atrium.atrium.engine.revealProperties, host: '127.0.0.1', managedPort: 0, pipelines: compiler });
    gateway = (await host.listen()).managed;
  });

  after(async () => {
    await host?.close();
    await atrium?.close();
    await Promise.all([backend?.close(), other?.close()]);
  });

  it('runs the pipeline in place of forwarding: a backend resource with its credentials, request and response changed', async () => {
    const response = await fetch(`${gateway}/piped/items/7?q=x`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-outbound'), '7');
    const seen = other.last()!;
    assert.equal(seen.url, '/base/items/7?fixed=1&q=x&code=abc');
    assert.equal(seen.headers['x-backend-secret'], 's3cret');
    assert.equal(seen.headers.authorization, 'Bearer token-1');
    assert.equal(seen.headers['x-pipeline'], 'policy');
  });

  it('streams a backend body through a pipeline whole and in order, with backpressure', { timeout: 20_000 }, async () => {
    const chunk = Buffer.alloc(256 * 1024);
    const chunks = 40;
    other.respondWith((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const more = (): void => {
        while (sent < chunks) {
          chunk.fill(sent % 251);
          if (!res.write(Buffer.from(chunk))) return void (sent++, res.once('drain', more));
          sent++;
        }
        res.end();
      };
      more();
    });
    try {
      const response = await fetch(`${gateway}/piped/items/big`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-outbound'), 'big');
      const reader = response.body!.getReader();
      let received = 0;
      let wrong = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let i = 0; i < value.length; i += 4096) if (value[i] !== Math.floor((received + i) / chunk.length) % 251) wrong++;
        received += value.length;
        // A slow reader: the gateway must hold back the backend, not buffer the body.
        if (received < 4 * chunk.length) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(received, chunk.length * chunks);
      assert.equal(wrong, 0);
    } finally {
      other.respondWith(defaultResponder(other.name));
    }
  });

  it('abandons the backend request when the client goes away, before or after the response head', { timeout: 10_000 }, async () => {
    for (const when of ['before-head', 'mid-body'] as const) {
      let backendClosed!: () => void;
      const closed = new Promise<void>((resolve) => (backendClosed = resolve));
      other.respondWith((_request, res) => {
        res.on('close', () => backendClosed());
        if (when === 'mid-body') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first chunk');
        }
      });
      try {
        const controller = new AbortController();
        if (when === 'before-head') {
          const pending = fetch(`${gateway}/piped/items/slow`, { signal: controller.signal }).catch((error: Error) => error);
          while (!other.requests.some((r) => r.url.startsWith('/base/items/slow'))) await new Promise((resolve) => setTimeout(resolve, 5));
          controller.abort();
          assert.ok((await pending) instanceof Error);
        } else {
          const response = await fetch(`${gateway}/piped/items/stream`, { signal: controller.signal });
          assert.equal(response.status, 200);
          await response.body!.getReader().read();
          controller.abort();
        }
        await closed;
      } finally {
        other.respondWith(defaultResponder(other.name));
      }
    }
  });

  it('streams the backend response straight to the client when a pipeline answers FORWARD, at once or later', async () => {
    for (const name of ['direct', 'later']) {
      const response = await fetch(`${gateway}/${name}/items/3`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-backend'), 'service-url');
      assert.equal(response.headers.get('x-outbound'), null);
      assert.equal(backend.last()!.url, '/items/3');
      assert.equal(backend.last()!.headers['x-pipeline'], name, 'the request as the pipeline left it');
    }
    const down = await fetch(`${gateway}/direct-down/items/1`);
    assert.equal(down.status, 502);
    assert.deepEqual(await down.json(), { statusCode: 502, message: 'Backend service is unreachable.' });
  });

  it('forwards as is where no pipeline applies', async () => {
    const before = other.requests.length;
    assert.equal((await fetch(`${gateway}/plain/items/1`)).status, 200);
    assert.equal(backend.last()!.url, '/items/1');
    assert.equal(other.requests.length, before);
  });

  it('marks only the API whose policies do not compile as failing', async () => {
    const failing = await fetch(`${gateway}/failing/items/1`);
    assert.equal(failing.status, 500);
    assert.deepEqual(await failing.json(), { statusCode: 500, message: 'Internal server error' });
    assert.ok(host.runtime('managed')!.follower.current()!.failures.get('/workspaces/team/apis/failing')?.includes('broken'));
    assert.equal((await fetch(`${gateway}/plain/items/1`)).status, 200);
  });

  it('turns a pipeline that throws into a 500 and carries on', async () => {
    await ok(atrium, 'PUT', '/workspaces/team/apis/failing/policies/policy', policy('explode'));
    await sync();
    const response = await fetch(`${gateway}/failing/items/1`);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { statusCode: 500, message: 'Internal server error' });
    assert.equal((await fetch(`${gateway}/plain/items/1`)).status, 200);
  });

  it('answers 500 for a response HTTP cannot carry, and carries on', async () => {
    await ok(atrium, 'PUT', '/workspaces/team/apis/failing/policies/policy', policy('bad-header'));
    await sync();
    const response = await fetch(`${gateway}/failing/items/1`);
    assert.equal(response.status, 500);
    assert.equal((await fetch(`${gateway}/plain/items/1`)).status, 200);
  });

  it('recompiles when a policy changes and when it is removed', async () => {
    await ok(atrium, 'PUT', '/workspaces/team/apis/failing/policies/policy', policy('mock'));
    await sync();
    const mocked = await fetch(`${gateway}/failing/items/1`);
    assert.deepEqual(await mocked.json(), { mocked: 'item' });
    await ok(atrium, 'DELETE', '/workspaces/team/apis/failing/policies/policy');
    await sync();
    assert.equal((await fetch(`${gateway}/failing/items/1`)).headers.get('x-backend'), 'service-url');
  });
});

describe("policies on atrium start's gateways", () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;

  before(async () => {
    atrium = await startAtrium();
    backend = await startBackend('policed');
    await ok(atrium, 'PUT', '/apis/policed', { properties: { path: 'policed', serviceUrl: backend.url, subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/apis/policed/operations/get', { properties: { displayName: 'get', method: 'GET', urlTemplate: '/items/{id}' } });
    await ok(atrium, 'PUT', '/apis/policed/policies/policy', {
      properties: {
        format: 'rawxml',
        value: `<policies>
  <inbound>
    <base />
    <set-header name="X-Item" exists-action="override"><value>@(context.Request.MatchedParameters["id"])</value></set-header>
    <rate-limit-by-key calls="2" renewal-period="60" counter-key="@(context.Request.IpAddress)" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /><set-header name="X-Gateway" exists-action="override"><value>@(context.Deployment.Gateway.Id)</value></set-header></outbound>
  <on-error><base /></on-error>
</policies>`,
      },
    });
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
  });

  after(async () => {
    await atrium?.close();
    await backend?.close();
  });

  it('runs the API policy: inbound and outbound headers, then the rate limit answers 429 with Retry-After', async () => {
    const first = await fetch(`${atrium.gatewayUrl}/policed/items/42`);
    assert.equal(first.status, 200, await first.text());
    assert.equal(backend.last()!.headers['x-item'], '42');
    assert.equal(first.headers.get('x-gateway'), 'managed');
    assert.equal((await fetch(`${atrium.gatewayUrl}/policed/items/43`)).status, 200);
    const limited = await fetch(`${atrium.gatewayUrl}/policed/items/44`);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal(backend.requests.length, 2);
  });
});
