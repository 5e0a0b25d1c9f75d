import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

/**
 * The identity walk as a new user would do it with curl, against a real `atrium start` process;
 * afterwards neither the database files nor the process output hold a secret in clear.
 */
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ADMIN = 'walk-admin-key-0123456789abcdef';
const SECRET_VALUE = 'walk-named-value-5f1e2d';
const PASSWORD = 'alice-password-9c8b7a';

describe('identity walk against a real process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-access-walk-'));
  let child: ChildProcess;
  let output = '';
  let url = '';
  const secretsSeen: string[] = [SECRET_VALUE, PASSWORD];

  const call = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    child = spawn(process.execPath, [MAIN, 'start'], {
      env: { ...process.env, ATRIUM_DATA_DIR: dataDir, ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_MANAGEMENT_PORT: '0', ATRIUM_GATEWAY_PORT: '0', ATRIUM_PORTAL_PORT: '0', ATRIUM_DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 200 && !/Management API\s+http/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
    url = /Management API\s+(http:\/\/[^\s]+)/.exec(output)![1];
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives a service-account key exactly its role, inside its workspace only', async () => {
    assert.equal((await call('PUT', '/workspaces/team-a', ADMIN, { properties: { displayName: 'Team A' } })).status, 201);
    assert.equal((await call('PUT', '/workspaces/team-b', ADMIN, { properties: { displayName: 'Team B' } })).status, 201);
    const created = await call('PUT', '/workspaces/team-a/apiKeys/ci', ADMIN, { properties: { displayName: 'CI pipeline', type: 'service-account', role: 'api-developer' } });
    assert.equal(created.status, 201);
    const key = created.body.properties.key as string;
    assert.match(key, /^atk\./);
    secretsSeen.push(key.split('.')[2]);
    const read = await call('GET', '/workspaces/team-a/apiKeys/ci', ADMIN);
    assert.equal(read.body.properties.key, undefined);
    assert.equal(read.body.properties.keyHash, undefined);

    assert.equal((await call('PUT', '/workspaces/team-a/apis/orders', key, { properties: { path: 'orders', serviceUrl: 'http://127.0.0.1:9' } })).status, 201);
    assert.equal((await call('GET', '/workspaces/team-b/apis', key)).status, 404);
    assert.equal((await call('PUT', '/workspaces/team-a/products/gold', key, { properties: { displayName: 'Gold' } })).status, 403);
    assert.equal((await call('PUT', '/workspaces/team-c', key, { properties: { displayName: 'C' } })).status, 403);
    assert.equal((await call('GET', '/apis', key)).status, 403);
  });

  it("gives a user key its operator's current roles, and takes them away with the assignment", async () => {
    assert.equal((await call('PUT', '/operators/alice', ADMIN, { properties: { email: 'alice@example.com', displayName: 'Alice', password: PASSWORD } })).status, 201);
    const operator = await call('GET', '/operators/alice', ADMIN);
    assert.equal(operator.body.properties.password, undefined);
    assert.equal((await call('PUT', '/workspaces/team-a/roleAssignments/alice-dev', ADMIN, { properties: { principalId: '/operators/alice', role: 'api-developer' } })).status, 201);
    const userKey = await call('PUT', '/workspaces/team-a/apiKeys/alice-laptop', ADMIN, { properties: { type: 'user', operatorId: '/operators/alice' } });
    assert.equal(userKey.status, 201);
    const key = userKey.body.properties.key as string;
    secretsSeen.push(key.split('.')[2]);
    assert.equal((await call('PUT', '/workspaces/team-a/apis/payments', key, { properties: { path: 'payments' } })).status, 201);
    assert.equal((await call('DELETE', '/workspaces/team-a/roleAssignments/alice-dev', ADMIN)).status, 200);
    const after = await call('PUT', '/workspaces/team-a/apis/refunds', key, { properties: { path: 'refunds' } });
    assert.ok(after.status === 403 || after.status === 404, `still allowed: ${after.status}`);
    assert.equal((await call('GET', '/workspaces/team-a/apis/refunds', ADMIN)).status, 404);
  });

  it('signs an operator in and out', async () => {
    assert.equal((await call('PUT', '/workspaces/team-a/roleAssignments/alice-reader', ADMIN, { properties: { principalId: '/operators/alice', role: 'workspace-reader' } })).status, 201);
    const wrong = await call('POST', '/auth/login', undefined, { email: 'alice@example.com', password: 'not her password' });
    const unknown = await call('POST', '/auth/login', undefined, { email: 'nobody@example.com', password: 'not her password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    const login = await call('POST', '/auth/login', undefined, { email: 'Alice@Example.com', password: PASSWORD });
    assert.equal(login.status, 200);
    assert.ok(Date.parse(login.body.expiresAt) > Date.now());
    const token = login.body.token as string;
    secretsSeen.push(token.split('.')[2]);
    assert.equal((await call('GET', '/workspaces/team-a/apis', token)).status, 200);
    assert.equal((await call('PUT', '/workspaces/team-a/apis/x', token, { properties: { path: 'x' } })).status, 403);
    assert.equal((await call('POST', '/auth/logout', token)).status, 204);
    assert.equal((await call('GET', '/workspaces/team-a/apis', token)).status, 401);
  });

  it('keeps secrets out of reads, and reveals them only through their actions', async () => {
    assert.equal((await call('PUT', '/workspaces/team-a/namedValues/db-password', ADMIN, { properties: { displayName: 'db-password', value: SECRET_VALUE, secret: true } })).status, 201);
    assert.equal((await call('PUT', '/workspaces/team-a/products/gold', ADMIN, { properties: { displayName: 'Gold', state: 'published' } })).status, 201);
    assert.equal((await call('PUT', '/workspaces/team-a/subscriptions/gold-sub', ADMIN, { properties: { displayName: 'gold', scope: '/products/gold', state: 'active' } })).status, 201);
    const keys = await call('POST', '/workspaces/team-a/subscriptions/gold-sub/listSecrets', ADMIN);
    secretsSeen.push(keys.body.primaryKey, keys.body.secondaryKey);
    assert.equal((await call('POST', '/workspaces/team-a/namedValues/db-password/listValue', ADMIN)).body.value, SECRET_VALUE);
  });

  it('shows all of it in the audit log, denied calls included, with no secret', async () => {
    const audit = await call('GET', '/auditLog?$top=1000', ADMIN);
    const entries = audit.body.value as { principal: string; action: string; resourceId: string; outcome: string; status: number }[];
    const has = (predicate: (e: (typeof entries)[number]) => boolean, what: string): void => assert.ok(entries.some(predicate), `audit lacks ${what}`);
    has((e) => e.principal === '/workspaces/team-a/apiKeys/ci' && e.resourceId === '/workspaces/team-a/apis/orders' && e.outcome === 'success', 'the API created by the CI key');
    has((e) => e.principal === '/workspaces/team-a/apiKeys/ci' && e.outcome === 'denied' && e.status === 404, "the CI key's look into team-b");
    has((e) => e.principal === '/workspaces/team-a/apiKeys/ci' && e.outcome === 'denied' && e.status === 403, "the CI key's product attempt");
    has((e) => e.principal === '/workspaces/team-a/apiKeys/alice-laptop' && e.outcome === 'denied', "the user key's attempt after losing its role");
    has((e) => e.principal === '/admin' && e.action === 'DELETE' && e.resourceId === '/workspaces/team-a/roleAssignments/alice-dev', 'the role assignment removal');
    has((e) => e.action === 'POST' && e.resourceId === '/workspaces/team-a/namedValues/db-password/listValue', 'the revealed secret');
    const teamB = await call('GET', '/workspaces/team-b/auditLog', ADMIN);
    assert.ok(teamB.body.value.every((e: { resourceId: string }) => e.resourceId.startsWith('/workspaces/team-b')));
    const text = JSON.stringify(entries);
    for (const secret of secretsSeen) assert.ok(!text.includes(secret), 'the audit log holds a secret');
  });

  it('leaves no secret in clear in the database files or the process output', async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const files = readdirSync(dataDir).filter((f) => f.startsWith('atrium.db'));
    assert.ok(files.length >= 1);
    for (const secret of secretsSeen) {
      assert.ok(secret && secret.length >= 16, 'a secret to look for');
      for (const file of files) assert.ok(!readFileSync(join(dataDir, file)).includes(secret), `${file} holds a secret in clear`);
      assert.ok(!output.includes(secret), 'the process output holds a secret');
    }
  });
});
