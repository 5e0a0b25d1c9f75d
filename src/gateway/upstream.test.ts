import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCircuitBreakers, parseDuration } from './circuit-breaker.ts';
import type { GatewayContext, GatewayResponse } from './context.ts';
import { compileBackends, type UpstreamTarget } from './snapshot.ts';
import { createUpstreamClient } from './upstream.ts';
import type { ResourceRecord } from '../store/store.ts';

/** Backend resources on the upstream client: credentials, circuit breakers and pools. */

function backendRecord(name: string, properties: Record<string, unknown>): ResourceRecord {
  return { key: `/backends/${name}`, id: `/backends/${name}`, kind: 'backends', parentKey: '', workspace: '', name, uniqueKey: null, properties, revision: 1, createdAt: '', updatedAt: '' };
}

function contextFor(upstream: UpstreamTarget): GatewayContext {
  return {
    request: { method: 'GET', path: '/x', query: '', headers: [], body: null },
    upstream,
    timeoutMs: 5000,
    lastError: undefined,
    backendTimeMs: null,
    signal: new AbortController().signal,
  } as unknown as GatewayContext;
}

async function drain(response: GatewayResponse): Promise<void> {
  const body = response.body;
  if (body && typeof body === 'object' && 'resume' in body) {
    body.resume();
    await new Promise((resolve) => body.once('end', resolve));
  }
}

describe('upstream client with backend resources', () => {
  const servers: Server[] = [];
  const urls: string[] = [];
  const hits: number[] = [];
  const statuses: number[] = [];

  before(async () => {
    for (let i = 0; i < 3; i++) {
      hits.push(0);
      statuses.push(200);
      const server = createServer((req, res) => {
        hits[i]++;
        res.writeHead(statuses[i], { 'x-member': String(i), ...(statuses[i] === 503 ? { 'retry-after': '120' } : {}) });
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });

  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reads ISO 8601 durations', () => {
    assert.equal(parseDuration('PT1M'), 60_000);
    assert.equal(parseDuration('PT30S'), 30_000);
    assert.equal(parseDuration('P1DT1H'), 90_000_000);
    assert.equal(parseDuration('soon'), undefined);
  });

  it('opens the circuit after the counted failures, answers 503 without calling the backend, and closes after the trip', async () => {
    let clock = 1_000_000;
    const client = createUpstreamClient({ breakers: createCircuitBreakers(() => clock) });
    const breaker = { rules: [{ name: 'r', failureCondition: { count: 2, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }] }, tripDuration: 'PT10S' }] };
    const backends = compileBackends([backendRecord('flaky', { url: urls[0], circuitBreaker: breaker })], (r) => r.properties, () => undefined);
    const target = backends.get('/backends/flaky')!;
    statuses[0] = 500;
    for (let i = 0; i < 2; i++) await drain(await client.forward(contextFor(target)));
    const before = hits[0];
    const ctx = contextFor(target);
    const open = await client.forward(ctx);
    assert.equal(open.status, 503);
    assert.equal(hits[0], before);
    assert.equal(ctx.lastError?.reason, 'BackendCircuitOpen');
    assert.ok(open.headers.includes('retry-after'));
    statuses[0] = 200;
    clock += 10_001;
    const closed = await client.forward(contextFor(target));
    assert.equal(closed.status, 200);
    await drain(closed);
    await client.close();
  });

  it('honours Retry-After when the rule accepts it', async () => {
    let clock = 5_000_000;
    const client = createUpstreamClient({ breakers: createCircuitBreakers(() => clock) });
    const breaker = { rules: [{ failureCondition: { count: 1, interval: 'PT1M', statusCodeRanges: [{ min: 503, max: 503 }] }, tripDuration: 'PT1S', acceptRetryAfter: true }] };
    const target = compileBackends([backendRecord('busy', { url: urls[1], circuitBreaker: breaker })], (r) => r.properties, () => undefined).get('/backends/busy')!;
    statuses[1] = 503;
    await drain(await client.forward(contextFor(target)));
    clock += 5_000;
    assert.equal((await client.forward(contextFor(target))).status, 503, 'still open: the backend asked for 120 s');
    statuses[1] = 200;
    clock += 120_000;
    const response = await client.forward(contextFor(target));
    assert.equal(response.status, 200);
    await drain(response);
    await client.close();
  });

  it('sends a pool to its lowest priority members by weight, and past members whose circuit is open', async () => {
    let draw = 0;
    const client = createUpstreamClient({ random: () => draw });
    const breaker = { rules: [{ failureCondition: { count: 1, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }] }, tripDuration: 'PT1M' }] };
    const backends = compileBackends(
      [
        backendRecord('pool', { type: 'Pool', pool: { services: [{ id: '/backends/m0', priority: 0, weight: 1 }, { id: '/backends/m1', priority: 0, weight: 3 }, { id: '/backends/m2', priority: 1 }] } }),
        backendRecord('m0', { url: urls[0], circuitBreaker: breaker }),
        backendRecord('m1', { url: urls[1], circuitBreaker: breaker }),
        backendRecord('m2', { url: urls[2] }),
      ],
      (r) => r.properties,
      () => undefined,
    );
    const pool = backends.get('/backends/pool')!;
    statuses[0] = statuses[1] = statuses[2] = 200;
    const member = async (value: number): Promise<string> => {
      draw = value;
      const response = await client.forward(contextFor(pool));
      await drain(response);
      const at = response.headers.indexOf('x-member');
      return at === -1 ? String(response.status) : response.headers[at + 1];
    };
    assert.equal(await member(0.1), '0', 'weight 1 of 4');
    assert.equal(await member(0.5), '1', 'weight 3 of 4');
    statuses[0] = 500;
    assert.equal(await member(0.1), '0');
    // m0's circuit is open now: the draw that chose it goes to m1.
    assert.equal(await member(0.1), '1');
    statuses[1] = 500;
    assert.equal(await member(0.1), '1');
    assert.equal(await member(0.1), '2', 'priority 1 once priority 0 is unavailable');
    await client.close();
  });
});

describe('upstream client: the backend call abort', () => {
  let backend: Server;
  let url = '';
  /** Ends the response the backend holds open. */
  let finish: (() => void) | undefined;

  before(async () => {
    backend = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk');
      finish = () => res.end('last chunk');
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });

  after(async () => {
    backend.closeAllConnections();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
  });

  const target = (): UpstreamTarget => compileBackends([backendRecord('held', { url })], (r) => r.properties, () => undefined).get('/backends/held')!;

  it('is on the context while a forwarded exchange lasts, and gone once it is over', async () => {
    const client = createUpstreamClient({});
    const ctx = contextFor(target());
    const response = await client.forward(ctx);
    assert.equal(response.status, 200);
    assert.equal(typeof ctx.abortBackend, 'function', 'the body is still coming: a client leaving now must reach the backend');
    finish!();
    await drain(response);
    assert.equal(ctx.abortBackend, undefined, 'nothing of the finished exchange stays reachable from the context');
    await client.close();
  });

  it('is on the context while a streamed exchange lasts, and gone once it is over', async () => {
    const client = createUpstreamClient({});
    const ctx = contextFor(target());
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    // The backend's first chunk is written to the response: the exchange is under way.
    const gateway = createServer((_req, res) => {
      client.stream(ctx, res);
      const write = res.write.bind(res);
      res.write = ((chunk: unknown, ...rest: never[]) => {
        streaming();
        return write(chunk as string, ...rest);
      }) as typeof res.write;
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`);
      await started;
      assert.equal(typeof ctx.abortBackend, 'function');
      finish!();
      assert.equal(await response.text(), 'first chunklast chunk');
      assert.equal(ctx.abortBackend, undefined);
    } finally {
      gateway.closeAllConnections();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      await client.close();
    }
  });
});
