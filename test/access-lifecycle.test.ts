import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rotateSecretKey } from '../src/access/secret-keys.ts';
import { createAtrium } from '../src/atrium.ts';
import { readConfig } from '../src/config.ts';
import { createRegistry } from '../src/model/registry.ts';
import { resourceTypes } from '../src/model/resources/index.ts';
import { startAtrium, TEST_ADMIN_KEY, type RunningAtrium } from './support/atrium.ts';

/** Revocation, regeneration, sign-in limits and key rotation. */
describe('access lifecycle', () => {
  let atrium: RunningAtrium;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  before(async () => {
    atrium = await startAtrium();
    await atrium.call('PUT', '/workspaces/w1', { properties: { displayName: 'W1' } });
  });
  after(() => atrium?.close());

  it('validates keys and role assignments: roles fit their scope, user keys name an operator', async () => {
    const bad = [
      ['/workspaces/w1/apiKeys/k', { properties: { type: 'service-account', role: 'owner' } }],
      ['/apiKeys/k', { properties: { type: 'service-account', role: 'api-developer' } }],
      ['/apiKeys/k', { properties: { type: 'service-account' } }],
      ['/apiKeys/k', { properties: { type: 'user' } }],
      ['/apiKeys/k', { properties: { type: 'robot', role: 'reader' } }],
      ['/roleAssignments/r', { properties: { principalId: '/operators/none', role: 'reader' } }],
      ['/roleAssignments/r', { properties: { principalId: '/apiKeys/none', role: 'reader', scope: '/' } }],
      ['/workspaces/w1/roleAssignments/r', { properties: { principalId: '/workspaces/w1/apiKeys/none', role: 'owner' } }],
    ] as const;
    await atrium.call('PUT', '/operators/val', { properties: { email: 'val@example.com' } });
    for (const [path, body] of bad) {
      const res = await atrium.call('PUT', path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${res.text}`);
    }
    const res = await atrium.call('PUT', '/roleAssignments/r', { properties: { principalId: '/operators/val', role: 'workspace-reader', scope: '/' } });
    assert.equal(res.status, 400, res.text);
    const dup = await atrium.call('PUT', '/operators/val2', { properties: { email: 'VAL@example.com' } });
    assert.equal(dup.status, 409, dup.text);
    const short = await atrium.call('PUT', '/operators/val3', { properties: { email: 'val3@example.com', password: 'short' } });
    assert.equal(short.status, 400, short.text);
  });

  it('regenerating a key retires the old secret at once', async () => {
    const created = await atrium.call('PUT', '/workspaces/w1/apiKeys/rot', { properties: { type: 'service-account', role: 'workspace-reader' } });
    const oldKey = created.body.properties.key;
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis', undefined, as(oldKey))).status, 200);
    const regenerated = await atrium.call('POST', '/workspaces/w1/apiKeys/rot/regenerate');
    assert.equal(regenerated.status, 200, regenerated.text);
    const newKey = regenerated.body.properties.key;
    assert.notEqual(newKey, oldKey);
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis', undefined, as(oldKey))).status, 401);
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis', undefined, as(newKey))).status, 200);
    // A replace keeps the secret; a delete revokes it.
    assert.equal((await atrium.call('PUT', '/workspaces/w1/apiKeys/rot', { properties: { type: 'service-account', role: 'workspace-reader', displayName: 'renamed' } })).status, 200);
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis', undefined, as(newKey))).status, 200);
    assert.equal((await atrium.call('DELETE', '/workspaces/w1/apiKeys/rot')).status, 200);
    assert.equal((await atrium.call('GET', '/workspaces/w1/apis', undefined, as(newKey))).status, 401);
  });

  it("deleting a workspace revokes its keys and role assignments; deleting an operator revokes its sessions and user keys", async () => {
    await atrium.call('PUT', '/workspaces/doomed', { properties: { displayName: 'Doomed' } });
    const wsKey = (await atrium.call('PUT', '/workspaces/doomed/apiKeys/k', { properties: { type: 'service-account', role: 'workspace-manager' } })).body.properties.key;
    await atrium.call('PUT', '/operators/bob', { properties: { email: 'bob@example.com', password: 'bob has a long password' } });
    await atrium.call('PUT', '/roleAssignments/bob-doomed', { properties: { principalId: '/operators/bob', role: 'workspace-reader', scope: '/workspaces/doomed' } });
    assert.equal((await atrium.call('GET', '/workspaces/doomed/apis', undefined, as(wsKey))).status, 200);
    assert.equal((await atrium.call('DELETE', '/workspaces/doomed')).status, 200);
    assert.equal((await atrium.call('GET', '/workspaces/doomed/apis', undefined, as(wsKey))).status, 401);
    assert.equal((await atrium.call('GET', '/roleAssignments/bob-doomed')).status, 404);

    await atrium.call('PUT', '/roleAssignments/bob-reader', { properties: { principalId: '/operators/bob', role: 'reader' } });
    const session = (await atrium.call('POST', '/auth/login', { email: 'bob@example.com', password: 'bob has a long password' }, { authorization: '' })).body.token;
    const userKey = (await atrium.call('PUT', '/apiKeys/bob-key', { properties: { type: 'user', operatorId: '/operators/bob' } })).body.properties.key;
    assert.equal((await atrium.call('GET', '/apis', undefined, as(session))).status, 200);
    assert.equal((await atrium.call('GET', '/apis', undefined, as(userKey))).status, 200);
    assert.equal((await atrium.call('GET', '/operators/bob/sessions')).body.count, 1);
    // Disabling stops both at once; deleting removes them.
    assert.equal((await atrium.call('PATCH', '/operators/bob', { properties: { state: 'disabled' } })).status, 200);
    assert.equal((await atrium.call('GET', '/apis', undefined, as(session))).status, 401);
    assert.equal((await atrium.call('GET', '/apis', undefined, as(userKey))).status, 401);
    assert.equal((await atrium.call('DELETE', '/operators/bob')).status, 200);
    assert.equal((await atrium.call('GET', '/apiKeys/bob-key')).status, 404);
    assert.equal((await atrium.call('GET', '/roleAssignments/bob-reader')).status, 404);
  });

  it('limits failed sign-ins per account and answers unknown accounts like wrong passwords', async () => {
    await atrium.call('PUT', '/operators/carol', { properties: { email: 'carol@example.com', password: 'carol has a long password' } });
    const attempt = (email: string, password: string) => atrium.call('POST', '/auth/login', { email, password }, { authorization: '' });
    const unknown = await attempt('nobody@example.com', 'whatever password');
    for (let i = 0; i < 5; i++) {
      const res = await attempt('carol@example.com', `wrong password ${i}`);
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, unknown.body);
    }
    const locked = await attempt('carol@example.com', 'carol has a long password');
    assert.equal(locked.status, 429, locked.text);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal((await attempt('carol@example.com', '')).status, 429);
    const malformed = await atrium.call('POST', '/auth/login', { email: 42 }, { authorization: '' });
    assert.equal(malformed.status, 400);
  });

  it('rotates the secret key: every secret re-encrypted, still readable, the old key kept for reading', async () => {
    await atrium.call('PUT', '/namedValues/rot-secret', { properties: { displayName: 'rot-secret', value: 'rotate-me-please', secret: true } });
    const dataDir = atrium.atrium.config.dataDir;
    const before = readFileSync(join(dataDir, 'secret.key'), 'utf8');
    const config = readConfig({ ATRIUM_DATA_DIR: dataDir });
    const { resealed } = await rotateSecretKey({ config, store: atrium.atrium.store, registry: createRegistry(resourceTypes) });
    assert.ok(resealed >= 1);
    assert.notEqual(readFileSync(join(dataDir, 'secret.key'), 'utf8'), before);
    assert.equal(readFileSync(join(dataDir, 'secret.key.previous'), 'utf8'), before);
    assert.ok(!existsSync(join(dataDir, 'secret.key.new')));
    // A process started now reads the re-encrypted value with the new key alone.
    const second = await createAtrium(readConfig({ ATRIUM_DATA_DIR: dataDir, ATRIUM_ADMIN_KEY: TEST_ADMIN_KEY, ATRIUM_MANAGEMENT_PORT: '0', ATRIUM_GATEWAY_PORT: '0' }));
    try {
      const record = await second.store.get('/namedvalues/rot-secret');
      assert.equal(second.engine.revealProperties(record!).value, 'rotate-me-please');
    } finally {
      await second.close();
    }
  });
});
