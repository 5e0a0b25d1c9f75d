import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/** Workspace gateways: each serves only its linked workspaces; listeners follow gateway resources. */

async function ok(atrium: RunningAtrium, method: string, path: string, body?: unknown): Promise<any> {
  const response = await atrium.call(method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

/** A port nothing listens on right now (gateway resources need a real port number). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`not reached: ${what}`);
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

const pgStatus = await postgresAvailable();
const stores = [
  { name: 'SQLite', skip: false as const, schema: undefined as string | undefined },
  { name: 'PostgreSQL', skip: pgStatus === true ? (false as const) : pgStatus, schema: uniqueSchema('atrium_gwws') as string | undefined },
];

for (const variant of stores) describe(`workspace gateways on ${variant.name}`, { skip: variant.skip }, () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  let g1: string;
  const keys: Record<string, string> = {};

  before(async () => {
    atrium = await startAtrium({ databaseUrl: variant.schema ? `${POSTGRES_URL}?schema=${variant.schema}` : undefined });
    backend = await startBackend('ws');
    for (const ws of ['w1', 'w2', 'w3', 'w4']) await ok(atrium, 'PUT', `/workspaces/${ws}`, { properties: { displayName: ws } });
    const api = async (prefix: string, name: string) => {
      await ok(atrium, 'PUT', `${prefix}/apis/${name}`, { properties: { path: name, serviceUrl: backend.url } });
      await ok(atrium, 'PUT', `${prefix}/apis/${name}/operations/get`, { properties: { displayName: 'get', method: 'GET', urlTemplate: '/get' } });
      await ok(atrium, 'PUT', `${prefix}/subscriptions/${name}-all`, { properties: { displayName: name, scope: '/apis', state: 'active' } });
      keys[name] = (await ok(atrium, 'POST', `${prefix}/subscriptions/${name}-all/listSecrets`)).primaryKey;
    };
    await api('', 'svc');
    await api('/workspaces/w1', 'one');
    await api('/workspaces/w2', 'two');
    await api('/workspaces/w3', 'three');
    await api('/workspaces/w4', 'four');
    await ok(atrium, 'PUT', '/gateways/g1', { properties: { displayName: 'G1', port: await freePort() } });
    await ok(atrium, 'PUT', '/gateways/g1/workspaceLinks/w1', { properties: {} });
    await ok(atrium, 'PUT', '/gateways/managed/workspaceLinks/w2', { properties: {} });
    await eventually(async () => atrium.atrium.gateways.urls().g1 !== undefined, 'g1 listening');
    g1 = atrium.atrium.gateways.urls().g1;
    await atrium.atrium.gateways.runtime('managed')!.follower.sync();
    await atrium.atrium.gateways.runtime('g1')!.follower.sync();
  });

  after(async () => {
    await atrium?.close();
    await backend?.close();
    if (variant.schema && pgStatus === true) await dropSchema(variant.schema);
  });

  const call = (base: string, api: string, key = keys[api]) => status(`${base}/${api}/get`, { 'ocp-apim-subscription-key': key });

  it('serves a workspace gateway on its own port with its status probe', async () => {
    assert.equal(await status(`${g1}/status-0123456789abcdef`), 200);
  });

  it('serves on a workspace gateway only its linked workspaces: 404 for service-level and other workspaces', async () => {
    assert.equal(await call(g1, 'one'), 200);
    assert.equal(await call(g1, 'svc'), 404);
    assert.equal(await call(g1, 'two'), 404);
    assert.equal(await call(g1, 'three'), 404);
  });

  it('serves on the managed gateway service-level APIs and its linked workspaces only', async () => {
    const managed = atrium.gatewayUrl;
    assert.equal(await call(managed, 'svc'), 200);
    assert.equal(await call(managed, 'two'), 200);
    assert.equal(await call(managed, 'one'), 404);
    assert.equal(await call(managed, 'three'), 404);
  });

  it('accepts a key only on a gateway that serves its workspace, and only for its workspace', async () => {
    // A workspace-wide key covers only that workspace's APIs.
    assert.equal(await call(atrium.gatewayUrl, 'svc', keys.two), 401);
    // The service-level all-APIs key is not known to a gateway that serves no service-level APIs.
    assert.equal(await call(g1, 'one', keys.svc), 401);
    assert.equal(await call(g1, 'one', keys.two), 401);
  });

  it('follows links: linking serves the workspace, unlinking stops it', async () => {
    await ok(atrium, 'PUT', '/gateways/g1/workspaceLinks/w3', { properties: {} });
    await eventually(async () => (await call(g1, 'three')) === 200, 'w3 served on g1 after linking');
    await ok(atrium, 'DELETE', '/gateways/g1/workspaceLinks/w3');
    await eventually(async () => (await call(g1, 'three')) === 404, 'w3 no longer served after unlinking');
    assert.equal(await call(g1, 'one'), 200);
  });

  it('answers for a gateway by host name on the managed listener', async () => {
    await ok(atrium, 'PUT', '/gateways/byname', { properties: { displayName: 'By name', hostnames: ['api.team.test'] } });
    await ok(atrium, 'PUT', '/gateways/byname/workspaceLinks/w4', { properties: {} });
    const viaHost = (path: string, host: string, key: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${atrium.gatewayUrl}${path}`, { headers: { host, 'ocp-apim-subscription-key': key }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    await eventually(async () => (await viaHost('/four/get', 'api.team.test:8000', keys.four)) === 200, 'w4 served for its host name');
    assert.equal(await viaHost('/four/get', 'API.TEAM.TEST', keys.four), 200);
    assert.equal(await viaHost('/four/get', 'localhost', keys.four), 404);
    assert.equal(await viaHost('/svc/get', 'api.team.test', keys.svc), 404);
    assert.equal(await viaHost('/svc/get', 'localhost', keys.svc), 200);
  });

  it('moves the listener when the port changes and closes it when the gateway is deleted', async () => {
    const port = await freePort();
    await ok(atrium, 'PATCH', '/gateways/g1', { properties: { port } });
    await eventually(async () => atrium.atrium.gateways.urls().g1?.endsWith(`:${port}`) === true, 'g1 on its new port');
    const moved = atrium.atrium.gateways.urls().g1;
    assert.equal(await call(moved, 'one'), 200);
    await eventually(async () => (await status(`${g1}/status-0123456789abcdef`)) === 0, 'old port closed');
    await ok(atrium, 'DELETE', '/gateways/g1');
    await eventually(async () => (await status(`${moved}/status-0123456789abcdef`)) === 0, 'listener closed after delete');
    assert.equal(atrium.atrium.gateways.urls().g1, undefined);
  });

  it('stops serving a workspace that is deleted', async () => {
    assert.equal(await call(atrium.gatewayUrl, 'two'), 200);
    const deleted = await atrium.call('DELETE', '/workspaces/w2');
    assert.ok(deleted.status < 300, deleted.text);
    await eventually(async () => (await call(atrium.gatewayUrl, 'two')) === 404, 'w2 gone from the managed gateway');
  });
});
