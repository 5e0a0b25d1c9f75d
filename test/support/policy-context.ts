import { Readable } from 'node:stream';
import { pipelineResponse, type GatewayContext, type GatewayResponse, type Pipeline } from '../../src/gateway/context.ts';
import type { Snapshot, SubscriptionEntry, UpstreamTarget } from '../../src/gateway/snapshot.ts';
import { compileUpstream } from '../../src/gateway/snapshot.ts';
import { compileTemplate } from '../../src/gateway/template.ts';
import { createUpstreamClient, type UpstreamClient } from '../../src/gateway/upstream.ts';
import { createMemoryCounters, type Counters } from '../../src/counters/index.ts';
import { composePolicies, parsePolicyDocument, type PolicyLevel } from '../../src/policy/index.ts';
import { compilePolicy } from '../../src/policy/runtime/compiler.ts';
import { createMemoryCache } from '../../src/policy/runtime/cache.ts';
import type { PolicyServices } from '../../src/policy/runtime/types.ts';
import { standaloneApi } from '../../src/policy/runtime/test-run.ts';

/**
 * A GatewayContext built by hand, as the gateway builds it for a routed request: for running
 * policy pipelines against a real backend without the gateway's listener.
 */
export interface RequestSpec {
  readonly method?: string;
  /** The path after the API's path, as the backend will see it (`/items/1`). */
  readonly path?: string;
  readonly query?: string;
  readonly headers?: Record<string, string> | string[];
  readonly body?: string | Buffer | null;
  /** Send the body as a stream, as the gateway does. */
  readonly stream?: boolean;
  readonly clientIp?: string;
  readonly matchedParameters?: Record<string, string>;
  readonly subscription?: Partial<SubscriptionEntry> | null;
  readonly productKey?: string;
  readonly apiName?: string;
  readonly apiPath?: string;
  readonly operationName?: string;
  readonly urlTemplate?: string;
  readonly backends?: Record<string, string>;
}

export const testSubscription: SubscriptionEntry = {
  key: '/subscriptions/sub1',
  id: '/subscriptions/sub1',
  name: 'sub1',
  workspace: '',
  scope: 'all',
  scopeKey: '',
  active: true,
  ownerId: '/users/alice',
  keptValues: undefined,
};

let sharedUpstream: UpstreamClient | undefined;
/** One upstream client for all tests of a file; close it with closeUpstream(). */
export function upstreamClient(): UpstreamClient {
  return (sharedUpstream ??= createUpstreamClient({ defaultTimeoutMs: 10_000 }));
}
export async function closeUpstream(): Promise<void> {
  await sharedUpstream?.close();
  sharedUpstream = undefined;
}

export function gatewayContext(backendUrl: string | undefined, spec: RequestSpec = {}): GatewayContext {
  const headers: string[] = Array.isArray(spec.headers) ? [...spec.headers] : Object.entries(spec.headers ?? {}).flat();
  const body = spec.body ?? null;
  if (body !== null && !headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-length')) headers.push('content-length', String(Buffer.byteLength(body)));
  headers.push('x-forwarded-for', spec.clientIp ?? '127.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'gateway.test');
  const upstream: UpstreamTarget | undefined = backendUrl ? compileUpstream(backendUrl) : undefined;
  const apiPath = spec.apiPath ?? 'echo';
  const { api, operation } = standaloneApi({
    name: spec.apiName ?? 'echo',
    path: apiPath,
    upstream,
    subscriptionRequired: true,
    operationName: spec.operationName ?? 'op',
    method: spec.method ?? 'GET',
    template: compileTemplate(spec.urlTemplate ?? '/*'),
  });
  const backends = new Map<string, UpstreamTarget>();
  for (const [id, url] of Object.entries(spec.backends ?? {})) backends.set(`/backends/${id.toLowerCase()}`, compileUpstream(url));
  const snapshot = {
    gatewayId: 'managed',
    revision: 1,
    workspaces: new Set<string>(),
    serviceLevel: true,
    router: undefined as never,
    subscriptions: { byKey: new Map(), productApis: new Map(), openApis: new Set(), productIds: new Map(spec.productKey ? [[spec.productKey, spec.productKey]] : []) },
    backends,
    failures: new Map(),
  } satisfies Snapshot;
  const client = upstreamClient();
  const ctx: GatewayContext = {
    requestId: '00000000-0000-4000-8000-000000000001',
    gatewayId: 'managed',
    snapshot,
    api,
    operation,
    matchedParameters: spec.matchedParameters ?? {},
    subscription: spec.subscription === null ? undefined : { ...testSubscription, ...spec.subscription },
    productKey: spec.productKey,
    clientIp: spec.clientIp ?? '127.0.0.1',
    originalUrl: `http://gateway.test/${apiPath}${spec.path ?? '/'}${spec.query ? `?${spec.query}` : ''}`,
    request: {
      method: (spec.method ?? 'GET').toUpperCase(),
      path: spec.path ?? '/',
      query: spec.query ?? '',
      headers,
      body: body === null ? null : spec.stream ? Readable.from([Buffer.from(body)]) : body,
    },
    upstream,
    timeoutMs: client.defaultTimeoutMs,
    lastError: undefined,
    backendTimeMs: null,
    signal: new AbortController().signal,
    forward: () => client.forward(ctx),
  };
  return ctx;
}

export interface TestServices extends PolicyServices {
  readonly clock: { at: number };
  readonly logs: string[];
  readonly traces: string[];
}

export function testServices(overrides: Partial<PolicyServices> & { counters?: Counters } = {}): TestServices {
  const clock = { at: Date.UTC(2026, 0, 1) };
  const logs: string[] = [];
  const traces: string[] = [];
  const now = () => clock.at;
  return {
    clock,
    logs,
    traces,
    counters: overrides.counters ?? createMemoryCounters({ now }),
    cache: createMemoryCache({ now }),
    now,
    log: (m) => logs.push(m),
    trace: (source, severity, message) => traces.push(`${source}|${severity}|${message}`),
    keyHosts: [],
    // The test backends listen on loopback.
    outbound: { allowLoopback: true },
    ...overrides,
  };
}

/** Parses one or more scope documents (outermost first), composes and compiles them. */
export function compileDocuments(documents: readonly (string | { scope: PolicyLevel['scope']; xml: string; id?: string })[], services: PolicyServices): Pipeline {
  const scopes: PolicyLevel['scope'][] = ['global', 'workspace', 'product', 'api', 'operation'];
  const levels: PolicyLevel[] = documents.map((d, i) => {
    const { scope, xml, id } = typeof d === 'string' ? { scope: documents.length === 1 ? 'api' : scopes[i], xml: d, id: undefined } : d;
    return { scope, id: id ?? scope, document: parsePolicyDocument(xml, { format: 'rawxml' }) };
  });
  const { resolved } = composePolicies(levels);
  return compilePolicy(resolved, { services }).pipeline;
}

export interface RunResult {
  readonly status: number;
  readonly headers: string[];
  readonly text: string;
  readonly json: () => unknown;
  header(name: string): string | undefined;
  readonly ctx: GatewayContext;
}

export async function run(pipeline: Pipeline, ctx: GatewayContext): Promise<RunResult> {
  const response: GatewayResponse = await pipelineResponse(pipeline, ctx);
  const text = await readBody(response.body);
  return {
    status: response.status,
    headers: [...response.headers],
    text,
    json: () => JSON.parse(text),
    header: (name) => {
      for (let i = 0; i < response.headers.length; i += 2) if (response.headers[i].toLowerCase() === name.toLowerCase()) return response.headers[i + 1];
      return undefined;
    },
    ctx,
  };
}

async function readBody(body: GatewayResponse['body']): Promise<string> {
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** `<policies>` with the given sections' content. */
export function policies(sections: { inbound?: string; backend?: string; outbound?: string; onError?: string }): string {
  return `<policies><inbound>${sections.inbound ?? '<base />'}</inbound><backend>${sections.backend ?? '<base />'}</backend><outbound>${sections.outbound ?? '<base />'}</outbound><on-error>${sections.onError ?? '<base />'}</on-error></policies>`;
}
