import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load as loadYaml } from 'js-yaml';
import { exportDefinition, exportDefinitionDocument, importDefinition, OPENAPI_COMPONENTS_CONTENT_TYPE, SWAGGER_DEFINITIONS_CONTENT_TYPE } from '../index.ts';
import type { ExportInput, OperationResource } from '../index.ts';
import { convertSchema } from './schema-convert.ts';

type Obj = Record<string, any>;

const operations: OperationResource[] = [
  {
    name: 'get-order',
    properties: {
      displayName: 'Get an order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}?expand={expand}',
      description: 'One order.',
      templateParameters: [
        { name: 'orderId', type: 'integer', required: true, values: [] },
        { name: 'expand', type: 'string', required: true, values: ['lines', 'customer'], defaultValue: 'lines' },
      ],
      request: {
        queryParameters: [{ name: 'verbose', type: 'boolean', required: false, defaultValue: 'false', values: [] }],
        headers: [{ name: 'X-Tenant', type: 'string', required: true, values: [], examples: { default: { value: 'acme' } } }],
        representations: [],
      },
      responses: [
        {
          statusCode: 200,
          description: 'The order',
          representations: [{ contentType: 'application/json', schemaId: 's1', typeName: 'Order', examples: { sample: { summary: 'An order', value: { id: 1 } } } }],
          headers: [{ name: 'ETag', type: 'string', values: [] }],
        },
        { statusCode: 404, description: 'No such order' },
      ],
    },
  },
  {
    name: 'create-order',
    properties: {
      displayName: 'Create an order',
      method: 'POST',
      urlTemplate: '/orders',
      request: { description: 'The new order', representations: [{ contentType: 'application/json', schemaId: 's1', typeName: 'Order' }] },
      responses: [{ statusCode: 201, representations: [{ contentType: 'application/json', schemaId: 's1', typeName: 'Order' }] }],
    },
  },
  {
    name: 'upload',
    properties: {
      displayName: 'Upload',
      method: 'PUT',
      urlTemplate: '/files',
      request: {
        representations: [
          { contentType: 'multipart/form-data', formParameters: [{ name: 'content', type: 'file', required: true }, { name: 'label', type: 'string' }] },
        ],
      },
    },
  },
];

const input: ExportInput = {
  api: { displayName: 'Orders', description: 'Order management', path: 'shop/orders', apiVersion: 'v2', serviceUrl: 'https://backend.internal' },
  operations,
  schemas: [
    {
      name: 's1',
      properties: {
        contentType: OPENAPI_COMPONENTS_CONTENT_TYPE,
        document: {
          components: {
            schemas: {
              Order: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, note: { type: ['string', 'null'] }, lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } } } },
              Line: { type: 'object', properties: { sku: { const: 'X' } } },
            },
          },
        },
      },
    },
  ],
  tags: [{ name: 'orders', properties: { displayName: 'Orders' }, description: 'Order things', operations: ['get-order', 'create-order'] }],
};

test('OpenAPI 3.0 export: the gateway URL and API path in servers, operationId = name, summary = display name', () => {
  const doc = JSON.parse(exportDefinition(input, { format: 'openapi+json', gatewayUrl: 'https://gw.example.com/' })) as Obj;
  assert.equal(doc.openapi, '3.0.1');
  assert.deepEqual(doc.info, { title: 'Orders', description: 'Order management', version: 'v2' });
  assert.deepEqual(doc.servers, [{ url: 'https://gw.example.com/shop/orders' }]);
  const get = doc.paths['/orders/{orderId}'].get;
  assert.equal(get.operationId, 'get-order');
  assert.equal(get.summary, 'Get an order');
  assert.equal(get.description, 'One order.');
  assert.deepEqual(get.tags, ['Orders']);
  assert.deepEqual(get.parameters, [
    { name: 'orderId', in: 'path', required: true, schema: { type: 'integer' } },
    { name: 'expand', in: 'query', required: true, schema: { type: 'string', enum: ['lines', 'customer'], default: 'lines' } },
    { name: 'verbose', in: 'query', required: false, schema: { type: 'boolean', default: false } },
    { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' }, example: 'acme' },
  ]);
  assert.deepEqual(get.responses['200'], {
    description: 'The order',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' }, examples: { sample: { summary: 'An order', value: { id: 1 } } } } },
    headers: { ETag: { schema: { type: 'string' } } },
  });
  assert.deepEqual(get.responses['404'], { description: 'No such order' });
  assert.deepEqual(doc.paths['/orders'].post.requestBody, {
    description: 'The new order',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
  });
  assert.deepEqual(doc.paths['/files'].put.requestBody.content['multipart/form-data'].schema, {
    type: 'object',
    properties: { content: { type: 'string', format: 'binary' }, label: { type: 'string' } },
    required: ['content'],
  });
  // No responses in the contract: a `default` placeholder keeps the document valid.
  assert.deepEqual(doc.paths['/files'].put.responses, { default: { description: '' } });
  // 3.1 schema keywords become their 3.0 equivalents.
  assert.deepEqual(doc.components.schemas.Order.properties.note, { type: 'string', nullable: true });
  assert.deepEqual(doc.components.schemas.Line.properties.sku, { enum: ['X'] });
  assert.deepEqual(doc.tags, [{ name: 'Orders', description: 'Order things' }]);
  // The subscription key, as Azure exports it.
  assert.deepEqual(doc.components.securitySchemes.apiKeyHeader, { type: 'apiKey', name: 'Ocp-Apim-Subscription-Key', in: 'header' });
  assert.deepEqual(doc.security, [{ apiKeyHeader: [] }, { apiKeyQuery: [] }]);
});

test('YAML export is the same document', () => {
  const yaml = exportDefinition(input, { format: 'openapi', gatewayUrl: 'https://gw.example.com' });
  assert.match(yaml, /^openapi: 3\.0\.1/m);
  assert.deepEqual(loadYaml(yaml), exportDefinitionDocument(input, { format: 'openapi', gatewayUrl: 'https://gw.example.com' }));
});

test('Swagger 2.0 export: host, basePath and scheme from the gateway; body and formData parameters; definitions', () => {
  const doc = JSON.parse(exportDefinition(input, { format: 'swagger-json', gatewayUrl: 'http://127.0.0.1:8000' })) as Obj;
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.host, '127.0.0.1:8000');
  assert.equal(doc.basePath, '/shop/orders');
  assert.deepEqual(doc.schemes, ['http']);
  const post = doc.paths['/orders'].post;
  assert.deepEqual(post.parameters, [{ name: 'body', in: 'body', description: 'The new order', schema: { $ref: '#/definitions/Order' } }]);
  assert.deepEqual(post.consumes, ['application/json']);
  assert.deepEqual(post.produces, ['application/json']);
  const get = doc.paths['/orders/{orderId}'].get;
  assert.deepEqual(get.parameters[1], { name: 'expand', in: 'query', required: true, type: 'string', enum: ['lines', 'customer'], default: 'lines' });
  assert.deepEqual(get.responses['200'].schema, { $ref: '#/definitions/Order' });
  assert.deepEqual(get.responses['200'].examples, { 'application/json': { id: 1 } });
  assert.deepEqual(doc.paths['/files'].put.parameters, [
    { name: 'content', in: 'formData', required: true, type: 'file' },
    { name: 'label', in: 'formData', required: false, type: 'string' },
  ]);
  assert.deepEqual(doc.definitions.Order.properties.lines.items, { $ref: '#/definitions/Line' });
  assert.deepEqual(doc.definitions.Order.properties.note, { type: 'string', 'x-nullable': true });
  assert.equal(doc.securityDefinitions.apiKeyQuery.name, 'subscription-key');
});

test('every export re-imports as a valid definition with the same operations', async () => {
  for (const format of ['openapi+json', 'openapi', 'swagger-json'] as const) {
    const again = await importDefinition({ format, value: exportDefinition(input, { format, gatewayUrl: 'https://gw.example.com' }) });
    assert.deepEqual(again.operations.map((o) => [o.name, o.properties.method, o.properties.urlTemplate, o.properties.displayName]), [
      ['get-order', 'GET', '/orders/{orderId}?expand={expand}', 'Get an order'],
      ['create-order', 'POST', '/orders', 'Create an order'],
      ['upload', 'PUT', '/files', 'Upload'],
    ], format);
    assert.deepEqual(again.operations[0].properties.templateParameters?.map((p) => [p.name, p.type, p.values]), [
      ['orderId', 'integer', []],
      ['expand', 'string', ['lines', 'customer']],
    ]);
    assert.equal(again.api.serviceUrl, 'https://gw.example.com/shop/orders');
    assert.deepEqual(again.tags.map((t) => [t.properties.displayName, t.operations]), [['Orders', ['get-order', 'create-order']]]);
  }
});

test('operations on the same path and method, told apart by the query, go to x-ms-paths', () => {
  const doc = exportDefinitionDocument(
    {
      api: { displayName: 'Jobs', subscriptionRequired: false },
      operations: [
        { name: 'start', properties: { displayName: 'Start', method: 'POST', urlTemplate: '/jobs' } },
        { name: 'cancel', properties: { displayName: 'Cancel', method: 'POST', urlTemplate: '/jobs?action=cancel' } },
      ],
    },
    { format: 'openapi+json', gatewayUrl: 'https://gw.example.com' },
  ) as Obj;
  assert.ok(doc.paths['/jobs'].post);
  assert.equal(doc['x-ms-paths']['/jobs?action=cancel'].post.operationId, 'cancel');
  assert.equal(doc.security, undefined, 'no subscription key when none is required');
});

test('Swagger definitions export as OpenAPI components with their references re-pointed', () => {
  const doc = exportDefinitionDocument(
    {
      api: { displayName: 'Legacy' },
      operations: [{ name: 'a', properties: { displayName: 'A', method: 'GET', urlTemplate: '/a', responses: [{ statusCode: 200, representations: [{ contentType: 'application/json', schemaId: 'd', typeName: 'Thing' }] }] } }],
      schemas: [{ name: 'd', properties: { contentType: SWAGGER_DEFINITIONS_CONTENT_TYPE, document: { definitions: { Thing: { type: 'object', properties: { child: { $ref: '#/definitions/Child' } } }, Child: { type: 'string' } } } } }],
    },
    { format: 'openapi+json', gatewayUrl: 'https://gw.example.com' },
  ) as Obj;
  assert.deepEqual(doc.components.schemas.Thing.properties.child, { $ref: '#/components/schemas/Child' });
  assert.deepEqual(doc.paths['/a'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/Thing' });
});

test('schema conversion keeps what the target dialect cannot say under x- names', () => {
  const source = {
    type: 'object',
    $id: 'urn:x',
    properties: {
      choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      range: { type: 'number', exclusiveMinimum: 0, examples: [1, 2] },
      tuple: { type: 'array', prefixItems: [{ type: 'string' }] },
    },
    required: [],
    discriminator: { propertyName: 'kind' },
  };
  assert.deepEqual(convertSchema(source, '3.0'), {
    type: 'object',
    'x-$id': 'urn:x',
    properties: {
      choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      range: { type: 'number', minimum: 0, exclusiveMinimum: true, example: 1 },
      tuple: { type: 'array', 'x-prefixItems': [{ type: 'string' }] },
    },
    discriminator: { propertyName: 'kind' },
  });
  assert.deepEqual(convertSchema(source, '2.0'), {
    type: 'object',
    'x-$id': 'urn:x',
    properties: {
      choice: { 'x-oneOf': [{ type: 'string' }, { type: 'integer' }] },
      range: { type: 'number', minimum: 0, exclusiveMinimum: true, example: 1 },
      tuple: { type: 'array', 'x-prefixItems': [{ type: 'string' }] },
    },
    discriminator: 'kind',
  });
});
