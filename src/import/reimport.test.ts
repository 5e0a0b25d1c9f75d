import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReimport } from './reimport.ts';
import { importDefinition } from './index.ts';

const op = (name: string, method: string, urlTemplate: string) => ({ name, properties: { displayName: name, method, urlTemplate } });

test('matched operations are updated in place, new ones created, unmatched ones removed', () => {
  const plan = planReimport(
    [op('list', 'GET', '/items'), op('old-get', 'GET', '/items/{id}'), op('gone', 'DELETE', '/items/{id}')],
    [op('list', 'GET', '/things'), op('get-item', 'GET', '/items/{id}'), op('create', 'POST', '/items')],
  );
  assert.deepEqual(plan.update.map((o) => [o.name, o.properties.urlTemplate]), [['list', '/things']]);
  assert.deepEqual(
    plan.create.map((o) => [o.name, o.copyPoliciesFrom]),
    [
      ['get-item', 'old-get'],
      ['create', undefined],
    ],
  );
  assert.deepEqual(plan.remove, ['old-get', 'gone']);
});

test('re-importing an unchanged definition updates every operation and removes none', async () => {
  const text = JSON.stringify({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: { '/a': { get: { operationId: 'getA', responses: { '200': { description: 'ok' } } }, post: { responses: { '200': { description: 'ok' } } } } },
  });
  const first = await importDefinition({ format: 'openapi+json', value: text });
  const second = await importDefinition({ format: 'openapi+json', value: text });
  const plan = planReimport(first.operations, second.operations);
  assert.deepEqual(plan.update.map((o) => o.name), ['geta', 'post-a']);
  assert.deepEqual(plan.create, []);
  assert.deepEqual(plan.remove, []);
});
