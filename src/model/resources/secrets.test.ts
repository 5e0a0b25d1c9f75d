import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationServers } from './authorization-servers.ts';
import { backends } from './backends.ts';
import { loggers } from './loggers.ts';
import { namedValues } from './named-values.ts';
import { users } from './users.ts';

const random = (bytes: number): string => '11'.repeat(bytes);

test('a named value is secret only when it says so', () => {
  const when = namedValues.secrets!.when!;
  assert.equal(when({ displayName: 'a', value: 'x', secret: true }), true);
  assert.equal(when({ displayName: 'a', value: 'x', secret: false }), false);
  assert.equal(when({ displayName: 'a', value: 'x' }), false);
  assert.equal(namedValues.secrets!.hidden, true);
  assert.deepEqual(namedValues.secrets!.properties, ['value']);
});

test('a named value is not secret by default', () => {
  const properties = namedValues.prepare!({ name: 'nv', properties: { displayName: 'nv', value: 'x' }, workspace: undefined, random, now: new Date() });
  assert.equal(properties.secret, false);
});

test('listValue reveals the value', () => {
  const outcome = namedValues.actions!.listValue.run({ properties: { displayName: 'nv', value: 's3cret', secret: true }, random, body: undefined });
  assert.deepEqual(outcome.response, { value: 's3cret' });
  assert.equal(namedValues.actions!.listValue.kind, 'reveal');
});

test('a secret named value sent back without its value keeps it', () => {
  const existing = { displayName: 'nv', value: 's3cret', secret: true };
  const properties = namedValues.prepare!({ name: 'nv', properties: { displayName: 'nv', secret: true, tags: ['t'] }, existing, workspace: undefined, random, now: new Date() });
  assert.equal(properties.value, 's3cret');
  const plain = namedValues.prepare!({ name: 'nv', properties: { displayName: 'nv' }, existing: { displayName: 'nv', value: 'v' }, workspace: undefined, random, now: new Date() });
  assert.equal(plain.value, undefined, 'a plain value is always read back, so its absence is meant');
});

test('an authorization server reveals its secrets through listSecrets and keeps them on update', () => {
  assert.equal(authorizationServers.secrets?.hidden, true);
  assert.ok(authorizationServers.secrets?.properties.includes('clientSecret'));
  const stored = { displayName: 'as', clientSecret: 'cs', resourceOwnerUsername: 'un', resourceOwnerPassword: 'pw' };
  const outcome = authorizationServers.actions!.listSecrets.run({ properties: stored, random, body: undefined });
  assert.deepEqual(outcome.response, { clientSecret: 'cs', resourceOwnerUsername: 'un', resourceOwnerPassword: 'pw' });
  const updated = authorizationServers.prepare!({ name: 'as', properties: { displayName: 'renamed' }, existing: stored, workspace: undefined, random, now: new Date() });
  assert.equal(updated.clientSecret, 'cs');
  assert.equal(updated.resourceOwnerPassword, 'pw');
});

test("a user's password is hidden and kept when not sent again; users are active by default", () => {
  assert.deepEqual(users.secrets, { properties: ['password'], hidden: true, mode: 'hash' });
  const created = users.prepare!({ name: 'u', properties: { email: 'a@b.c', firstName: 'A', lastName: 'B', password: 'pw' }, workspace: undefined, random, now: new Date() });
  assert.equal(created.state, 'active');
  const updated = users.prepare!({ name: 'u', properties: { email: 'a@b.c', firstName: 'A', lastName: 'C' }, existing: created, workspace: undefined, random, now: new Date() });
  assert.equal(updated.password, 'pw');
});

test('backend and logger credentials are encrypted at rest but still returned', () => {
  assert.deepEqual(backends.secrets, { properties: ['credentials', 'proxy'], hidden: false });
  assert.deepEqual(loggers.secrets, { properties: ['credentials'], hidden: false });
});

test('a logger buffers unless told not to', () => {
  assert.equal(loggers.prepare!({ name: 'l', properties: { loggerType: 'azureMonitor' }, workspace: undefined, random, now: new Date() }).isBuffered, true);
  assert.equal(loggers.prepare!({ name: 'l', properties: { loggerType: 'azureMonitor', isBuffered: false }, workspace: undefined, random, now: new Date() }).isBuffered, false);
});
