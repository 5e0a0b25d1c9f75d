import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AtriumError } from '../model/errors.ts';
import { keyOf } from '../model/registry.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './engine.ts';

/**
 * Read-only record collections: gateway request logs (`/logs`) and the audit log (`/auditLog`),
 * federated at service level and per workspace. A workspace's routes read only its own records.
 */
export function registerRecordRoutes(app: FastifyInstance, store: Store, scope: 'service' | 'workspace'): void {
  const workspaceOf = async (request: FastifyRequest): Promise<string | undefined> => {
    if (scope === 'service') return undefined;
    const workspace = (request.params as { workspaceId: string }).workspaceId;
    if (!(await store.get(keyOf(`/workspaces/${workspace}`)))) throw new AtriumError('RESOURCE_NOT_FOUND', `Workspace '${workspace}' was not found.`);
    return workspace.toLowerCase();
  };

  app.get('/logs', { config: { access: { family: 'logs', action: 'read' } } }, async (request, reply) => {
    const workspace = await workspaceOf(request);
    const query = request.query as Record<string, unknown>;
    const page = pageOf(query);
    const status = query.status === undefined ? undefined : integer(query.status, 'status', 100, 599);
    const result = await store.queryRequestLogs({
      workspace,
      from: time(query.from, 'from'),
      to: time(query.to, 'to'),
      apiId: text(query.apiId, 'apiId'),
      status,
      ...page,
    });
    return sendPage(request, reply, result.items, result.count, page);
  });

  app.get('/auditLog', { config: { access: { family: 'audit', action: 'read' } } }, async (request, reply) => {
    const workspace = await workspaceOf(request);
    const query = request.query as Record<string, unknown>;
    const page = pageOf(query);
    const result = await store.queryAudit({ workspace, from: time(query.from, 'from'), to: time(query.to, 'to'), ...page });
    return sendPage(request, reply, result.items, result.count, page);
  });
}

function invalid(name: string, message: string): AtriumError {
  return new AtriumError('INVALID_PARAMETER', `${name} ${message}.`, [{ code: 'InvalidParameter', target: name, message }]);
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, 'may be given once');
  return value;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  const raw = text(value, name);
  if (raw === undefined || !/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw invalid(name, `must be an integer from ${min} to ${max}`);
  return Number(raw);
}

function time(value: unknown, name: string): string | undefined {
  const raw = text(value, name);
  if (raw === undefined) return undefined;
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw invalid(name, 'must be an ISO 8601 date and time');
  return new Date(parsed).toISOString();
}

function pageOf(query: Record<string, unknown>): { top: number; skip: number } {
  return {
    top: query.$top === undefined ? DEFAULT_PAGE_SIZE : integer(query.$top, '$top', 1, MAX_PAGE_SIZE),
    skip: query.$skip === undefined ? 0 : integer(query.$skip, '$skip', 0, 1_000_000_000),
  };
}

function sendPage(request: FastifyRequest, reply: FastifyReply, items: readonly unknown[], count: number, page: { top: number; skip: number }): unknown {
  const body: { value: readonly unknown[]; count: number; nextLink?: string } = { value: items, count };
  if (page.skip + items.length < count) {
    const url = new URL(request.url, `${request.protocol}://${request.headers.host ?? 'localhost'}`);
    url.searchParams.set('$skip', String(page.skip + items.length));
    url.searchParams.set('$top', String(page.top));
    body.nextLink = url.toString();
  }
  return reply.status(200).send(body);
}
