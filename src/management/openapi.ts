import type { Registry } from '../model/registry.ts';
import type { RouteSpec } from './routes.ts';

/**
 * The management API's own OpenAPI 3.1 document, generated from the same registry and schemas
 * that validate requests, so it cannot drift from what the server accepts.
 */
export function buildOpenApiDocument(registry: Registry, routes: readonly RouteSpec[], version = 'dev'): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    ErrorResponse: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            details: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, target: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
  for (const def of registry.types) {
    schemas[`${def.kind}Properties`] = JSON.parse(JSON.stringify(def.schema));
    schemas[def.kind] = {
      type: 'object',
      description: def.title,
      properties: {
        id: { type: 'string', readOnly: true },
        type: { type: 'string', readOnly: true },
        name: { type: 'string', readOnly: true },
        properties: { $ref: `#/components/schemas/${def.kind}Properties` },
      },
    };
    schemas[`${def.kind}Collection`] = {
      type: 'object',
      properties: {
        value: { type: 'array', items: { $ref: `#/components/schemas/${def.kind}` } },
        count: { type: 'integer' },
        nextLink: { type: 'string' },
      },
    };
  }
  const errorResponse = (description: string): unknown => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } });
  const errors = {
    '400': errorResponse('Invalid request'),
    '401': errorResponse('Missing or invalid bearer token'),
    '403': errorResponse('Not allowed'),
    '404': errorResponse('Not found'),
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const url = (route.scope === 'workspace' ? '/workspaces/:workspaceId' : '') + route.url;
    const openApiPath = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const ref = { $ref: `#/components/schemas/${route.def.kind}` };
    const body = { required: false, content: { 'application/json': { schema: ref } } };
    const ok = (description: string, schema?: unknown): unknown => (schema ? { description, content: { 'application/json': { schema } } } : { description });
    const where = route.scope === 'workspace' ? ' in a workspace' : '';
    let operation: Record<string, unknown>;
    switch (route.operation) {
      case 'list':
        operation = {
          summary: `List ${route.def.title} resources${where}`,
          parameters: [
            ...params,
            { name: '$filter', in: 'query', schema: { type: 'string' }, description: "eq, ne, gt, ge, lt, le, startswith, endswith, contains on name and properties; and, or, not" },
            { name: '$top', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            { name: '$skip', in: 'query', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: { '200': ok('The page', { $ref: `#/components/schemas/${route.def.kind}Collection` }), ...errors },
        };
        break;
      case 'get':
      case 'aliasGet':
        operation = { summary: `Get a ${route.def.title}${where}`, parameters: params, responses: { '200': ok('The resource', ref), ...errors } };
        break;
      case 'head':
      case 'aliasHead':
        operation = { summary: `Check a ${route.def.title} exists${where}`, parameters: params, responses: { '200': ok('Exists; ETag header'), ...errors } };
        break;
      case 'put':
        operation = {
          summary: `Create or replace a ${route.def.title}${where}`,
          parameters: [...params, { name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          requestBody: body,
          responses: { '200': ok('Replaced', ref), '201': ok('Created', ref), '409': errorResponse('Name taken'), '412': errorResponse('ETag mismatch'), ...errors },
        };
        break;
      case 'aliasPut':
        operation = { summary: `Link a ${registry.get(route.alias!.targetKind).title} to this ${route.def.title}${where}`, parameters: params, responses: { '200': ok('Linked'), '201': ok('Linked'), ...errors } };
        break;
      case 'patch':
        operation = {
          summary: `Update a ${route.def.title}${where}`,
          parameters: [...params, { name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          requestBody: body,
          responses: { '200': ok('Updated', ref), '412': errorResponse('ETag mismatch'), ...errors },
        };
        break;
      case 'delete':
      case 'aliasDelete':
        operation = { summary: `Delete a ${route.def.title}${where}`, parameters: [...params, { name: 'If-Match', in: 'header', schema: { type: 'string' } }], responses: { '200': ok('Deleted'), '204': ok('Did not exist'), ...errors } };
        break;
      case 'aliasList':
        operation = { summary: `List the ${registry.get(route.alias!.targetKind).title} resources linked to a ${route.def.title}${where}`, parameters: params, responses: { '200': ok('The page'), ...errors } };
        break;
      case 'action':
        operation = { summary: `${route.action} on a ${route.def.title}${where}`, parameters: params, responses: { '200': ok('Result'), '204': ok('Done'), ...errors } };
        break;
    }
    operation.tags = [registry.lineage(route.def.kind)[0].title];
    (paths[openApiPath] ??= {})[route.method.toLowerCase()] = operation;
  }
  const recordParams = [
    { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
    { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
    { name: '$top', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
    { name: '$skip', in: 'query', schema: { type: 'integer', minimum: 0 } },
  ];
  const logParams = [...recordParams, { name: 'apiId', in: 'query', schema: { type: 'string' } }, { name: 'status', in: 'query', schema: { type: 'integer' } }];
  const workspaceParam = { name: 'workspaceId', in: 'path', required: true, schema: { type: 'string' } };
  const recordResponses = { '200': { description: 'The page: { value, count, nextLink }' }, ...errors };
  paths['/logs'] = { get: { summary: 'Gateway request logs of every workspace (service readers)', tags: ['Logs'], parameters: logParams, responses: recordResponses } };
  paths['/workspaces/{workspaceId}/logs'] = { get: { summary: "A workspace's gateway request logs", tags: ['Logs'], parameters: [workspaceParam, ...logParams], responses: recordResponses } };
  paths['/auditLog'] = { get: { summary: 'The audit log of every management write and denied call', tags: ['Audit'], parameters: recordParams, responses: recordResponses } };
  paths['/workspaces/{workspaceId}/auditLog'] = { get: { summary: "A workspace's audit log", tags: ['Audit'], parameters: [workspaceParam, ...recordParams], responses: recordResponses } };
  for (const prefix of ['', '/workspaces/{workspaceId}']) {
    paths[`${prefix}/apis/{apiId}/operations/{operationId}/effectivePolicy`] = {
      get: {
        summary: "The operation's effective policy: every scope merged, fragments expanded",
        tags: ['API'],
        parameters: [
          ...(prefix ? [workspaceParam] : []),
          { name: 'apiId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'operationId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'productId', in: 'query', schema: { type: 'string' }, description: 'Include this product\'s policy' },
        ],
        responses: { '200': { description: '{ value, format: "rawxml" }' }, ...errors },
      },
    };
  }
  paths['/settings/policies/offenders'] = {
    get: { summary: 'Workspace policies that leave out <base/> (the governance audit)', tags: ['Service setting'], responses: { '200': { description: '{ value: [{ id, workspace, problems }], count, requireBase }' }, ...errors } },
  };
  paths['/auth/login'] = {
    post: {
      summary: 'Operator sign-in: a session token',
      tags: ['Access'],
      security: [],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['email', 'password'], properties: { email: { type: 'string' }, password: { type: 'string' } } } } } },
      responses: {
        '200': { description: '{ token, expiresAt }', content: { 'application/json': { schema: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } } } } },
        '401': errorResponse('Invalid email or password'),
        '429': errorResponse('Too many failed attempts; see Retry-After'),
      },
    },
  };
  paths['/auth/logout'] = { post: { summary: 'Ends the calling session', tags: ['Access'], responses: { '204': { description: 'Signed out' }, ...errors } } };
  paths['/health'] = { get: { summary: 'Readiness', security: [], responses: { '200': { description: 'Ready' } } } };
  paths['/openapi.json'] = { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1 document' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Atrium management API', version, description: 'Azure API Management-compatible management API of Atrium. Every call needs Authorization: Bearer <key>. An api-version query parameter is accepted and ignored.' },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
