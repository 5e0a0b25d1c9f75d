import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Authenticator, Principal } from '../access/authenticator.ts';
import { decide, type AccessRequest } from '../access/authorize.ts';
import { familyOfKind, type Action, type Family } from '../access/roles.ts';
import { AtriumError } from '../model/errors.ts';
import { createApiDefinitions, type ApiDefinitions } from './api-definitions.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import type { Engine, ListView, ResourceView, WriteOptions } from './engine.ts';
import { toHttpError } from './error-map.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { registerEffectivePolicyRoute, registerGovernanceRoute } from './effective-policy.ts';
import { registerRecordRoutes } from './records.ts';
import { buildRoutes, pathFromParams, type RouteSpec } from './routes.ts';

export interface ManagementServerOptions {
  readonly engine: Engine;
  /** API import and export (`PUT …/apis/{id}` with format/value, `GET …?export=true`). */
  readonly definitions?: ApiDefinitions;
  readonly authenticator: Authenticator;
  /** Largest accepted request body (default 8 MiB: imported definitions travel inline). */
  readonly bodyLimit?: number;
  readonly version?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the management API, for tests that must cover them all. */
    registeredRoutes: readonly { readonly method: string; readonly url: string; readonly public: boolean }[];
  }
  interface FastifyRequest {
    principal?: Principal;
    /** Set once the call has its audit entry (denied calls, engine writes). */
    audited?: boolean;
  }
  interface FastifyContextConfig {
    /** Routes that answer without authentication (health, the OpenAPI document, login). */
    public?: boolean;
    /** Resource routes: the access rule is derived from the route. */
    route?: RouteSpec;
    /** Other routes: any authenticated principal ('self'), or a family and action. */
    access?: 'self' | { readonly family: Family; readonly action: Action };
  }
}

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * The management REST API: Azure API Management's paths, derived from the resource registry.
 * Authentication is an onRequest hook on every route; workspace routes live in their own
 * encapsulated scope under `/workspaces/:workspaceId`.
 */
export async function createManagementServer(options: ManagementServerOptions): Promise<FastifyInstance> {
  const { engine, authenticator } = options;
  const definitions = options.definitions ?? createApiDefinitions({ engine, gatewayUrl: async () => 'http://127.0.0.1:8000' });
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    logger: false,
    bodyLimit,
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-ms-client-request-id',
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1024 },
  });

  const registered: { method: string; url: string; public: boolean }[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url, public: route.config?.public === true });
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json', 'text/json'], { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text, rejectPrototypeKeys));
    } catch (error) {
      done(error instanceof AtriumError ? error : new AtriumError('MALFORMED_JSON', `The request body is not valid JSON: ${(error as Error).message}.`, [
        { code: 'InvalidJson', target: 'body', message: (error as Error).message },
      ]));
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(new AtriumError('UNSUPPORTED_MEDIA_TYPE', `Content-Type '${request.headers['content-type']}' is not supported; send application/json.`), undefined);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-ms-request-id', request.id);
    if (request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match) throw new AtriumError('UNAUTHENTICATED', 'Authentication is required: send Authorization: Bearer <key>.');
    const principal = await authenticator.authenticate(match[1].trim());
    if (!principal) throw new AtriumError('UNAUTHENTICATED', 'The bearer token is not valid.');
    request.principal = principal;
    if (request.is404) return;
    const access = accessRequestOf(request);
    if (access === 'self') return;
    const decision = access ? decide(principal.workspace, principal.grants, access) : 'deny';
    if (decision === 'allow') return;
    await auditCall(request, 'denied', decision === 'hide' ? 404 : 403);
    if (decision === 'hide') throw new AtriumError('RESOURCE_NOT_FOUND', `Workspace '${access!.workspace}' was not found.`);
    throw new AtriumError('FORBIDDEN', access ? `${principal.displayName} may not ${access.action} ${access.family} ${access.workspace ? `in workspace '${access.workspace}'` : access.gateway ? `of gateway '${access.gateway}'` : 'at service level'}.` : 'This route is not open to this caller.');
  });

  /** Appends one audit entry outside any write transaction (denied and failed calls, revealed secrets). */
  const auditCall = async (request: FastifyRequest, outcome: 'success' | 'denied' | 'failed', status: number): Promise<void> => {
    request.audited = true;
    const workspace = (request.params as Record<string, string> | undefined)?.workspaceId;
    await engine.store
      .appendAudit({
        time: new Date().toISOString(),
        requestId: request.id,
        principal: request.principal?.id ?? 'anonymous',
        action: request.method,
        resourceId: request.url.split('?')[0].slice(0, 1024),
        workspace: request.routeOptions.config?.route?.scope === 'workspace' || request.routeOptions.config?.access ? (workspace ?? '').toLowerCase() : '',
        outcome,
        status,
      })
      .catch((error: Error) => request.log.error(error));
  };

  // Before the answer leaves, so that a client reading the audit log next finds the entry.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.audited || request.is404 || !request.routeOptions.config) return payload;
    const status = reply.statusCode;
    const route = request.routeOptions.config.route;
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    // Successful writes were audited by the engine inside their own transaction.
    if (status === 401) await auditCall(request, 'denied', status);
    else if (write && status >= 400) await auditCall(request, 'failed', status);
    else if (route?.operation === 'action' && route.def.actions?.[route.action!]?.kind === 'reveal') await auditCall(request, 'success', status);
    return payload;
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const atrium = asAtriumError(error);
    const { status, body } = toHttpError(atrium);
    if (status >= 500) request.log.error(error);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toHttpError(new AtriumError('ROUTE_NOT_FOUND', `No management resource at ${request.method} ${request.url.split('?')[0]}.`));
    reply.status(status).send(body);
  });

  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok', version: options.version ?? 'dev' }));

  const routes = buildRoutes(engine.registry);
  let openApi: unknown;
  app.get('/openapi.json', { config: { public: true } }, async () => (openApi ??= buildOpenApiDocument(engine.registry, routes, options.version)));

  const register = (scope: FastifyInstance, route: RouteSpec): void => {
    scope.route({
      method: route.method,
      url: route.url,
      config: { route },
      handler: (request, reply) => handle(engine, definitions, route, request, reply),
    });
  };

  registerAuthRoutes(app, engine);
  for (const route of routes.filter((r) => r.scope === 'service')) register(app, route);
  registerRecordRoutes(app, engine.store, 'service');
  registerEffectivePolicyRoute(app, engine.store, 'service');
  registerGovernanceRoute(app, engine.store);
  await app.register(
    async (workspaceScope) => {
      for (const route of routes.filter((r) => r.scope === 'workspace')) register(workspaceScope, route);
      registerRecordRoutes(workspaceScope, engine.store, 'workspace');
      registerEffectivePolicyRoute(workspaceScope, engine.store, 'workspace');
    },
    { prefix: '/workspaces/:workspaceId' },
  );
  return app;
}

async function handle(engine: Engine, definitions: ApiDefinitions, route: RouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const params = request.params as Record<string, string>;
  const query = request.query as Record<string, string | string[] | undefined>;
  const conditions: WriteOptions = {
    ifMatch: header(request, 'if-match'),
    ifNoneMatch: header(request, 'if-none-match'),
    audit: { principal: request.principal!.id, requestId: request.id },
  };
  const sendView = (view: ResourceView, status = 200): unknown => {
    reply.header('etag', view.etag);
    return reply.status(status).send(view.representation);
  };
  const isApi = route.def.kind === 'apis';
  switch (route.operation) {
    case 'get':
      if (isApi && String(query.export).toLowerCase() === 'true') {
        const format = typeof query.format === 'string' ? query.format : 'openapi+json';
        const exported = await definitions.exportFrom(pathFromParams(engine.registry, route, params), format);
        return reply.status(200).type(exported.contentType).send(exported.text);
      }
      return sendView(await engine.get(pathFromParams(engine.registry, route, params)));
    case 'head': {
      const view = await engine.get(pathFromParams(engine.registry, route, params));
      reply.header('etag', view.etag);
      return reply.status(200).send();
    }
    case 'put': {
      const path = pathFromParams(engine.registry, route, params);
      const { view, created } = isApi && definitions.isImport(request.body) ? await definitions.importInto(path, request.body, conditions) : await engine.put(path, request.body, conditions);
      return sendView(view, created ? 201 : 200);
    }
    case 'patch':
      return sendView(await engine.patch(pathFromParams(engine.registry, route, params), request.body, conditions));
    case 'delete': {
      // Azure's switches for taking dependents along: a product's subscriptions, an API's revisions.
      const alsoDelete = [
        ...(String(query.deleteSubscriptions).toLowerCase() === 'true' ? ['subscriptions'] : []),
        ...(String(query.deleteRevisions).toLowerCase() === 'true' ? ['apis'] : []),
      ];
      const deleted = await engine.delete(pathFromParams(engine.registry, route, params), { ...conditions, alsoDelete });
      return reply.status(deleted ? 200 : 204).send();
    }
    case 'list': {
      const parent = pathFromParams(engine.registry, route, params, route.params.length - 1);
      const principal = request.principal!;
      // Every caller may list workspaces, and sees those it has standing in.
      const visible =
        route.def.kind === 'workspaces'
          ? (record: { name: string }) => decide(principal.workspace, principal.grants, { family: 'workspaces', action: 'read', workspace: record.name.toLowerCase() }) === 'allow'
          : undefined;
      return sendList(request, reply, await engine.list(parent, route.def.kind, { ...listOptions(query), visible }));
    }
    case 'action': {
      const result = await engine.action(pathFromParams(engine.registry, route, params), route.action!, request.body, conditions);
      return result === undefined ? reply.status(204).send() : reply.status(200).send(result);
    }
    case 'aliasList':
      return sendList(request, reply, await engine.aliasList(pathFromParams(engine.registry, route, params), route.alias!, listOptions(query)));
    case 'aliasGet':
      return sendView(await engine.aliasGet(pathFromParams(engine.registry, route, params), route.alias!, params.targetId));
    case 'aliasHead': {
      const view = await engine.aliasGet(pathFromParams(engine.registry, route, params), route.alias!, params.targetId);
      reply.header('etag', view.etag);
      return reply.status(200).send();
    }
    case 'aliasPut': {
      const { view, created } = await engine.aliasPut(pathFromParams(engine.registry, route, params), route.alias!, params.targetId, conditions);
      return sendView(view, created ? 201 : 200);
    }
    case 'aliasDelete': {
      const deleted = await engine.aliasDelete(pathFromParams(engine.registry, route, params), route.alias!, params.targetId, conditions);
      return reply.status(deleted ? 200 : 204).send();
    }
  }
}

const READ_OPERATIONS = new Set(['get', 'head', 'list', 'aliasGet', 'aliasHead', 'aliasList']);

/** What a call touches and does, for the authorization decision; undefined denies. */
function accessRequestOf(request: FastifyRequest): AccessRequest | 'self' | undefined {
  const config = request.routeOptions.config;
  const params = (request.params ?? {}) as Record<string, string>;
  const workspace = params.workspaceId?.toLowerCase();
  if (config?.access === 'self') return 'self';
  if (config?.access) return { ...config.access, workspace };
  const route = config?.route;
  if (!route) return undefined;
  const family = familyOfKind[route.def.kind];
  if (!family) return undefined;
  let action: Action;
  if (READ_OPERATIONS.has(route.operation)) action = 'read';
  else if (route.operation === 'delete' || route.operation === 'aliasDelete') action = 'delete';
  else if (route.operation === 'action') action = route.def.actions?.[route.action!]?.kind === 'reveal' ? 'reveal' : 'write';
  else action = 'write';
  if (route.def.kind === 'workspaces') {
    // Creating and deleting workspaces is a service-level act; reading one is the workspace's.
    if (route.operation === 'list') return 'self';
    return action === 'read' || route.operation === 'patch' ? { family, action, workspace } : { family, action };
  }
  if (route.scope === 'workspace') return { family, action, workspace };
  // Gateway-scoped roles apply to a gateway's own routes.
  return { family, action, gateway: route.params[0] === 'gatewayId' ? params.gatewayId?.toLowerCase() : undefined };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function listOptions(query: Record<string, string | string[] | undefined>): { top?: number; skip?: number; filter?: string } {
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw new AtriumError('INVALID_PARAMETER', `${name} may be given once.`, [{ code: 'InvalidParameter', target: name, message: 'given more than once' }]);
    return value;
  };
  const integer = (name: string): number | undefined => {
    const raw = single(name);
    if (raw === undefined || raw === '') return undefined;
    if (!/^\d{1,9}$/.test(raw)) throw new AtriumError('INVALID_PARAMETER', `${name} must be a non-negative integer, not '${raw.slice(0, 40)}'.`, [{ code: 'InvalidParameter', target: name, message: 'expected an integer' }]);
    return Number(raw);
  };
  return { top: integer('$top'), skip: integer('$skip'), filter: single('$filter') };
}

function sendList(request: FastifyRequest, reply: FastifyReply, view: ListView): unknown {
  const body: { value: readonly unknown[]; count: number; nextLink?: string } = { value: view.value, count: view.count };
  if (view.skip + view.value.length < view.count) {
    const url = new URL(request.url, `${request.protocol}://${request.headers.host ?? 'localhost'}`);
    url.searchParams.set('$skip', String(view.skip + view.value.length));
    url.searchParams.set('$top', String(view.top));
    body.nextLink = url.toString();
  }
  return reply.status(200).send(body);
}

function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in (value as object)) {
    throw new AtriumError('MALFORMED_JSON', `The request body contains the forbidden key '${key}'.`, [{ code: 'ForbiddenKey', target: key, message: 'prototype keys are not accepted' }]);
  }
  return value;
}

function asAtriumError(error: Error & { code?: string; statusCode?: number; validation?: unknown }): AtriumError {
  if (error instanceof AtriumError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AtriumError('BODY_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AtriumError('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not supported; send application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AtriumError('MALFORMED_JSON', error.message);
    case 'STORE_UNAVAILABLE':
      return new AtriumError('STORE_UNAVAILABLE', 'The store is unavailable; try again shortly.');
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AtriumError(error.statusCode === 404 ? 'ROUTE_NOT_FOUND' : 'INVALID_PARAMETER', error.message);
  }
  return new AtriumError('INTERNAL_ERROR', error.message);
}
