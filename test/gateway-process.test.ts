import assert from 'node:assert/strict';
import { existsSync, renameSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { startGatewayProcess, stopProcess, type GatewayProcess } from './support/gateway-process.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/**
 * `atrium gateway --gateway <id>` as a real process against the store of a running Atrium: it
 * serves, follows changes, writes request logs and metrics, keeps serving while the store is gone
 * (from its persisted configuration when it starts without one), catches up when the store comes
 * back, and drains on SIGTERM.
 */

const pgStatus = await postgresAvailable();

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`not reached: ${what}`);
}

async function backendOf(url: string, key?: string): Promise<string> {
  try {
    const response = await fetch(url, { headers: key ? { 'ocp-apim-subscription-key': key } : {} });
    await response.arrayBuffer();
    return response.status === 200 ? (response.headers.get('x-backend') ?? '?') : String(response.status);
  } catch {
    return 'down';
  }
}

/** A TCP forwarder the test can cut and restore: the gateway process reaches PostgreSQL only through it. */
async function startCuttableProxy(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(target.port, target.host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server!.address() as { port: number }).port;
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

describe('atrium gateway as its own process (SQLite)', () => {
  let atrium: RunningAtrium;
  let a: RecordingBackend;
  let b: RecordingBackend;
  let key: string;
  let env: Record<string, string>;

  before(async () => {
    atrium = await startAtrium();
    [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    await ok(atrium, 'PUT', '/apis/echo', { properties: { path: 'echo', serviceUrl: a.url } });
    await ok(atrium, 'PUT', '/apis/echo/operations/get', { properties: { displayName: 'get', method: 'GET', urlTemplate: '/get' } });
    await ok(atrium, 'PUT', '/subscriptions/s1', { properties: { displayName: 's1', scope: '/apis/echo', state: 'active' } });
    key = (await ok(atrium, 'POST', '/subscriptions/s1/listSecrets')).primaryKey;
    env = { ATRIUM_DATA_DIR: atrium.atrium.config.dataDir };
  });

  after(async () => {
    await atrium?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('serves, follows changes, logs and counts requests, and drains on SIGTERM', async () => {
    const gateway = await startGatewayProcess(env);
    try {
      assert.equal((await fetch(`${gateway.url}/status-0123456789abcdef`)).status, 200);
      assert.equal(await backendOf(`${gateway.url}/echo/get`, key), 'a');
      assert.equal(await backendOf(`${gateway.url}/echo/get`), '401');
      await ok(atrium, 'PATCH', '/apis/echo', { properties: { serviceUrl: b.url } });
      await eventually(async () => (await backendOf(`${gateway.url}/echo/get`, key)) === 'b', 'serviceUrl change seen by the gateway process');
      await ok(atrium, 'PATCH', '/subscriptions/s1', { properties: { state: 'suspended' } });
      await eventually(async () => (await backendOf(`${gateway.url}/echo/get`, key)) === '401', 'suspension seen by the gateway process');
      await ok(atrium, 'PATCH', '/subscriptions/s1', { properties: { state: 'active' } });
      await eventually(async () => (await backendOf(`${gateway.url}/echo/get`, key)) === 'b', 'reactivation seen');

      const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
      assert.match(metrics, /atrium_gateway_requests_total\{gateway="managed",workspace="",api="echo",operation="get",status_class="2xx"\} \d+/);
      assert.match(metrics, /atrium_gateway_requests_total\{gateway="managed",workspace="",api="echo",operation="get",status_class="4xx"\} \d+/);
      assert.match(metrics, /process_resident_memory_bytes \d+/);
      assert.match(metrics, /process_cpu_seconds_total [\d.]+/);

      await eventually(async () => {
        const logs = await atrium.call('GET', '/logs?$top=1000');
        return (logs.body?.value ?? []).some((r: any) => r.gateway === 'managed' && r.apiId === '/apis/echo' && r.status === 401);
      }, 'request logs written by the gateway process');
      const logs = (await atrium.call('GET', '/logs?$top=1000')).body.value as any[];
      const served = logs.find((r) => r.status === 200 && r.apiId === '/apis/echo');
      assert.ok(served, JSON.stringify(logs.slice(0, 3)));
      assert.equal(served.operationId, '/apis/echo/operations/get');
      assert.equal(served.subscriptionId, '/subscriptions/s1');
      assert.equal(served.method, 'GET');
      assert.equal(served.url, '/echo/get');
    } finally {
      assert.equal(await stopProcess(gateway.child), 0, gateway.output());
    }
  });

  it('finishes in-flight requests on SIGTERM before exiting', async () => {
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    b.respondWith((_request, res) => {
      arrived();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': 'b' });
        res.end('finished after SIGTERM');
      }, 500);
    });
    const gateway = await startGatewayProcess(env);
    try {
      const pending = fetch(`${gateway.url}/echo/get`, { headers: { 'ocp-apim-subscription-key': key } });
      await received;
      const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', (code) => resolve(code)));
      gateway.child.kill('SIGTERM');
      const response = await pending;
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'finished after SIGTERM');
      assert.equal(await exited, 0, gateway.output());
    } finally {
      await stopProcess(gateway.child);
      b.respondWith((request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'b' });
        res.end(JSON.stringify({ url: request.url }));
      });
    }
  });

  it('serves its persisted configuration when started without the store, and catches up when the store returns', async () => {
    const db = join(atrium.atrium.config.dataDir, 'atrium.db');
    assert.ok(existsSync(join(atrium.atrium.config.dataDir, 'gateway-managed.snapshot.json')), 'the previous run persisted its configuration');
    const moved: [string, string][] = [];
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(db + suffix)) {
        renameSync(db + suffix, `${db + suffix}.away`);
        moved.push([db + suffix, `${db + suffix}.away`]);
      }
    }
    let gateway: GatewayProcess | undefined;
    try {
      gateway = await startGatewayProcess(env);
      assert.match(gateway.output(), /unreachable/);
      assert.equal(await backendOf(`${gateway.url}/echo/get`, key), 'b');
      // Meanwhile the management plane (which holds the database open) changes the API.
      await ok(atrium, 'PATCH', '/apis/echo', { properties: { serviceUrl: a.url } });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await backendOf(`${gateway.url}/echo/get`, key), 'b', 'still the persisted configuration');
    } finally {
      for (const [original, away] of moved) renameSync(away, original);
    }
    try {
      await eventually(async () => (await backendOf(`${gateway!.url}/echo/get`, key)) === 'a', 'the change made while the store was gone');
    } finally {
      assert.equal(await stopProcess(gateway!.child), 0, gateway!.output());
    }
  });
});

describe('atrium gateway as its own process (PostgreSQL cut off and back)', { skip: pgStatus === true ? false : pgStatus }, () => {
  let atrium: RunningAtrium;
  let a: RecordingBackend;
  let b: RecordingBackend;
  const schema = uniqueSchema('atrium_gwproc');
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;

  before(async () => {
    atrium = await startAtrium({ databaseUrl: `${POSTGRES_URL}?schema=${schema}` });
    [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    await ok(atrium, 'PUT', '/apis/echo', { properties: { path: 'echo', serviceUrl: a.url, subscriptionRequired: false } });
    await ok(atrium, 'PUT', '/apis/echo/operations/get', { properties: { displayName: 'get', method: 'GET', urlTemplate: '/get' } });
    const target = new URL(POSTGRES_URL);
    proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });

  after(async () => {
    await proxy?.close();
    await atrium?.close();
    await Promise.all([a?.close(), b?.close()]);
    if (pgStatus === true) await dropSchema(schema);
  });

  it('keeps serving while the store is unreachable and picks up changes when it returns', async () => {
    const url = new URL(POSTGRES_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    url.searchParams.set('schema', schema);
    const gateway = await startGatewayProcess({ ATRIUM_DATA_DIR: atrium.atrium.config.dataDir, ATRIUM_DATABASE_URL: url.toString() });
    try {
      assert.equal(await backendOf(`${gateway.url}/echo/get`), 'a');
      await proxy.cut();
      await ok(atrium, 'PATCH', '/apis/echo', { properties: { serviceUrl: b.url } });
      for (let i = 0; i < 10; i++) {
        assert.equal(await backendOf(`${gateway.url}/echo/get`), 'a', 'serving the last good configuration');
        await new Promise((r) => setTimeout(r, 100));
      }
      await proxy.restore();
      await eventually(async () => (await backendOf(`${gateway.url}/echo/get`)) === 'b', 'the change made while the store was unreachable');
    } finally {
      assert.equal(await stopProcess(gateway.child), 0, gateway.output());
    }
  });
});
