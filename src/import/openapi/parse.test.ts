import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importDefinition, DefinitionError } from '../index.ts';
import type { DefinitionErrorCode, DefinitionFormat } from '../index.ts';

async function rejection(format: DefinitionFormat, value: unknown, options: { maxBytes?: number } = {}): Promise<DefinitionError> {
  try {
    await importDefinition({ format, value, ...options });
  } catch (err) {
    assert.ok(err instanceof DefinitionError, `expected a DefinitionError, got ${String(err)}`);
    return err;
  }
  assert.fail('the import succeeded');
}

function expectCode(err: DefinitionError, code: DefinitionErrorCode): void {
  assert.equal(err.code, code, err.message);
}

const minimal3 = (paths: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths, ...extra });

test('malformed JSON names the line and column', async () => {
  const err = await rejection('openapi+json', '{\n  "openapi": "3.0.0",\n  "info": {\n}');
  expectCode(err, 'DEFINITION_MALFORMED');
  assert.match(err.message, /not valid JSON/);
  assert.equal(err.line, 4);
  assert.ok(err.column !== undefined);
});

test('malformed YAML names the line and column', async () => {
  const err = await rejection('openapi', 'openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n');
  expectCode(err, 'DEFINITION_MALFORMED');
  assert.match(err.message, /not valid YAML/);
  assert.ok(err.line !== undefined && err.line >= 3);
});

test('YAML with duplicate keys is malformed', async () => {
  const err = await rejection('openapi', 'openapi: 3.0.0\nopenapi: 3.0.1\ninfo: {title: t, version: "1"}\npaths: {}\n');
  expectCode(err, 'DEFINITION_MALFORMED');
});

test('a document that is not an object is malformed', async () => {
  expectCode(await rejection('openapi', '- a\n- b\n'), 'DEFINITION_MALFORMED');
  expectCode(await rejection('openapi+json', '"just a string"'), 'DEFINITION_MALFORMED');
  expectCode(await rejection('openapi+json', ''), 'DEFINITION_MALFORMED');
});

test('unsupported versions are refused with the pointer of the version field', async () => {
  let err = await rejection('openapi', 'openapi: 3.2.0\ninfo: {title: t, version: "1"}\npaths: {}\n');
  expectCode(err, 'DEFINITION_UNSUPPORTED_VERSION');
  assert.equal(err.pointer, '/openapi');
  assert.match(err.message, /3\.2\.0/);

  err = await rejection('swagger-json', JSON.stringify({ swagger: '1.2', info: {}, paths: {} }));
  expectCode(err, 'DEFINITION_UNSUPPORTED_VERSION');
  assert.equal(err.pointer, '/swagger');

  err = await rejection('openapi+json', JSON.stringify({ openapi: 3.0, info: {}, paths: {} }));
  expectCode(err, 'DEFINITION_UNSUPPORTED_VERSION');

  err = await rejection('swagger-json', JSON.stringify({ swaggerVersion: '1.2', apis: [] }));
  expectCode(err, 'DEFINITION_UNSUPPORTED_VERSION');

  err = await rejection('openapi+json', JSON.stringify({ info: { title: 't' }, paths: {} }));
  expectCode(err, 'DEFINITION_UNSUPPORTED_VERSION');
  assert.match(err.message, /neither an "openapi" nor a "swagger" field/);
});

test('a dangling $ref is refused with the JSON pointer of the reference', async () => {
  const err = await rejection(
    'openapi+json',
    minimal3({
      '/pets/{id}': {
        get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } } },
      },
    }),
  );
  expectCode(err, 'DEFINITION_DANGLING_REF');
  assert.equal(err.pointer, '/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/$ref');
  assert.match(err.message, /#\/components\/schemas\/Missing/);
  assert.equal(err.details[0].target, err.pointer);
});

test('a $ref-like key inside an example is data, not a reference', async () => {
  const result = await importDefinition({
    format: 'openapi+json',
    value: minimal3({
      '/a': {
        get: {
          responses: {
            '200': { description: 'ok', content: { 'application/json': { example: { $ref: '#/nowhere' } } } },
          },
        },
      },
    }),
  });
  assert.equal(result.operations.length, 1);
});

test('an external $ref in an inline definition is refused: only links resolve them', async () => {
  const err = await rejection(
    'openapi+json',
    minimal3({ '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'Pet.yaml' } } } } } } } }),
  );
  expectCode(err, 'DEFINITION_EXTERNAL_REF');
  assert.match(err.pointer ?? '', /\/schema\/\$ref$/);
});

test('a document over the size limit is refused before parsing', async () => {
  const big = minimal3({ '/a': { get: { description: 'x'.repeat(2000), responses: { '200': { description: 'ok' } } } } });
  const err = await rejection('openapi+json', big, { maxBytes: 1024 });
  expectCode(err, 'DEFINITION_TOO_LARGE');
  assert.match(err.message, /1024 bytes/);
});

test('a document that breaks the OpenAPI schema is invalid, with the pointer of the problem', async () => {
  const err = await rejection('openapi+json', minimal3({ '/a': { get: { responze: {} } } }));
  expectCode(err, 'DEFINITION_INVALID');
  assert.equal(err.pointer, '/paths/~1a/get');
  assert.match(err.message, /responses/);
  assert.ok(err.details.length >= 1);
});

test('Swagger 2.0 schema violations are invalid too', async () => {
  const err = await rejection('swagger-json', JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { '200': {} } } } } }));
  expectCode(err, 'DEFINITION_INVALID');
  assert.match(err.pointer ?? '', /^\/paths\/~1a\/get\/responses\/200/);
});

test('an unknown format is refused', async () => {
  const err = await rejection('wsdl' as DefinitionFormat, '<definitions/>');
  expectCode(err, 'DEFINITION_UNSUPPORTED_FORMAT');
});

test('JSON formats read YAML text, and the YAML format reads JSON text', async () => {
  const yaml = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200": {description: ok}\n';
  assert.equal((await importDefinition({ format: 'openapi+json', value: yaml })).operations.length, 1);
  const json = minimal3({ '/a': { get: { responses: { '200': { description: 'ok' } } } } });
  assert.equal((await importDefinition({ format: 'openapi', value: json })).operations.length, 1);
});

test('a definition given as an object is accepted and not mutated', async () => {
  const doc = { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } } };
  const before = JSON.stringify(doc);
  const result = await importDefinition({ format: 'openapi+json', value: doc });
  assert.equal(result.operations.length, 1);
  assert.equal(JSON.stringify(doc), before);
});

test('error codes are stable UPPER_SNAKE names and errors carry no HTTP status', async () => {
  const { definitionErrorCodes } = await import('../index.ts');
  for (const code of definitionErrorCodes) assert.match(code, /^DEFINITION_[A-Z_]+$/);
  const err = await rejection('openapi', 'openapi: 9\n');
  assert.equal((err as unknown as Record<string, unknown>).status, undefined);
  assert.equal((err as unknown as Record<string, unknown>).statusCode, undefined);
});

test('a YAML alias bomb is refused as too large instead of being expanded', async () => {
  let yaml = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i += 1) yaml += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  yaml += 'openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths: {}\n';
  const err = await rejection('openapi', yaml);
  expectCode(err, 'DEFINITION_TOO_LARGE');
  assert.match(err.message, /YAML aliases/);
});

test('absurdly deep nesting is malformed, in JSON and in YAML', async () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const json = `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{},"x-deep":${deep}}`;
  expectCode(await rejection('openapi+json', json), 'DEFINITION_MALFORMED');
  expectCode(await rejection('openapi', `openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep: ${deep}\n`), 'DEFINITION_MALFORMED');
});

test('components named like keywords are still checked for dangling references', async () => {
  const err = await rejection(
    'openapi+json',
    minimal3(
      { '/a': { get: { responses: { '200': { $ref: '#/components/responses/default' } } } } },
      { components: { responses: { default: { $ref: '#/components/responses/Gone' } } } },
    ),
  );
  expectCode(err, 'DEFINITION_DANGLING_REF');
  assert.equal(err.pointer, '/components/responses/default/$ref');
});
