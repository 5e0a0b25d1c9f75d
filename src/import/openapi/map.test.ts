import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importDefinition, normalizeName, OPENAPI_COMPONENTS_CONTENT_TYPE, SWAGGER_DEFINITIONS_CONTENT_TYPE } from '../index.ts';
import type { ImportResult, OperationResource } from '../index.ts';
import { DefinitionError } from '../errors.ts';

function oas3(paths: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ openapi: '3.0.3', info: { title: 'Pets', version: '2.1' }, paths, ...extra });
}

async function importJson(text: string, options: { translateRequiredQueryParameters?: 'template' | 'query' } = {}): Promise<ImportResult> {
  return importDefinition({ format: 'openapi+json', value: text, ...options });
}

function op(result: ImportResult, name: string): OperationResource {
  const found = result.operations.find((o) => o.name === name);
  assert.ok(found, `operation ${name} among ${result.operations.map((o) => o.name).join(', ')}`);
  return found;
}

const ok = { '200': { description: 'ok' } };

test("operation names follow Azure's normalisation of operationId", () => {
  assert.equal(normalizeName('GET-/foo/{bar}?buzz={quix}'), 'get-foo-bar-buzz-quix');
  assert.equal(normalizeName('listPets'), 'listpets');
  assert.equal(normalizeName('__Weird__Name__'), 'weird-name');
  assert.equal(normalizeName('x'.repeat(100)).length, 76);
});

test('names come from operationId, or from method and URL template, de-duplicated with -1, -2', async () => {
  const long = 'a'.repeat(90);
  const result = await importJson(
    oas3({
      '/pets': { get: { operationId: 'List_Pets', responses: ok }, post: { responses: ok } },
      '/pets/{id}': { get: { operationId: 'list-pets', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } },
      '/other': { get: { operationId: 'LIST PETS', responses: ok }, put: { operationId: long, responses: ok } },
    }),
  );
  assert.deepEqual(
    result.operations.map((o) => o.name),
    ['list-pets', 'post-pets', 'list-pets-1', 'list-pets-2', 'a'.repeat(76)],
  );
});

test('display name: summary, else operationId, else "Method - template"; capped at 300 characters', async () => {
  const result = await importJson(
    oas3({
      '/a': {
        get: { operationId: 'getA', summary: 'Get the A', responses: ok },
        post: { operationId: 'postA', responses: ok },
        put: { responses: ok },
        patch: { summary: 's'.repeat(400), responses: ok },
      },
    }),
  );
  assert.equal(op(result, 'geta').properties.displayName, 'Get the A');
  assert.equal(op(result, 'posta').properties.displayName, 'postA');
  assert.equal(op(result, 'put-a').properties.displayName, 'Put - /a');
  assert.equal(op(result, 'patch-a').properties.displayName.length, 300);
});

test('required query parameters join the URL template by default; translateRequiredQueryParameters=query keeps them as query parameters', async () => {
  const doc = oas3({
    '/search/{kind}': {
      parameters: [{ name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['a', 'b'] } }],
      get: {
        operationId: 'search',
        parameters: [
          { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'page', in: 'query', schema: { type: 'integer', default: 1 } },
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
          { name: 'session', in: 'cookie', schema: { type: 'string' } },
          { name: 'Accept', in: 'header', schema: { type: 'string' } },
        ],
        responses: ok,
      },
    },
  });
  const templated = op(await importJson(doc), 'search').properties;
  assert.equal(templated.urlTemplate, '/search/{kind}?q={q}');
  assert.deepEqual(templated.templateParameters, [
    { name: 'kind', type: 'string', required: true, values: ['a', 'b'] },
    { name: 'q', type: 'string', required: true, values: [] },
  ]);
  assert.deepEqual(templated.request?.queryParameters, [{ name: 'page', type: 'integer', required: false, values: [], defaultValue: '1' }]);
  // Accept, Content-Type and Authorization headers are described by other means in OpenAPI 3.
  assert.deepEqual(templated.request?.headers?.map((h) => h.name), ['X-Trace']);

  const asQuery = await importJson(doc, { translateRequiredQueryParameters: 'query' });
  const props = op(asQuery, 'search').properties;
  assert.equal(props.urlTemplate, '/search/{kind}');
  assert.deepEqual(props.request?.queryParameters?.map((q) => [q.name, q.required]), [['q', true], ['page', false]]);
  assert.ok(asQuery.warnings.some((w) => /cookie parameter "session"/.test(w)));
});

test('operation-level parameters override path-level ones of the same name and location', async () => {
  const result = await importJson(
    oas3({
      '/items/{id}': {
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'path level', schema: { type: 'string' } },
          { $ref: '#/components/parameters/Limit' },
        ],
        get: {
          operationId: 'getItem',
          parameters: [{ name: 'id', in: 'path', required: true, description: 'operation level', schema: { type: 'integer' } }],
          responses: ok,
        },
      },
    }, { components: { parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 10 } } } } }),
  );
  const props = op(result, 'getitem').properties;
  assert.deepEqual(props.templateParameters, [{ name: 'id', type: 'integer', required: true, description: 'operation level', values: [] }]);
  assert.deepEqual(props.request?.queryParameters?.map((q) => q.name), ['limit']);
});

test('representations reference the API schema by schemaId and typeName; inline schemas are lifted into it', async () => {
  const result = await importJson(
    oas3(
      {
        '/pets': {
          post: {
            operationId: 'createPet',
            requestBody: {
              description: 'The pet',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' }, example: { name: 'Rex' } } },
            },
            responses: {
              '201': {
                description: 'created',
                headers: { Location: { description: 'where', schema: { type: 'string' } } },
                content: {
                  'application/json': {
                    schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
                    examples: { one: { summary: 'One pet', value: [{ name: 'Rex' }] }, ref: { $ref: '#/components/examples/Two' } },
                  },
                },
              },
              default: { description: 'error' },
            },
          },
        },
      },
      {
        components: {
          schemas: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
          examples: { Two: { value: [{ name: 'A' }, { name: 'B' }] } },
        },
      },
    ),
  );
  const [schema] = result.schemas;
  assert.equal(schema.properties.contentType, OPENAPI_COMPONENTS_CONTENT_TYPE);
  const types = schema.properties.document?.components?.schemas as Record<string, unknown>;
  assert.deepEqual(Object.keys(types), ['Pet', 'Createpet201Response']);
  assert.deepEqual(types.Createpet201Response, { type: 'array', items: { $ref: '#/components/schemas/Pet' } });

  const props = op(result, 'createpet').properties;
  assert.deepEqual(props.request?.representations, [
    { contentType: 'application/json', schemaId: schema.name, typeName: 'Pet', examples: { default: { value: { name: 'Rex' } } } },
  ]);
  assert.equal(props.request?.description, 'The pet');
  assert.equal(props.responses?.length, 1, 'the default response has no status code');
  const [created] = props.responses ?? [];
  assert.equal(created.statusCode, 201);
  assert.deepEqual(created.headers, [{ name: 'Location', type: 'string', required: false, description: 'where', values: [] }]);
  assert.deepEqual(created.representations?.[0].examples, {
    one: { summary: 'One pet', value: [{ name: 'Rex' }] },
    ref: { value: [{ name: 'A' }, { name: 'B' }] },
  });
  assert.ok(result.warnings.some((w) => /"default" response/.test(w)));
});

test('form bodies carry form parameters; GET, HEAD and OPTIONS bodies are discarded', async () => {
  const result = await importJson(
    oas3({
      '/login': {
        post: {
          operationId: 'login',
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': {
                schema: { type: 'object', required: ['user'], properties: { user: { type: 'string', description: 'who' }, remember: { type: 'boolean' } } },
              },
            },
          },
          responses: ok,
        },
        get: { operationId: 'peek', requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: ok },
      },
    }),
  );
  const form = op(result, 'login').properties.request?.representations?.[0].formParameters;
  assert.deepEqual(form, [
    { name: 'user', type: 'string', required: true, values: [], description: 'who' },
    { name: 'remember', type: 'boolean', required: false, values: [] },
  ]);
  assert.deepEqual(op(result, 'peek').properties.request?.representations, []);
  assert.ok(result.warnings.some((w) => /GET operations take no request body/.test(w)));
});

test('servers: the first HTTPS URL, variables replaced by their defaults', async () => {
  const result = await importJson(
    oas3(
      {},
      {
        servers: [
          { url: 'http://plain.example.com' },
          { url: '{scheme}://{host}/api/{version}', variables: { scheme: { default: 'https', enum: ['https', 'http'] }, host: { default: 'api.example.com' }, version: { default: 'v2' } } },
        ],
      },
    ),
  );
  assert.equal(result.api.serviceUrl, 'https://api.example.com/api/v2');
  assert.equal(result.api.protocols, undefined, "protocols are the gateway's, not the backend's");
  const httpOnly = await importJson(oas3({}, { servers: [{ url: 'http://only.example.com/base/' }] }));
  assert.equal(httpOnly.api.serviceUrl, 'http://only.example.com/base');
  const relative = await importJson(oas3({}, { servers: [{ url: '/v1' }] }));
  assert.equal(relative.api.serviceUrl, undefined);
  assert.ok(relative.warnings.some((w) => /relative/.test(w)));
});

test('API properties: title, description, contact, license and terms of service; info.version is reported', async () => {
  const result = await importJson(
    JSON.stringify({
      openapi: '3.1.0',
      info: {
        title: 'Museum',
        version: '1.2.0',
        description: 'All the art',
        termsOfService: 'https://example.com/terms',
        contact: { name: 'Desk', email: 'desk@example.com' },
        license: { name: 'MIT', identifier: 'MIT' },
      },
      paths: {},
    }),
  );
  assert.equal(result.api.displayName, 'Museum');
  assert.equal(result.api.description, 'All the art');
  assert.equal(result.api.termsOfServiceUrl, 'https://example.com/terms');
  assert.deepEqual(result.api.contact, { name: 'Desk', email: 'desk@example.com' });
  assert.deepEqual(result.api.license, { name: 'MIT' });
  assert.equal(result.infoVersion, '1.2.0');
  assert.equal(result.specVersion, '3.1');
  assert.equal(result.declaredVersion, '3.1.0');
});

test('tags become tag resources linked to their operations', async () => {
  const result = await importJson(
    oas3(
      {
        '/a': { get: { operationId: 'a', tags: ['Pet Store', 'admin'], responses: ok } },
        '/b': { get: { operationId: 'b', tags: ['Pet Store'], responses: ok } },
      },
      { tags: [{ name: 'Pet Store', description: 'Everything about pets' }, { name: 'unused' }] },
    ),
  );
  assert.deepEqual(result.tags, [
    { name: 'pet-store', properties: { displayName: 'Pet Store' }, operations: ['a', 'b'], description: 'Everything about pets' },
    { name: 'unused', properties: { displayName: 'unused' }, operations: [] },
    { name: 'admin', properties: { displayName: 'admin' }, operations: ['a'] },
  ]);
});

test('webhooks and callbacks stay in the definition and do not become operations', async () => {
  const result = await importDefinition({
    format: 'openapi',
    value: [
      'openapi: 3.1.0',
      'info: {title: Hooks, version: "1"}',
      'paths:',
      '  /subscribe:',
      '    post:',
      '      operationId: subscribe',
      '      responses: {"201": {description: ok}}',
      '      callbacks:',
      '        onEvent:',
      '          "{$request.query.url}":',
      '            post:',
      '              responses: {"200": {description: ok}}',
      'webhooks:',
      '  newPet:',
      '    post:',
      '      responses: {"200": {description: ok}}',
      '',
    ].join('\n'),
  });
  assert.deepEqual(result.operations.map((o) => o.name), ['subscribe']);
  assert.deepEqual(result.webhooks, ['newPet']);
  const document = result.document as { webhooks: Record<string, unknown>; paths: Record<string, Record<string, Record<string, unknown>>> };
  assert.ok(document.webhooks.newPet);
  assert.ok(document.paths['/subscribe'].post.callbacks);
  assert.ok(result.warnings.some((w) => /callbacks are kept/.test(w)));
});

test('Swagger 2.0: host, basePath and schemes give the service URL; body and formData parameters give representations', async () => {
  const result = await importDefinition({
    format: 'swagger-json',
    value: JSON.stringify({
      swagger: '2.0',
      info: { title: 'Legacy', version: '1' },
      host: 'legacy.example.com',
      basePath: '/v1/',
      schemes: ['http', 'https'],
      consumes: ['application/json'],
      produces: ['application/json', 'application/xml'],
      paths: {
        '/things': {
          post: {
            operationId: 'addThing',
            parameters: [{ name: 'thing', in: 'body', description: 'The thing', required: true, schema: { $ref: '#/definitions/Thing' } }],
            responses: {
              '200': { description: 'ok', schema: { $ref: '#/definitions/Thing' }, examples: { 'application/json': { id: 1 } }, headers: { 'X-Rate': { type: 'integer' } } },
            },
          },
        },
        '/upload': {
          post: {
            operationId: 'upload',
            consumes: ['multipart/form-data'],
            parameters: [
              { name: 'file', in: 'formData', type: 'file', required: true },
              { name: 'note', in: 'formData', type: 'string' },
            ],
            responses: { '204': { description: 'stored' } },
          },
        },
      },
      definitions: { Thing: { type: 'object', properties: { id: { type: 'integer' } } } },
    }),
  });
  assert.equal(result.api.serviceUrl, 'https://legacy.example.com/v1');
  assert.equal(result.schemas[0].properties.contentType, SWAGGER_DEFINITIONS_CONTENT_TYPE);
  assert.deepEqual(Object.keys(result.schemas[0].properties.document?.definitions ?? {}), ['Thing']);

  const add = op(result, 'addthing').properties;
  const schemaId = result.schemas[0].name;
  assert.deepEqual(add.request?.representations, [{ contentType: 'application/json', schemaId, typeName: 'Thing' }]);
  assert.equal(add.request?.description, 'The thing');
  assert.deepEqual(add.responses?.[0].representations, [
    { contentType: 'application/json', schemaId, typeName: 'Thing', examples: { default: { value: { id: 1 } } } },
    { contentType: 'application/xml', schemaId, typeName: 'Thing' },
  ]);
  assert.deepEqual(add.responses?.[0].headers, [{ name: 'X-Rate', type: 'integer', required: false, values: [] }]);

  const upload = op(result, 'upload').properties;
  assert.deepEqual(upload.request?.representations, [
    {
      contentType: 'multipart/form-data',
      formParameters: [
        { name: 'file', type: 'file', required: true, values: [] },
        { name: 'note', type: 'string', required: false, values: [] },
      ],
    },
  ]);
});

test('x-ms-paths: operations told apart by their query are kept apart', async () => {
  const result = await importJson(
    oas3(
      { '/jobs': { post: { operationId: 'startJob', responses: ok } } },
      {
        'x-ms-paths': {
          '/jobs?action=cancel': { post: { operationId: 'cancelJob', responses: ok } },
          '/jobs?action={action}&force=true': {
            post: { operationId: 'actOnJob', parameters: [{ name: 'action', in: 'query', required: true, schema: { type: 'string' } }], responses: ok },
          },
        },
      },
    ),
  );
  assert.deepEqual(
    result.operations.map((o) => o.properties.urlTemplate),
    ['/jobs', '/jobs?action=cancel', '/jobs?action={action}&force=true'],
  );
  assert.deepEqual(op(result, 'actonjob').properties.templateParameters?.map((p) => p.name), ['action']);
});

test('two operations with the same method and URL template conflict', async () => {
  await assert.rejects(
    importJson(
      oas3(
        { '/jobs': { post: { operationId: 'one', responses: ok } } },
        { 'x-ms-paths': { '/jobs': { post: { operationId: 'two', responses: ok } } } },
      ),
    ),
    (err: unknown) => err instanceof DefinitionError && err.code === 'DEFINITION_CONFLICT' && /POST \/jobs/.test(err.message),
  );
});

test('an undescribed path placeholder becomes a required string; a parameter absent from the path is dropped', async () => {
  const result = await importJson(
    oas3({ '/a/{x}': { get: { operationId: 'a', parameters: [{ name: 'y', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } } }),
  );
  assert.deepEqual(op(result, 'a').properties.templateParameters, [{ name: 'x', type: 'string', required: true, values: [] }]);
  assert.equal(result.warnings.filter((w) => /"x"|"y"/.test(w)).length, 2);
});

test('3.1 type arrays, and references to parameter schemas, give Azure parameter types', async () => {
  const result = await importDefinition({
    format: 'openapi+json',
    value: JSON.stringify({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            operationId: 'a',
            parameters: [
              { name: 'n', in: 'query', schema: { type: ['integer', 'null'] } },
              { name: 'filter', in: 'query', schema: { $ref: '#/components/schemas/Filter' } },
            ],
            responses: ok,
          },
        },
      },
      components: { schemas: { Filter: { type: 'object', properties: { q: { type: 'string' } } } } },
    }),
  });
  const [n, filter] = op(result, 'a').properties.request?.queryParameters ?? [];
  assert.equal(n.type, 'integer');
  assert.equal(filter.type, 'object');
  assert.equal(filter.typeName, 'Filter');
  assert.equal(filter.schemaId, result.schemas[0].name);
});
