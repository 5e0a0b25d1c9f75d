import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/**
 * The scripted walk of the management plane issue, on both stores: two workspaces, service-wide
 * names, cross-workspace references, secrets, ETags, and a workspace deletion that takes every
 * child with it and nothing else.
 */
const pgStatus = await postgresAvailable();

const stores = [
  { name: 'sqlite', skip: false as const, databaseUrl: undefined as string | undefined, schema: undefined as string | undefined },
  (() => {
    const schema = uniqueSchema('atrium_walk');
    return { name: 'postgres', skip: pgStatus === true ? (false as const) : pgStatus, databaseUrl: `${POSTGRES_URL}?schema=${schema}`, schema };
  })(),
];

for (const variant of stores) {
  describe(`management walk on ${variant.name}`, { skip: variant.skip }, () => {
    let atrium: RunningAtrium;
    before(async () => {
      atrium = await startAtrium({ databaseUrl: variant.databaseUrl });
    });
    after(async () => {
      await atrium?.close();
      if (variant.schema && pgStatus === true) await dropSchema(variant.schema);
    });

    it('creates two workspaces', async () => {
      for (const ws of ['w1', 'w2']) {
        const res = await atrium.call('PUT', `/workspaces/${ws}`, { properties: { displayName: `Team ${ws}`, description: 'walk' } });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.id, `/workspaces/${ws}`);
        assert.equal(res.body.type, 'Microsoft.ApiManagement/service/workspaces');
      }
    });

    it('rejects the same API name in a second workspace and at service level with 409', async () => {
      const api = { properties: { displayName: 'Echo', path: 'echo', serviceUrl: 'http://127.0.0.1:9/echo', protocols: ['https'] } };
      const first = await atrium.call('PUT', '/workspaces/w1/apis/echo', api);
      assert.equal(first.status, 201, first.text);
      assert.equal(first.body.id, '/workspaces/w1/apis/echo');
      assert.equal(first.body.type, 'Microsoft.ApiManagement/service/workspaces/apis');
      const clash = await atrium.call('PUT', '/workspaces/w2/apis/echo', { properties: { ...api.properties, path: 'echo2' } });
      assert.equal(clash.status, 409, clash.text);
      assert.equal(clash.body.error.code, 'Conflict');
      assert.match(clash.body.error.message, /echo/);
      const serviceClash = await atrium.call('PUT', '/apis/ECHO', { properties: { ...api.properties, path: 'echo3' } });
      assert.equal(serviceClash.status, 409, serviceClash.text);
      // Replacing in place is not a clash.
      const replace = await atrium.call('PUT', '/workspaces/w1/apis/echo', api);
      assert.equal(replace.status, 200, replace.text);
    });

    it('rejects a product of one workspace linking an API of the other with 400 naming the reference', async () => {
      assert.equal((await atrium.call('PUT', '/workspaces/w2/apis/other', { properties: { displayName: 'Other', path: 'other' } })).status, 201);
      assert.equal((await atrium.call('PUT', '/workspaces/w1/products/starter', { properties: { displayName: 'Starter', state: 'published' } })).status, 201);
      const crossFull = await atrium.call('PUT', '/workspaces/w1/products/starter/apiLinks/l1', { properties: { apiId: '/workspaces/w2/apis/other' } });
      assert.equal(crossFull.status, 400, crossFull.text);
      assert.equal(crossFull.body.error.code, 'ValidationError');
      assert.equal(crossFull.body.error.details[0].target, 'properties.apiId');
      assert.match(crossFull.body.error.message, /w2/);
      const crossArm = await atrium.call('PUT', '/workspaces/w1/products/starter/apiLinks/l1', {
        properties: { apiId: '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/workspaces/w2/apis/other' },
      });
      assert.equal(crossArm.status, 400, crossArm.text);
      // A short id inside a workspace means that workspace's resource: 'other' is not in w1.
      const crossShort = await atrium.call('PUT', '/workspaces/w1/products/starter/apiLinks/l1', { properties: { apiId: '/apis/other' } });
      assert.equal(crossShort.status, 400, crossShort.text);
      const own = await atrium.call('PUT', '/workspaces/w1/products/starter/apiLinks/l1', { properties: { apiId: '/apis/echo' } });
      assert.equal(own.status, 201, own.text);
      // The older alias form sees the same link.
      const viaAlias = await atrium.call('GET', '/workspaces/w1/products/starter/apis');
      assert.deepEqual(viaAlias.body.value.map((a: { name: string }) => a.name), ['echo']);
    });

    it('hides a secret named value on GET and in lists and reveals it through listValue', async () => {
      const put = await atrium.call('PUT', '/workspaces/w1/namedValues/backend-key', { properties: { displayName: 'backend-key', value: 'walk-s3cret-value', secret: true } });
      assert.equal(put.status, 201, put.text);
      assert.equal(put.body.properties.value, undefined);
      assert.equal(put.body.properties.secret, true);
      const get = await atrium.call('GET', '/workspaces/w1/namedValues/backend-key');
      assert.equal(get.status, 200);
      assert.equal(get.body.properties.value, undefined);
      assert.ok(!get.text.includes('walk-s3cret-value'));
      const list = await atrium.call('GET', '/workspaces/w1/namedValues');
      assert.equal(list.body.count, 1);
      assert.ok(!list.text.includes('walk-s3cret-value'));
      const reveal = await atrium.call('POST', '/workspaces/w1/namedValues/backend-key/listValue');
      assert.equal(reveal.status, 200, reveal.text);
      assert.deepEqual(reveal.body, { value: 'walk-s3cret-value' });
      if (variant.name === 'sqlite') {
        const dir = atrium.atrium.config.dataDir;
        for (const file of readdirSync(dir).filter((f) => f.startsWith('atrium.db'))) {
          assert.ok(!readFileSync(join(dir, file)).includes('walk-s3cret-value'), `${file} holds the secret in clear`);
        }
      }
    });

    it('answers a stale If-Match with 412 and a current one with success', async () => {
      const get = await atrium.call('GET', '/workspaces/w1/products/starter');
      const etag = get.headers.get('etag')!;
      assert.ok(etag);
      const ok = await atrium.call('PATCH', '/workspaces/w1/products/starter', { properties: { description: 'first edit' } }, { 'if-match': etag });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.properties.description, 'first edit');
      assert.equal(ok.body.properties.displayName, 'Starter');
      assert.notEqual(ok.headers.get('etag'), etag);
      const stale = await atrium.call('PATCH', '/workspaces/w1/products/starter', { properties: { description: 'second edit' } }, { 'if-match': etag });
      assert.equal(stale.status, 412, stale.text);
      assert.equal(stale.body.error.code, 'PreconditionFailed');
      const staleDelete = await atrium.call('DELETE', '/workspaces/w1/products/starter', undefined, { 'if-match': etag });
      assert.equal(staleDelete.status, 412);
      const star = await atrium.call('PUT', '/workspaces/w1/products/starter', { properties: { displayName: 'Starter', description: 'replaced' } }, { 'if-match': '*' });
      assert.equal(star.status, 200, star.text);
      assert.equal((await atrium.call('GET', '/workspaces/w1/products/starter')).body.properties.description, 'replaced');
    });

    it('deletes a workspace with every child, its gateway link and nothing of the other workspace; the names are free again', async () => {
      await atrium.call('PUT', '/workspaces/w1/apis/echo/operations/get-item', { properties: { displayName: 'Get item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] } });
      await atrium.call('PUT', '/workspaces/w1/tags/walk-tag', { properties: { displayName: 'walk-tag' } });
      await atrium.call('PUT', '/workspaces/w1/subscriptions/walk-sub', { properties: { displayName: 'walk-sub', scope: '/products/starter' } });
      assert.equal((await atrium.call('PUT', '/gateways/team-gw', { properties: { displayName: 'Team gateway', port: 18080 } })).status, 201);
      assert.equal((await atrium.call('PUT', '/gateways/team-gw/workspaceLinks/w1')).status, 201);
      assert.equal((await atrium.call('PUT', '/gateways/team-gw/workspaceLinks/w2')).status, 201);
      const children = [
        '/workspaces/w1/apis/echo',
        '/workspaces/w1/apis/echo/operations/get-item',
        '/workspaces/w1/products/starter',
        '/workspaces/w1/products/starter/apiLinks/l1',
        '/workspaces/w1/namedValues/backend-key',
        '/workspaces/w1/tags/walk-tag',
        '/workspaces/w1/subscriptions/walk-sub',
      ];
      for (const path of children) assert.equal((await atrium.call('GET', path)).status, 200, path);

      const deleted = await atrium.call('DELETE', '/workspaces/w1');
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal((await atrium.call('GET', '/workspaces/w1')).status, 404);
      for (const path of children) assert.equal((await atrium.call('GET', path)).status, 404, path);
      assert.equal((await atrium.call('GET', '/gateways/team-gw/workspaceLinks/w1')).status, 404);
      assert.equal((await atrium.call('GET', '/gateways/team-gw/workspaceLinks/w2')).status, 200);
      assert.equal((await atrium.call('GET', '/workspaces/w2')).status, 200);
      assert.equal((await atrium.call('GET', '/workspaces/w2/apis/other')).status, 200);

      // The freed names can be used again, here in the other workspace.
      const reuse = await atrium.call('PUT', '/workspaces/w2/apis/echo', { properties: { displayName: 'Echo', path: 'echo' } });
      assert.equal(reuse.status, 201, reuse.text);
      assert.equal((await atrium.call('PUT', '/workspaces/w2/products/starter', { properties: { displayName: 'Starter' } })).status, 201);
      assert.equal((await atrium.call('PUT', '/workspaces/w2/namedValues/backend-key', { properties: { displayName: 'backend-key', value: 'v' } })).status, 201);
      assert.equal((await atrium.call('PUT', '/workspaces/w1', { properties: { displayName: 'Team w1 again' } })).status, 201);
      assert.equal((await atrium.call('GET', '/workspaces/w1/apis')).body.count, 0);
    });
  });
}
