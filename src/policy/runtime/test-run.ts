import { Readable } from 'node:stream';
import { pipelineResponse, type GatewayContext } from '../../gateway/context.ts';
import { compileUpstream, type CompiledApi, type CompiledOperation, type Snapshot, type UpstreamTarget } from '../../gateway/snapshot.ts';
import { compileTemplate, matchTemplate } from '../../gateway/template.ts';
import { createMemoryCounters } from '../../counters/index.ts';
import { composePolicies } from '../compose/compose.ts';
import { parsePolicyDocument } from '../document/parser.ts';
import type { PolicyDocument } from '../document/tree.ts';
import { createMemoryCache } from './cache.ts';
import { compilePolicy } from './compiler.ts';
import { toBuffer, type PolicyContext } from './context.ts';
import type { Outcome, PolicyServices, Step } from './types.ts';

/**
 * A policy document run against a hand-written or recorded request, with a stubbed backend, by
 * the same compiler and runtime as the gateway: what `atrium policy test` prints. Each step is
 * reported with its outcome and what it changed (request, variables, response).
 */
export interface PolicyTestRequest {
  readonly method?: string;
  /** Path and query after the API's path: `/items/1?x=1`. */
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly clientIp?: string;
  /** The caller's subscription (its name is `context.Subscription.Id`), if any. */
  readonly subscription?: { readonly name: string; readonly key?: string };
}

export interface PolicyTestBackendResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface PolicyTestOptions {
  /** A `<policies>` document (its `<base/>`s stand for nothing). */
  readonly document: string | PolicyDocument;
  readonly format?: 'xml' | 'rawxml';
  readonly request?: PolicyTestRequest;
  /** What the backend answers: a fixed response or a function of the request it received. Default: 200 `{}`. */
  readonly backend?: PolicyTestBackendResponse | ((request: PolicyTestBackendRequest) => PolicyTestBackendResponse);
  readonly api?: { readonly name?: string; readonly path?: string; readonly serviceUrl?: string };
  readonly operation?: { readonly name?: string; readonly method?: string; readonly urlTemplate?: string };
  /** Shared services; fresh in-memory counters and cache by default. */
  readonly services?: Partial<PolicyServices>;
  /** Named values for `{{name}}`. */
  readonly namedValues?: Readonly<Record<string, string>>;
}

export interface PolicyTestBackendRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly string[];
  readonly body: string;
}

export interface PolicyTestStep {
  readonly section: string;
  readonly path: string;
  readonly policy: string;
  readonly outcome: 'continue' | 'respond' | 'outbound' | 'error';
  readonly error?: { readonly reason: string; readonly message: string };
  /** What the step changed, one line each (`request header x-a: 1`, `variable v = 2`, `response status 418`). */
  readonly changes: readonly string[];
}

export interface PolicyTestResult {
  readonly steps: readonly PolicyTestStep[];
  /** What the backend received; undefined when it was not called. */
  readonly backendRequest: PolicyTestBackendRequest | undefined;
  readonly response: { readonly status: number; readonly headers: readonly string[]; readonly body: string };
  readonly lastError: { readonly source: string; readonly reason: string; readonly message: string } | undefined;
  readonly variables: Readonly<Record<string, string>>;
}

interface State {
  readonly method: string;
  readonly url: string;
  readonly headers: Map<string, string>;
  readonly variables: Map<string, string>;
  readonly status: number | undefined;
  readonly responseHeaders: Map<string, string>;
}

export async function runPolicyTest(options: PolicyTestOptions): Promise<PolicyTestResult> {
  const parsed = typeof options.document === 'string' ? parsePolicyDocument(options.document, { format: options.format ?? 'rawxml' }) : options.document;
  const named = options.namedValues ?? {};
  const { resolved } = composePolicies([{ scope: 'operation', id: 'test', document: parsed }], {
    namedValue: (name) => (name in named ? { value: named[name] } : undefined),
    fragment: () => undefined,
  });
  const steps: PolicyTestStep[] = [];
  let last: State | undefined;
  const services: PolicyServices = {
    counters: createMemoryCounters(),
    cache: createMemoryCache(),
    now: Date.now,
    log: () => undefined,
    ...options.services,
    onStep: (step: Step, outcome: Outcome, pc: PolicyContext) => {
      // A failure's response replaces the response when on-error starts: show it with the failing step.
      const failed = outcome !== undefined && typeof outcome !== 'string' ? outcome.response : undefined;
      const now = snapshotOf(pc, failed);
      steps.push({
        section: step.section,
        path: step.path,
        policy: step.name,
        outcome: outcome === undefined ? 'continue' : typeof outcome === 'string' ? (outcome === 'respond' ? 'respond' : 'outbound') : 'error',
        error: outcome !== undefined && typeof outcome !== 'string' ? { reason: outcome.reason, message: outcome.message } : undefined,
        changes: last ? changes(last, now) : [],
      });
      last = now;
    },
  };
  const pipeline = compilePolicy(resolved, { services }).pipeline;
  const ctx = testContext(options);
  let backendRequest: PolicyTestBackendRequest | undefined;
  ctx.forward = async () => {
    const target = ctx.upstream!;
    const body = (await toBuffer(ctx.request.body)).toString('utf8');
    const query = ctx.request.query;
    backendRequest = { method: ctx.request.method, url: `${target.origin}${target.basePath}${ctx.request.path}${query ? `?${query}` : ''}`, headers: [...ctx.request.headers], body };
    const answer = typeof options.backend === 'function' ? options.backend(backendRequest) : (options.backend ?? { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    const text = answer.body ?? '';
    return { status: answer.status ?? 200, headers: [...Object.entries(answer.headers ?? {}).flat(), 'content-length', String(Buffer.byteLength(text))], body: Buffer.from(text) };
  };
  // The state before the first step, for the first step's changes.
  last = { method: ctx.request.method, url: `${ctx.request.path}?${ctx.request.query}`, headers: pairs(ctx.request.headers), variables: new Map(), status: undefined, responseHeaders: new Map() };
  const response = await pipelineResponse(pipeline, ctx);
  const body = (await toBuffer(response.body)).toString('utf8');
  return {
    steps,
    backendRequest,
    response: { status: response.status, headers: response.headers, body },
    lastError: ctx.lastError,
    variables: Object.fromEntries(last ? last.variables : []),
  };
}

/** The run as text: one line per step with its changes, then the backend request and the response. */
export function formatPolicyTest(result: PolicyTestResult): string {
  const lines: string[] = [];
  for (const step of result.steps) {
    lines.push(`${step.section.padEnd(8)} ${step.path}  ${step.outcome}${step.error ? ` (${step.error.reason}: ${step.error.message})` : ''}`);
    for (const change of step.changes) lines.push(`           ${change}`);
  }
  if (result.backendRequest) lines.push(`backend  ${result.backendRequest.method} ${result.backendRequest.url}`);
  else lines.push('backend  not called');
  lines.push(`response ${result.response.status}${result.response.body ? ` ${result.response.body.length > 200 ? `${result.response.body.slice(0, 200)}…` : result.response.body}` : ''}`);
  if (result.lastError) lines.push(`error    ${result.lastError.source}: ${result.lastError.reason}: ${result.lastError.message}`);
  return lines.join('\n');
}

function snapshotOf(pc: PolicyContext, response = pc.response): State {
  const request = pc.gateway.request;
  const variables = new Map<string, string>();
  for (const [k, v] of pc.variables) variables.set(k, v === null || v === undefined ? 'null' : String(v));
  return {
    method: request.method,
    url: `${request.path}?${request.query}`,
    headers: pairs(request.headers),
    variables,
    status: response?.status,
    responseHeaders: pairs(response?.headers ?? []),
  };
}

function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i].toLowerCase();
    map.set(name, map.has(name) ? `${map.get(name)}, ${flat[i + 1]}` : flat[i + 1]);
  }
  return map;
}

function changes(before: State, after: State): string[] {
  const out: string[] = [];
  if (before.method !== after.method) out.push(`request method ${after.method}`);
  if (before.url !== after.url) out.push(`request url ${after.url.replace(/\?$/, '')}`);
  diff(before.headers, after.headers, 'request header', out);
  diff(before.variables, after.variables, 'variable', out, ' = ');
  if (before.status !== after.status && after.status !== undefined) out.push(`response status ${after.status}`);
  diff(before.responseHeaders, after.responseHeaders, 'response header', out);
  return out;
}

function diff(before: Map<string, string>, after: Map<string, string>, label: string, out: string[], separator = ': '): void {
  for (const [k, v] of after) if (before.get(k) !== v) out.push(`${label} ${k}${separator}${v}`);
  for (const k of before.keys()) if (!after.has(k)) out.push(`${label} ${k} removed`);
}

function testContext(options: PolicyTestOptions): GatewayContext {
  const request = options.request ?? {};
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const apiPath = options.api?.path ?? 'api';
  const upstream = compileUpstream(options.api?.serviceUrl ?? 'http://backend.test');
  const template = compileTemplate(options.operation?.urlTemplate ?? '/*');
  const matched = matchTemplate(template, path.split('/').filter((s) => s !== ''), new URLSearchParams(query));
  const headers = [...Object.entries(request.headers ?? {}).flat()];
  if (request.body !== undefined) headers.push('content-length', String(Buffer.byteLength(request.body)));
  headers.push('x-forwarded-for', request.clientIp ?? '127.0.0.1', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'gateway.test');
  const { api, operation } = standaloneApi({
    name: options.api?.name ?? 'api',
    path: apiPath,
    upstream,
    subscriptionRequired: request.subscription !== undefined,
    operationName: options.operation?.name ?? 'operation',
    method: options.operation?.method ?? request.method ?? 'GET',
    template,
  });
  const snapshot = {
    gatewayId: 'test',
    revision: 0,
    workspaces: new Set<string>(),
    serviceLevel: true,
    router: undefined,
    subscriptions: { byKey: new Map(), productApis: new Map(), openApis: new Set(), productIds: new Map() },
    backends: new Map(),
    failures: new Map(),
  } as unknown as Snapshot;
  const subscription = request.subscription
    ? { key: `/subscriptions/${request.subscription.name}`, id: `/subscriptions/${request.subscription.name}`, name: request.subscription.name, workspace: '', scope: 'all' as const, scopeKey: '', active: true, ownerId: undefined }
    : undefined;
  return {
    requestId: '00000000-0000-4000-8000-000000000000',
    gatewayId: 'test',
    snapshot,
    api,
    operation,
    matchedParameters: matched ?? {},
    subscription,
    productKey: undefined,
    clientIp: request.clientIp ?? '127.0.0.1',
    originalUrl: `https://gateway.test/${apiPath}${url}`,
    request: { method: (request.method ?? 'GET').toUpperCase(), path, query, headers, body: request.body === undefined ? null : Readable.from([Buffer.from(request.body)]) },
    upstream,
    timeoutMs: 30_000,
    lastError: undefined,
    backendTimeMs: null,
    signal: new AbortController().signal,
    forward: async () => ({ status: 502, headers: [], body: null }),
  } as GatewayContext;
}

/**
 * A compiled API with one operation that no snapshot holds: what `atrium policy test` runs a
 * document against (and the policy tests too). Service level, Azure's default key names.
 */
export function standaloneApi(spec: {
  readonly name: string;
  readonly path: string;
  readonly upstream: UpstreamTarget | undefined;
  readonly subscriptionRequired: boolean;
  readonly operationName: string;
  readonly method: string;
  readonly template: CompiledOperation['template'];
}): { api: CompiledApi; operation: CompiledOperation } {
  const key = `/apis/${spec.name}`;
  const api = {
    key,
    id: key,
    name: spec.name,
    baseKey: key,
    baseId: key,
    workspace: '',
    pathSegments: spec.path === '' ? [] : spec.path.split('/'),
    revision: '1',
    isCurrent: true,
    apiVersion: '',
    versionSet: undefined,
    upstream: spec.upstream,
    subscriptionRequired: spec.subscriptionRequired,
    keyHeader: 'ocp-apim-subscription-key',
    keyHeaderName: 'Ocp-Apim-Subscription-Key',
    keyQuery: 'subscription-key',
    operations: { byMethod: new Map(), get: undefined, anyMethod: [] },
    failure: undefined,
    fingerprint: '',
  } as unknown as CompiledApi;
  const operation: CompiledOperation = {
    key: `${key}/operations/${spec.operationName}`,
    id: `${key}/operations/${spec.operationName}`,
    name: spec.operationName,
    method: spec.method.toUpperCase(),
    template: spec.template,
    pipeline: undefined,
    series: undefined,
  };
  return { api, operation };
}
