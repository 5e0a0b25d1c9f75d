import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { builtInRoles, type Action, type Family, type RoleDef } from '../src/access/roles.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { POSTGRES_URL, dropSchema, postgresAvailable, uniqueSchema } from './support/services.ts';

/**
 * The permission matrix, generated from the role definitions: every built-in role × every
 * resource family × read/write/delete, in its own workspace, another workspace and at service
 * level, checked against the live HTTP API.
 */
type Target = 'own' | 'other' | 'service';
interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  /** Admin calls that make the call meaningful (the thing to delete). */
  readonly setup?: readonly [string, unknown][];
}

const scopePrefix = (target: Target): string => (target === 'own' ? '/workspaces/w1' : target === 'other' ? '/workspaces/w2' : '');
let counter = 0;
const unique = (): string => `m${++counter}`;

/** One representative call per family and action; undefined where the family has no such call there. */
function callFor(family: Family, action: Action, target: Target): Call | undefined {
  const p = scopePrefix(target);
  const id = unique();
  const simple = (collection: string, body: (name: string) => unknown): Call => {
    if (action === 'read') return { method: 'GET', path: `${p}/${collection}/base` };
    if (action === 'write') return { method: 'PUT', path: `${p}/${collection}/${id}`, body: body(id) };
    return { method: 'DELETE', path: `${p}/${collection}/${id}`, setup: [[`${p}/${collection}/${id}`, body(id)]] };
  };
  switch (family) {
    case 'apis':
      return action === 'reveal' ? undefined : simple('apis', (n) => ({ properties: { path: n } }));
    case 'products':
      return action === 'reveal' ? undefined : simple('products', (n) => ({ properties: { displayName: n } }));
    case 'settings':
      return action === 'reveal' ? undefined : simple('loggers', () => ({ properties: { loggerType: 'azureMonitor' } }));
    case 'access':
      return action === 'reveal' ? undefined : simple('apiKeys', () => ({ properties: { type: 'service-account', role: target === 'service' ? 'reader' : 'workspace-reader' } }));
    case 'policies': {
      const doc = { properties: { value: '<policies><inbound /><backend><forward-request /></backend><outbound /></policies>', format: 'rawxml' } };
      if (action === 'read') return { method: 'GET', path: `${p}/policies/policy`, setup: [[`${p}/policies/policy`, doc]] };
      if (action === 'write') return { method: 'PUT', path: `${p}/policies/policy`, body: doc };
      if (action === 'delete') return { method: 'DELETE', path: `${p}/policies/policy`, setup: [[`${p}/policies/policy`, doc]] };
      return undefined;
    }
    case 'logs':
      return action === 'read' ? { method: 'GET', path: `${p}/logs` } : undefined;
    case 'audit':
      return action === 'read' ? { method: 'GET', path: `${p}/auditLog` } : undefined;
    case 'workspaces':
      if (target === 'service') {
        if (action === 'write') return { method: 'PUT', path: `/workspaces/${id}`, body: { properties: { displayName: id } } };
        if (action === 'delete') return { method: 'DELETE', path: `/workspaces/${id}`, setup: [[`/workspaces/${id}`, { properties: { displayName: id } }]] };
        return undefined;
      }
      if (action === 'read') return { method: 'GET', path: p };
      if (action === 'write') return { method: 'PATCH', path: p, body: { properties: { description: id } } };
      return undefined;
    case 'users':
      return target === 'service' && action !== 'reveal' ? simple('users', (n) => ({ properties: { email: `${n}@example.com`, firstName: 'A', lastName: 'B' } })) : undefined;
    case 'gateways':
      if (target !== 'service') return undefined;
      if (action === 'read') return { method: 'GET', path: '/gateways/g1' };
      if (action === 'write') return { method: 'PATCH', path: '/gateways/g1', body: { properties: { description: id } } };
      if (action === 'delete') return { method: 'DELETE', path: `/gateways/${id}`, setup: [[`/gateways/${id}`, { properties: { displayName: id } }]] };
      return undefined;
  }
}

/** What the role table says should happen. */
function expectation(role: RoleDef, family: Family, action: Action, target: Target): 'allow' | 403 | 404 {
  const granted = role.permissions[family]?.includes(action) ?? false;
  if (role.scope === 'service') return granted ? 'allow' : 403;
  if (role.scope === 'workspace') {
    if (target === 'other') return 404;
    if (target === 'service') return 403;
    return granted ? 'allow' : 403;
  }
  // Gateway scope: the operator holds g1 only; it has no standing in any workspace.
  if (target !== 'service') return 404;
  return granted && family === 'gateways' && !(action === 'delete') ? 'allow' : 403;
}

const pgStatus = await postgresAvailable();
const variants = [
  { name: 'sqlite', skip: false as const, schema: undefined as string | undefined },
  { name: 'postgres', skip: pgStatus === true ? (false as const) : pgStatus, schema: uniqueSchema('atrium_matrix') },
];

for (const variant of variants) {
  describe(`permission matrix on ${variant.name}`, { skip: variant.skip }, () => {
    let atrium: RunningAtrium;
    const tokens = new Map<string, string>();
    before(async () => {
      atrium = await startAtrium({ databaseUrl: variant.schema ? `${POSTGRES_URL}?schema=${variant.schema}` : undefined });
      const put = async (path: string, body: unknown): Promise<any> => {
        const res = await atrium.call('PUT', path, body);
        assert.ok(res.status === 200 || res.status === 201, `${path}: ${res.text}`);
        return res.body;
      };
      for (const ws of ['w1', 'w2']) await put(`/workspaces/${ws}`, { properties: { displayName: ws } });
      for (const p of ['', '/workspaces/w1', '/workspaces/w2']) {
        await put(`${p}/apis/base${p.replace(/\//g, '-')}`, { properties: { path: `base${p}` } });
        await put(`${p}/products/base${p.replace(/\//g, '-')}`, { properties: { displayName: 'base' } });
        await put(`${p}/loggers/base`, { properties: { loggerType: 'azureMonitor' } });
        await put(`${p}/apiKeys/base`, { properties: { type: 'service-account', role: p ? 'workspace-reader' : 'reader' } });
        await put(`${p}/policies/policy`, { properties: { value: '<policies />', format: 'rawxml' } });
      }
      await put('/users/base', { properties: { email: 'base@example.com', firstName: 'B', lastName: 'U' } });
      for (const g of ['g1', 'g2']) await put(`/gateways/${g}`, { properties: { displayName: g } });
      for (const role of builtInRoles) {
        if (role.scope === 'service') tokens.set(role.name, (await put(`/apiKeys/key-${role.name}`, { properties: { type: 'service-account', role: role.name } })).properties.key);
        if (role.scope === 'workspace') tokens.set(role.name, (await put(`/workspaces/w1/apiKeys/key-${role.name}`, { properties: { type: 'service-account', role: role.name } })).properties.key);
        if (role.scope === 'gateway') {
          await put('/operators/gwop', { properties: { email: 'gwop@example.com', password: 'a long enough password' } });
          await put('/roleAssignments/gwop-g1', { properties: { principalId: '/operators/gwop', role: role.name, scope: '/gateways/g1' } });
          tokens.set(role.name, (await put('/apiKeys/key-gwop', { properties: { type: 'user', operatorId: '/operators/gwop' } })).properties.key);
        }
      }
    });
    after(async () => {
      await atrium?.close();
      if (variant.schema && pgStatus === true) await dropSchema(variant.schema);
    });

    for (const role of builtInRoles) {
      it(`${role.name} (${role.scope} scope) gets exactly what the role table grants`, async () => {
        const token = tokens.get(role.name)!;
        let checked = 0;
        for (const family of ['apis', 'products', 'policies', 'settings', 'access', 'logs', 'audit', 'workspaces', 'users', 'gateways'] as const) {
          for (const action of ['read', 'write', 'delete'] as const) {
            for (const target of ['own', 'other', 'service'] as const) {
              const call = callFor(family, action, target);
              if (!call) continue;
              // Base names differ per scope because API and product names are unique service-wide.
              const path = call.path.replace(/\/(apis|products)\/base$/, (_m, c: string) => `/${c}/base${scopePrefix(target).replace(/\//g, '-')}`);
              for (const [setupPath, body] of call.setup ?? []) {
                const res = await atrium.call('PUT', setupPath, body);
                assert.ok(res.status < 300, `setup ${setupPath}: ${res.text}`);
              }
              const res = await atrium.call(call.method, path, call.body, { authorization: `Bearer ${token}` });
              const expected = expectation(role, family, action, target);
              const label = `${role.name}: ${action} ${family} (${target}) via ${call.method} ${path}`;
              if (expected === 'allow') assert.ok(res.status >= 200 && res.status < 300, `${label} answered ${res.status}: ${res.text.slice(0, 200)}`);
              else assert.equal(res.status, expected, `${label}: ${res.text.slice(0, 200)}`);
              checked++;
            }
          }
        }
        assert.ok(checked >= 45, `only ${checked} cells checked`);
      });
    }

    it('reveals secrets only to roles with the reveal permission', async () => {
      await atrium.call('PUT', '/workspaces/w1/namedValues/nv-secret', { properties: { displayName: 'nv-secret', value: 'hidden-value', secret: true } });
      for (const role of builtInRoles.filter((r) => r.scope !== 'gateway')) {
        const res = await atrium.call('POST', '/workspaces/w1/namedValues/nv-secret/listValue', undefined, { authorization: `Bearer ${tokens.get(role.name)}` });
        const allowed = role.permissions.apis?.includes('reveal') ?? false;
        assert.equal(res.status, allowed ? 200 : 403, `${role.name}: ${res.text}`);
        if (allowed) assert.equal(res.body.value, 'hidden-value');
      }
    });
  });
}
