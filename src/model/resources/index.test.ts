import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { createRegistry } from '../registry.ts';
import type { ResourceTypeDef } from '../resource-type.ts';
import { getResourceType, resourceTypes } from './index.ts';

const kinds = new Set(resourceTypes.map((def) => def.kind));

function propertyNames(def: ResourceTypeDef): string[] {
  return Object.keys(def.schema.properties);
}

const random = (bytes: number): string => 'ab'.repeat(bytes);

/** What the engine does with a body: drop read-only properties, prepare, validate. */
function prepared(def: ResourceTypeDef, name: string, properties: Record<string, unknown>): Record<string, unknown> {
  const stripped = Object.fromEntries(Object.entries(properties).filter(([k]) => !def.readOnly?.includes(k)));
  return def.prepare ? def.prepare({ name, properties: stripped, workspace: undefined, random, now: new Date() }) : stripped;
}

test('every kind is declared once and the registry accepts the set', () => {
  assert.equal(kinds.size, resourceTypes.length);
  const registry = createRegistry(resourceTypes);
  assert.equal(registry.types.length, resourceTypes.length);
});

test('the resource set of the management API is complete', () => {
  const expected = [
    'workspaces', 'apis', 'apiOperations', 'apiPolicies', 'apiOperationPolicies', 'apiReleases', 'apiSchemas',
    'apiDiagnostics', 'apiVersionSets', 'products', 'productApiLinks', 'productGroupLinks', 'productPolicies',
    'subscriptions', 'users', 'authorizationServers', 'groups', 'groupUsers', 'namedValues', 'policyFragments',
    'schemas', 'tags', 'tagApiLinks', 'tagProductLinks', 'tagOperationLinks', 'backends', 'loggers', 'diagnostics',
    'notifications', 'policies', 'gateways', 'gatewayWorkspaceLinks', 'operators', 'operatorSessions', 'apiKeys', 'roleAssignments', 'apiDefinitions', 'serviceSettings',
  ];
  assert.deepEqual([...kinds].sort(), [...expected].sort());
});

test('parents exist, top-level kinds declare levels, children do not', () => {
  for (const def of resourceTypes) {
    if (def.parent === undefined) {
      assert.ok(def.levels, `${def.kind} declares its levels`);
    } else {
      assert.ok(kinds.has(def.parent), `${def.kind}: parent ${def.parent} exists`);
      assert.equal(def.levels, undefined, `${def.kind}: a child follows its parent's levels`);
    }
  }
});

test('segments are unique among siblings', () => {
  const seen = new Set<string>();
  for (const def of resourceTypes) {
    const key = `${def.parent ?? '<top>'}/${def.segment.toLowerCase()}`;
    assert.ok(!seen.has(key), `${def.kind}: segment ${def.segment} is free under ${def.parent ?? 'the service'}`);
    seen.add(key);
  }
});

test('references point at declared kinds and at declared string properties', () => {
  for (const def of resourceTypes) {
    for (const reference of def.references ?? []) {
      for (const to of reference.to) assert.ok(kinds.has(to), `${def.kind}.${reference.property} → ${to} exists`);
      const schema = def.schema.properties[reference.property] as TSchema | undefined;
      assert.ok(schema, `${def.kind}: reference property ${reference.property} is in the schema`);
      assert.equal(schema.type, 'string', `${def.kind}.${reference.property} is a string`);
    }
    if (def.nameReference) assert.ok(kinds.has(def.nameReference.to), `${def.kind}: name reference target exists`);
  }
});

test('read-only, secret and document properties are declared in the schema', () => {
  for (const def of resourceTypes) {
    const names = propertyNames(def);
    for (const p of def.readOnly ?? []) assert.ok(names.includes(p), `${def.kind}: read-only ${p} is declared`);
    for (const p of def.secrets?.properties ?? []) assert.ok(names.includes(p), `${def.kind}: secret ${p} is declared`);
    if (def.documentProperty) assert.ok(names.includes(def.documentProperty), `${def.kind}: document property is declared`);
  }
});

test('singletons have names; azure types and titles are set', () => {
  for (const def of resourceTypes) {
    if (def.names) assert.ok(def.names.length > 0, `${def.kind}: names are listed`);
    assert.match(def.azureType, /^Microsoft\.ApiManagement\/service\/[A-Za-z]+(\/[A-Za-z]+)*$/, def.kind);
    assert.ok(!def.azureType.includes('/workspaces/') || def.kind === 'workspaces', `${def.kind}: the service form is given`);
    assert.ok(def.title.length > 0);
  }
  for (const kind of ['policies', 'apiPolicies', 'apiOperationPolicies', 'productPolicies']) {
    assert.deepEqual(getResourceType(kind)?.names, ['policy']);
    assert.equal(getResourceType(kind)?.documentProperty, 'value');
  }
});

test('every schema compiles and rejects what it does not declare', () => {
  for (const def of resourceTypes) {
    assert.equal(def.schema.additionalProperties, false, `${def.kind}: unknown properties are rejected`);
    const check = TypeCompiler.Compile(def.schema);
    const body = { notAnAzureProperty: true };
    assert.equal(check.Check(body), false, def.kind);
    assert.ok(
      [...Value.Errors(def.schema, body)].some((e) => e.path === '/notAnAzureProperty'),
      `${def.kind}: the unknown property is named in the errors`,
    );
  }
});

test('unknown nested properties are rejected too', () => {
  const apis = getResourceType('apis')!;
  const errors = [...Value.Errors(apis.schema, { path: 'p', contact: { name: 'n', phone: '1' } })];
  assert.deepEqual(errors.map((e) => e.path), ['/contact/phone']);
});

test('an enumeration names its allowed values', () => {
  const products = getResourceType('products')!;
  const [error] = [...Value.Errors(products.schema, { displayName: 'p', state: 'live' })];
  assert.equal(error.path, '/state');
  assert.deepEqual((error.schema.anyOf as { const: string }[]).map((s) => s.const), ['notPublished', 'published']);
});

test('built-in instances are valid once prepared', () => {
  for (const def of resourceTypes) {
    for (const builtIn of def.builtIn ?? []) {
      const properties = prepared(def, builtIn.name, builtIn.properties);
      assert.ok(Value.Check(def.schema, properties), `${def.kind}/${builtIn.name}: ${JSON.stringify([...Value.Errors(def.schema, properties)])}`);
      if (def.names) assert.ok(def.names.includes(builtIn.name), `${def.kind}/${builtIn.name} is an allowed name`);
    }
  }
});

test('the built-in groups are system groups; a new group is custom', () => {
  const groups = getResourceType('groups')!;
  assert.deepEqual(groups.builtIn?.map((b) => b.name), ['administrators', 'developers', 'guests']);
  const admins = prepared(groups, 'administrators', groups.builtIn![0].properties);
  assert.equal(admins.builtIn, true);
  assert.equal(admins.type, 'system');
  assert.equal(admins.displayName, 'Administrators');
  const custom = prepared(groups, 'team', { displayName: 'Team', builtIn: true, type: 'system' });
  assert.equal(custom.builtIn, false, 'builtIn cannot be claimed');
  assert.equal(prepared(groups, 'team', { displayName: 'Team' }).type, 'custom');
  assert.equal(prepared(groups, 'aad', { displayName: 'AAD', type: 'external' }).type, 'external');
});

test('the managed gateway always exists and a gateway serves at most 30 workspaces', () => {
  assert.deepEqual(getResourceType('gateways')?.builtIn?.map((b) => b.name), ['managed']);
  const links = getResourceType('gatewayWorkspaceLinks')!;
  assert.equal(links.maxPerParent, 30);
  assert.deepEqual(links.nameReference, { to: 'workspaces', onTargetDelete: 'cascade' });
  assert.ok(Value.Check(links.schema, {}));
  const gateways = getResourceType('gateways')!;
  assert.equal(Value.Check(gateways.schema, { displayName: 'edge', port: 0 }), false);
  assert.equal(Value.Check(gateways.schema, { displayName: 'edge', port: 65536 }), false);
  assert.ok(Value.Check(gateways.schema, { displayName: 'edge', port: 8080, hostnames: ['api.example.com'] }));
});

test('notifications are Azure\'s seven, all built in', () => {
  const notifications = getResourceType('notifications')!;
  assert.deepEqual(notifications.names, [
    'RequestPublisherNotificationMessage',
    'PurchasePublisherNotificationMessage',
    'NewApplicationNotificationMessage',
    'BCC',
    'NewIssuePublisherNotificationMessage',
    'AccountClosedPublisher',
    'QuotaLimitApproachingPublisherNotificationMessage',
  ]);
  assert.deepEqual(notifications.builtIn?.map((b) => b.name), notifications.names);
});

test('workspace rules: levels and service-wide names as declared', () => {
  const serviceOnly = ['workspaces', 'users', 'authorizationServers', 'gateways', 'operators', 'serviceSettings'];
  for (const def of resourceTypes.filter((d) => d.parent === undefined)) {
    assert.equal(def.levels?.workspace, !serviceOnly.includes(def.kind), `${def.kind} workspace level`);
    assert.equal(def.levels?.service, true, `${def.kind} service level`);
  }
  const unique = ['workspaces', 'apis', 'apiVersionSets', 'products', 'subscriptions', 'users', 'groups', 'namedValues', 'policyFragments', 'tags'];
  for (const kind of unique) assert.equal(getResourceType(kind)?.uniqueness, 'service', kind);
  const subscriptions = getResourceType('subscriptions')!;
  assert.deepEqual(subscriptions.references?.find((r) => r.property === 'ownerId')?.serviceTargetsFromWorkspace, 'always');
  assert.deepEqual(getResourceType('productGroupLinks')?.references?.[0].serviceTargetsFromWorkspace, 'builtIn');
});
