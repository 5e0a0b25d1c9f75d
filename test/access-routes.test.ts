import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/**
 * Every route the management API registers — including routes added later — answers 401 without
 * credentials, and cannot be reached by a workspace key of another workspace.
 */
const pgStatus = await postgresAvailable();
const variants = [
  { name: 'sqlite', skip: false as const, schema: undefined as string | undefined },
  { name: 'postgres', skip: pgStatus === true ? (false as const) : pgStatus, schema: uniqueSchema('atrium_routes') },
];

for (const variant of variants) {
  describe(`route enumeration on ${variant.name}`, { skip: variant.skip }, () => {
    let atrium: RunningAtrium;
    let otherKey: string;
    before(async () => {
      atrium = await startAtrium({ databaseUrl: variant.schema ? `${POSTGRES_URL}?schema=${variant.schema}` : undefined });
      for (const ws of ['w1', 'w2']) assert.equal((await atrium.call('PUT', `/workspaces/${ws}`, { properties: { displayName: ws } })).status, 201);
      const key = await atrium.call('PUT', '/workspaces/w2/apiKeys/manager', { properties: { type: 'service-account', role: 'workspace-manager' } });
      assert.equal(key.status, 201, key.text);
      otherKey = key.body.properties.key;
    });
    after(async () => {
      await atrium?.close();
      if (variant.schema && pgStatus === true) await dropSchema(variant.schema);
    });

    const urlOf = (pattern: string): string =>
      pattern.replace(/:workspaceId/g, 'w1').replace(/:([A-Za-z]+)/g, (_, name: string) => (name === 'policyId' ? 'policy' : `x-${name}`));

    it('requires credentials on every route but the public ones', async () => {
      const routes = atrium.atrium.management.registeredRoutes;
      assert.ok(routes.length > 400, `${routes.length} routes`);
      const publicRoutes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`).sort();
      assert.deepEqual(publicRoutes, ['GET /health', 'GET /openapi.json', 'POST /auth/login']);
      for (const route of routes.filter((r) => !r.public)) {
        const res = await atrium.call(route.method, urlOf(route.url), route.method === 'GET' || route.method === 'HEAD' ? undefined : {}, { authorization: '' });
        assert.equal(res.status, 401, `${route.method} ${route.url} answered ${res.status} without credentials`);
      }
    });

    it("keeps every route out of reach of another workspace's key", async () => {
      const auth = { authorization: `Bearer ${otherKey}` };
      for (const route of atrium.atrium.management.registeredRoutes.filter((r) => !r.public)) {
        const url = urlOf(route.url);
        const res = await atrium.call(route.method, url, route.method === 'GET' || route.method === 'HEAD' ? undefined : {}, auth);
        if (route.url === '/workspaces' && route.method === 'GET') {
          assert.equal(res.status, 200);
          assert.deepEqual(res.body.value.map((w: { name: string }) => w.name), ['w2'], 'lists only its own workspace');
          continue;
        }
        if (route.url === '/auth/logout') {
          assert.equal(res.status, 400, 'an API key has no session to end');
          continue;
        }
        // Inside another workspace even existence is hidden (404); creating or deleting a
        // workspace, and every service-level route, is plainly forbidden (403).
        const createsOrDeletesWorkspace = route.url === '/workspaces/:workspaceId' && (route.method === 'PUT' || route.method === 'DELETE');
        const expected = route.url.startsWith('/workspaces/:workspaceId') && !createsOrDeletesWorkspace ? 404 : 403;
        assert.equal(res.status, expected, `${route.method} ${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
      }
      // Nothing of w1 changed, and the denied calls are in the audit log.
      assert.equal((await atrium.call('GET', '/workspaces/w1/apis')).body.count, 0);
      const audit = await atrium.call('GET', '/auditLog?$top=1000');
      assert.ok(audit.body.value.filter((e: { outcome: string; principal: string }) => e.outcome === 'denied' && e.principal === '/workspaces/w2/apiKeys/manager').length > 300);
    });
  });
}
