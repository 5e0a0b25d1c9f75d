import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGatewayHost, type GatewayHost } from '../src/gateway/host.ts';
import { createUpstreamClient } from '../src/gateway/upstream.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';

/**
 * The upstream side: headers (hop-by-hop, X-Forwarded-*, traceparent), backend failures in
 * Azure's shape, client aborts, and a serviceUrl change under load. A second gateway host on the
 * same store runs with a short forwarding timeout.
 */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function raw(url: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway upstream', () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  let second: RecordingBackend;
  let host: GatewayHost;
  let gateway: string;

  before(async () => {
    atrium = await startAtrium();
    [backend, second] = await Promise.all([startBackend('first'), startBackend('second')]);
    const api = async (name: string, serviceUrl: string) => {
      await ok(atrium, 'PUT', `/apis/${name}`, { properties: { path: name, serviceUrl, subscriptionRequired: false } });
      await ok(atrium, 'PUT', `/apis/${name}/operations/any`, { properties: { displayName: 'any', method: '*', urlTemplate: '/*' } });
    };
    await api('echo', backend.url);
    await api('down', `http://127.0.0.1:${await closedPort()}`);
    await api('moving', backend.url);
    await ok(atrium, 'PUT', '/apis/nourl', { properties: { path: 'nourl', subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/apis/nourl/operations/any', { properties: { displayName: 'any', method: '*', urlTemplate: '/*' } });
    host = createGatewayHost({
      store: atrium.atrium.store,
      reveal: atrium.atrium.engine.revealProperties,
      host: '127.0.0.1',
      managedPort: 0,
      upstream: createUpstreamClient({ defaultTimeoutMs: 300 }),
    });
    gateway = (await host.listen()).managed;
  });

  after(async () => {
    await host?.close();
    await atrium?.close();
    await Promise.all([backend?.close(), second?.close()]);
  });

  it('drops hop-by-hop headers both ways and sets X-Forwarded-* and the backend host', async () => {
    backend.respondWith((_request, res) => {
      res.writeHead(200, { connection: 'X-Internal', 'x-internal': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes', 'content-type': 'text/plain' });
      res.end('ok');
    });
    const response = await raw(gateway, '/echo/headers?q=1', {
      connection: 'keep-alive, X-Drop-Me',
      'x-drop-me': '1',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-forwarded-for': '10.0.0.1',
      'x-custom': 'kept',
    });
    assert.equal(response.status, 200);
    assert.equal(response.body, 'ok');
    assert.equal(response.headers['x-kept'], 'yes');
    assert.equal(response.headers['x-internal'], undefined);
    const seen = backend.last()!;
    assert.equal(seen.url, '/headers?q=1');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers['x-drop-me'], undefined);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.headers['keep-alive'], undefined);
    assert.equal(seen.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], new URL(gateway).host);
    assert.equal(seen.headers.host, new URL(backend.url).host);
    backend.respondWith((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'first' });
      res.end(JSON.stringify({ url: request.url }));
    });
  });

  it('takes a body sent with Expect: 100-continue (as curl sends larger bodies)', async () => {
    const body = Buffer.alloc(200_000, 'x');
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${gateway}/echo/upload`, { method: 'POST', headers: { expect: '100-continue', 'content-length': String(body.length) }, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('continue', () => req.end(body));
      req.on('error', reject);
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(backend.last()!.bodyLength, body.length);
    assert.equal(backend.last()!.headers.expect, undefined);
  });

  it('continues the caller trace with its own span, or starts one', async () => {
    const trace = '0af7651916cd43dd8448eb211c80319c';
    await raw(gateway, '/echo/t', { traceparent: `00-${trace}-b7ad6b7169203331-01` });
    const continued = String(backend.last()!.headers.traceparent);
    assert.match(continued, new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    assert.ok(!continued.includes('b7ad6b7169203331'));
    await raw(gateway, '/echo/t', {});
    assert.match(String(backend.last()!.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('answers HEAD on a GET operation with headers only, without bringing the gateway down', async () => {
    backend.respondWith((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000000' });
      res.end(Buffer.alloc(1_000_000));
    });
    const response = await raw(gateway, '/echo/head', {}, 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(response.body, '');
    assert.equal(backend.last()!.method, 'HEAD');
    assert.equal((await raw(gateway, '/echo/after-head', {})).status, 200);
    backend.respondWith((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'first' });
      res.end(JSON.stringify({ url: request.url }));
    });
  });

  it('answers 502 in Azure shape when the backend cannot be reached', async () => {
    const response = await raw(gateway, '/down/x', {});
    assert.equal(response.status, 502);
    assert.equal(JSON.parse(response.body).statusCode, 502);
    assert.equal(typeof JSON.parse(response.body).message, 'string');
  });

  it('answers 500 when the API has no backend', async () => {
    const response = await raw(gateway, '/nourl/x', {});
    assert.equal(response.status, 500);
    assert.deepEqual(JSON.parse(response.body), { statusCode: 500, message: 'Internal server error' });
  });

  it('answers 504 when the backend does not answer in time', async () => {
    second.respondWith(() => undefined);
    await ok(atrium, 'PATCH', '/apis/moving', { properties: { serviceUrl: second.url } });
    await host.runtime('managed')!.follower.sync();
    const response = await raw(gateway, '/moving/slow', {});
    assert.equal(response.status, 504);
    assert.equal(JSON.parse(response.body).statusCode, 504);
    second.respondWith((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'second' });
      res.end(JSON.stringify({ url: request.url }));
    });
    await ok(atrium, 'PATCH', '/apis/moving', { properties: { serviceUrl: backend.url } });
    await host.runtime('managed')!.follower.sync();
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    backend.respondWith((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk');
      res.on('close', () => upstreamClosed());
    });
    const controller = new AbortController();
    const response = await fetch(`${gateway}/echo/stream`, { signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await closed;
    backend.respondWith((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'first' });
      res.end(JSON.stringify({ url: request.url }));
    });
  });

  it('changes serviceUrl under load without a failed request', async () => {
    let stop = false;
    const statuses = new Map<number, number>();
    const backends = new Set<string>();
    const worker = async () => {
      while (!stop) {
        const response = await fetch(`${gateway}/moving/load`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
        backends.add(response.headers.get('x-backend') ?? '?');
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 150));
    await ok(atrium, 'PATCH', '/apis/moving', { properties: { serviceUrl: second.url } });
    await host.runtime('managed')!.follower.sync();
    await new Promise((r) => setTimeout(r, 150));
    await ok(atrium, 'PATCH', '/apis/moving', { properties: { serviceUrl: backend.url } });
    await host.runtime('managed')!.follower.sync();
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await Promise.all(workers);
    assert.deepEqual([...statuses.keys()], [200], JSON.stringify([...statuses]));
    assert.ok(backends.has('first') && backends.has('second'), [...backends].join());
  });
});
