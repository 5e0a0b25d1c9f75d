import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { AtriumError } from '../errors.ts';
import { apiNamePattern, apis, parseApiName, prepareApi } from './apis.ts';

const random = (bytes: number): string => '00'.repeat(bytes);

function prepare(name: string, properties: Record<string, unknown>, existing?: Record<string, unknown>) {
  return prepareApi({ name, properties, existing, workspace: undefined, random, now: new Date() });
}

test('API names may carry a revision suffix', () => {
  for (const name of ['echo', 'echo-api', 'echo;rev=2', 'echo api v1', 'a'.repeat(256), 'echo;rev=9999']) {
    assert.ok(apiNamePattern.test(name), name);
  }
  for (const name of ['', 'echo;rev=0', 'echo;rev=', 'echo;rev=10000', 'echo;v=2', 'e*cho', 'a/b', 'a?b', 'a#b', 'a%b', 'a\u0001b', 'a'.repeat(257)]) {
    assert.ok(!apiNamePattern.test(name), name);
  }
  assert.deepEqual(parseApiName('echo;rev=12'), { apiName: 'echo', revision: '12' });
  assert.deepEqual(parseApiName('echo'), { apiName: 'echo', revision: undefined });
});

test('the plain name is the current revision, numbered 1 unless said otherwise', () => {
  const current = prepare('echo', { path: 'echo' });
  assert.equal(current.apiRevision, '1');
  assert.equal(current.isCurrent, true);
  assert.equal(prepare('echo', { path: 'echo', apiRevision: '3' }).apiRevision, '3');
  assert.equal(prepare('echo', { path: 'echo' }, { path: 'echo', apiRevision: '4' }).apiRevision, '4');
});

test('a ;rev=N name is revision N and not current, whatever the body says', () => {
  const revision = prepare('echo;rev=2', { path: 'echo', apiRevision: '7', isCurrent: true });
  assert.equal(revision.apiRevision, '2');
  assert.equal(revision.isCurrent, false);
});

test("Azure's defaults: display name, subscription required, subscription key names", () => {
  const properties = prepare('echo;rev=2', { path: 'echo' });
  assert.equal(properties.displayName, 'echo');
  assert.equal(properties.subscriptionRequired, true);
  assert.deepEqual(properties.subscriptionKeyParameterNames, { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' });
  const chosen = prepare('echo', { path: 'echo', displayName: 'Echo', subscriptionRequired: false, subscriptionKeyParameterNames: { header: 'k' } });
  assert.equal(chosen.displayName, 'Echo');
  assert.equal(chosen.subscriptionRequired, false);
  assert.deepEqual(chosen.subscriptionKeyParameterNames, { header: 'k' });
  assert.ok(Value.Check(apis.schema, properties));
});

test('a new API needs a path unless it is imported or copied', () => {
  assert.throws(
    () => prepare('echo', { displayName: 'Echo' }),
    (error: unknown) =>
      error instanceof AtriumError && error.code === 'VALIDATION_FAILED' && error.details.some((d) => d.target === 'properties.path'),
  );
  assert.doesNotThrow(() => prepare('petstore', { format: 'openapi-link', value: 'https://example.com/petstore.yaml' }));
  assert.doesNotThrow(() => prepare('echo;rev=2', { sourceApiId: '/apis/echo' }));
  assert.equal(prepare('echo', { displayName: 'Echo 2' }, { path: 'echo' }).path, 'echo', 'an update keeps the path');
});

test('computed properties are read-only; references restrict deletion of their targets', () => {
  assert.deepEqual(apis.readOnly, ['isOnline', 'provisioningState']);
  assert.deepEqual(
    apis.references?.map((r) => [r.property, r.to, r.onTargetDelete]),
    [
      ['apiVersionSetId', ['apiVersionSets'], 'restrict'],
      ['sourceApiId', ['apis'], 'restrict'],
    ],
  );
});

test('every import format and API type of Azure is accepted; others are not', () => {
  for (const format of ['openapi', 'openapi+json', 'openapi-link', 'swagger-json', 'wsdl', 'wadl-xml', 'graphql-link', 'grpc', 'odata-link']) {
    assert.ok(Value.Check(apis.schema, { path: 'p', format, value: 'x' }), format);
  }
  assert.equal(Value.Check(apis.schema, { path: 'p', format: 'raml', value: 'x' }), false);
  for (const type of ['http', 'soap', 'websocket', 'graphql', 'odata', 'grpc']) {
    assert.ok(Value.Check(apis.schema, { path: 'p', type, apiType: type }), type);
  }
  assert.equal(Value.Check(apis.schema, { path: 'p', protocols: ['ftp'] }), false);
  assert.equal(Value.Check(apis.schema, { path: 'p'.repeat(401) }), false, 'path is at most 400 characters');
});
