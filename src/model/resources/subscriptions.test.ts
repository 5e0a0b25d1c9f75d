import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionContext } from '../resource-type.ts';
import { subscriptions } from './subscriptions.ts';

/** Randomness is injected: each call returns the next distinct hex string of the asked size. */
function sequence(): (bytes: number) => string {
  let n = 0;
  return (bytes) => (++n).toString(16).padStart(bytes * 2, '0');
}

const body = { scope: '/products/starter', displayName: 'Starter' };

function create(random = sequence()): Record<string, unknown> {
  return subscriptions.prepare!({ name: 's1', properties: { ...body }, workspace: undefined, random, now: new Date() });
}

function run(action: string, properties: Record<string, unknown>, random = sequence()) {
  const ctx: ActionContext = { properties, random, body: undefined };
  return subscriptions.actions![action].run(ctx);
}

test('a new subscription gets two different 32-hex-digit keys and is submitted', () => {
  const properties = create();
  assert.match(String(properties.primaryKey), /^[0-9a-f]{32}$/);
  assert.match(String(properties.secondaryKey), /^[0-9a-f]{32}$/);
  assert.notEqual(properties.primaryKey, properties.secondaryKey);
  assert.equal(properties.state, 'submitted');
});

test('keys given on create are kept', () => {
  const properties = subscriptions.prepare!({
    name: 's1',
    properties: { ...body, primaryKey: 'mine-1', secondaryKey: 'mine-2', state: 'active' },
    workspace: undefined,
    random: sequence(),
    now: new Date('2026-01-01T00:00:00Z'),
  });
  assert.equal(properties.primaryKey, 'mine-1');
  assert.equal(properties.secondaryKey, 'mine-2');
  assert.equal(properties.state, 'active');
  assert.equal(properties.createdDate, '2026-01-01T00:00:00.000Z');
  assert.equal(properties.startDate, '2026-01-01T00:00:00.000Z');
});

test('an update without keys keeps the existing keys and state', () => {
  const existing: Record<string, unknown> = { ...create(), state: 'active' };
  const updated = subscriptions.prepare!({
    name: 's1',
    properties: { ...body, displayName: 'Renamed' },
    existing,
    workspace: undefined,
    random: () => 'ff'.repeat(16),
    now: new Date('2026-01-01T00:00:00Z'),
  });
  assert.equal(updated.primaryKey, existing.primaryKey);
  assert.equal(updated.secondaryKey, existing.secondaryKey);
  assert.equal(updated.state, 'active');
  assert.equal(updated.displayName, 'Renamed');
});

test('an update may replace one key', () => {
  const existing = create();
  const updated = subscriptions.prepare!({
    name: 's1',
    properties: { ...body, secondaryKey: 'rotated' },
    existing,
    workspace: undefined,
    random: sequence(),
    now: new Date('2026-01-01T00:00:00Z'),
  });
  assert.equal(updated.primaryKey, existing.primaryKey);
  assert.equal(updated.secondaryKey, 'rotated');
});

test('regeneratePrimaryKey changes only the primary key and answers nothing', () => {
  const properties = create();
  const outcome = run('regeneratePrimaryKey', properties, () => 'aa'.repeat(16));
  assert.equal(outcome.response, undefined);
  assert.deepEqual(outcome.properties, { ...properties, primaryKey: 'aa'.repeat(16) });
  assert.equal(subscriptions.actions!.regeneratePrimaryKey.kind, 'mutate');
});

test('regenerateSecondaryKey changes only the secondary key and answers nothing', () => {
  const properties = create();
  const outcome = run('regenerateSecondaryKey', properties, () => 'bb'.repeat(16));
  assert.equal(outcome.response, undefined);
  assert.deepEqual(outcome.properties, { ...properties, secondaryKey: 'bb'.repeat(16) });
  assert.equal(subscriptions.actions!.regenerateSecondaryKey.kind, 'mutate');
});

test('listSecrets reveals both keys and changes nothing', () => {
  const properties = create();
  const outcome = run('listSecrets', properties);
  assert.deepEqual(outcome.response, { primaryKey: properties.primaryKey, secondaryKey: properties.secondaryKey });
  assert.equal(outcome.properties, undefined);
  assert.equal(subscriptions.actions!.listSecrets.kind, 'reveal');
});

test('keys are secret and hidden from reads', () => {
  assert.deepEqual(subscriptions.secrets, { properties: ['primaryKey', 'secondaryKey'], hidden: true });
});

test('scope accepts /apis without lookup and references APIs or products', () => {
  const scope = subscriptions.references!.find((r) => r.property === 'scope')!;
  assert.deepEqual(scope.literals, ['/apis']);
  assert.deepEqual(scope.to, ['apis', 'products']);
  assert.equal(scope.onTargetDelete, 'restrict');
});
