import type { ResourceRecord } from '../store/store.ts';
import { normalizeId } from '../model/registry.ts';
import type { Pipeline } from './context.ts';
import { compileBreakerRule, type BreakerRule } from './circuit-breaker.ts';
import { interned } from './kept-records.ts';
import type { Router } from './router.ts';
import { compileTemplate, splitPath, type CompiledTemplate } from './template.ts';

/**
 * What one gateway serves, compiled: the route table, the subscription key index, product
 * membership and backends. A snapshot is immutable; configuration changes build a new one that
 * reuses every compiled API they did not touch, and swap it in atomically. A request keeps the
 * snapshot it started with.
 */
export interface Snapshot {
  readonly gatewayId: string;
  /** The store revision this snapshot reflects. */
  readonly revision: number;
  /** Lower-cased names of the workspaces this gateway serves. */
  readonly workspaces: ReadonlySet<string>;
  /** Whether service-level APIs are served (the managed gateway). */
  readonly serviceLevel: boolean;
  readonly router: Router;
  readonly subscriptions: SubscriptionIndex;
  readonly backends: ReadonlyMap<string, UpstreamTarget>;
  /** APIs whose configuration could not be compiled, with the reason (they answer 500). */
  readonly failures: ReadonlyMap<string, string>;
}

export interface UpstreamTarget {
  /** `http://host:port` */
  readonly origin: string;
  /** Path prefix of the URL, without a trailing slash (`''` for none). */
  readonly basePath: string;
  /** Query string of the URL without `?` (`''` for none). */
  readonly baseQuery: string;
  readonly host: string;
  readonly url: string;
  readonly rejectUnauthorized: boolean;
  /** Headers the backend's credentials add (flat name/value list). */
  readonly headers: readonly string[];
  /** Query parameters the backend's credentials add, already encoded (`a=b&c=d`). */
  readonly query: string;
  /** The backend resource this target comes from, if any. */
  readonly backendKey?: string;
  readonly breaker?: BreakerRule;
  /** A pool backend: the member to call is chosen per request (lowest priority first, by weight). */
  readonly pool?: readonly PoolMember[];
}

export interface PoolMember {
  readonly target: UpstreamTarget;
  readonly priority: number;
  readonly weight: number;
}

export interface VersionSetInfo {
  readonly key: string;
  readonly scheme: 'segment' | 'query' | 'header';
  readonly name: string;
}

export interface CompiledOperation {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  /** Upper-cased method, or `*`. */
  readonly method: string;
  readonly template: CompiledTemplate;
  /**
   * The compiled policy pipeline for this operation (inbound → backend → outbound → on-error).
   * Undefined until policies are compiled: the request is forwarded as it is.
   */
  pipeline: Pipeline | undefined;
  /** Per-process metric series of this operation, created on first use. */
  series: unknown;
}

export interface OperationTable {
  /** Operations for one method (those declared with `*` included), most specific first. */
  readonly byMethod: ReadonlyMap<string, readonly CompiledOperation[]>;
  /**
   * `byMethod`'s GET list, on the table itself: most requests are GETs, and a map of an API's own
   * is memory of its own to read (at 10,000 APIs, memory the processor no longer holds in its caches).
   */
  readonly get: readonly CompiledOperation[] | undefined;
  /** For a method no operation names: the `*` operations. */
  readonly anyMethod: readonly CompiledOperation[];
}

export interface CompiledApi {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  /** The key of the API without `;rev=n`: what subscriptions and products refer to. */
  readonly baseKey: string;
  readonly baseId: string;
  readonly workspace: string;
  readonly pathSegments: readonly string[];
  readonly revision: string;
  readonly isCurrent: boolean;
  /** `''` for an API outside a version set or published without a version identifier. */
  readonly apiVersion: string;
  readonly versionSet: VersionSetInfo | undefined;
  readonly upstream: UpstreamTarget | undefined;
  readonly subscriptionRequired: boolean;
  /** Lower-cased header carrying the subscription key. */
  readonly keyHeader: string;
  /** The same header as the API names it (for WWW-Authenticate). */
  readonly keyHeaderName: string;
  readonly keyQuery: string;
  /** Remove the subscription key before forwarding (the API's `stripSubscriptionKey`). */
  readonly stripKey?: boolean;
  readonly operations: OperationTable;
  /** Set when the API's configuration is unusable; the API then answers 500 and the gateway carries on. */
  readonly failure: string | undefined;
  /** Revision of every record the compiled form depends on, to reuse it when nothing changed. */
  readonly fingerprint: string;
}

export interface SubscriptionEntry {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly workspace: string;
  readonly scope: 'all' | 'api' | 'product';
  /** Base key of the API, or key of the product. */
  readonly scopeKey: string;
  readonly active: boolean;
  readonly ownerId: string | undefined;
  /**
   * What limit policies made of the subscription's name as a counter key (`keptPerValue` in
   * src/policy/runtime/limits.ts), found here on the request's own subscription rather than in a
   * map of every value: the usual `counter-key="@(context.Subscription.Id)"`.
   */
  keptValues: unknown[] | undefined;
}

export interface SubscriptionIndex {
  /** By primary and secondary key. */
  readonly byKey: ReadonlyMap<string, SubscriptionEntry>;
  /** Base API keys of each product's APIs. */
  readonly productApis: ReadonlyMap<string, ReadonlySet<string>>;
  /** Base API keys reachable without a key through a published open product. */
  readonly openApis: ReadonlySet<string>;
  /** Product ids by key, for logs. */
  readonly productIds: ReadonlyMap<string, string>;
}

const DEFAULT_KEY_HEADER = 'ocp-apim-subscription-key';
const DEFAULT_KEY_QUERY = 'subscription-key';

export function baseKeyOf(apiKey: string): string {
  const semi = apiKey.indexOf(';rev=');
  return semi === -1 ? apiKey : apiKey.slice(0, semi);
}

/**
 * Resolves a reference held by a resource of `workspace` the way the management API does: ARM ids
 * are normalised; inside a workspace a short id means the workspace's own resource. Returns a key.
 */
export function resolveKey(value: string, workspace: string): string {
  const id = normalizeId(value).toLowerCase();
  if (workspace !== '' && !id.startsWith('/workspaces/')) return `/workspaces/${workspace}${id}`;
  return id;
}

/**
 * A backend resource as a policy of `api` names it (`set-backend-service backend-id="…"`): the
 * API's own workspace's backend; a workspace API never reaches a service-level one (DESIGN.md §5).
 */
export function findBackend(snapshot: Snapshot, api: CompiledApi, backendId: string): UpstreamTarget | undefined {
  const name = backendId.toLowerCase();
  return snapshot.backends.get(api.workspace === '' ? `/backends/${name}` : `/workspaces/${api.workspace}/backends/${name}`);
}

/** Compiles an absolute URL (and optional backend settings) into an upstream target. */
export function compileUpstream(url: string, backend?: Record<string, unknown>, backendKey?: string): UpstreamTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`'${url}' is not an http or https URL.`);
  const headers: string[] = [];
  const query: string[] = [];
  const credentials = backend?.credentials as
    | { header?: Record<string, string[]>; query?: Record<string, string[]>; authorization?: { scheme: string; parameter: string } }
    | undefined;
  if (credentials?.header) for (const [name, values] of Object.entries(credentials.header)) for (const v of values) headers.push(name, v);
  if (credentials?.query) {
    for (const [name, values] of Object.entries(credentials.query)) for (const v of values) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
  }
  if (credentials?.authorization) headers.push('authorization', `${credentials.authorization.scheme} ${credentials.authorization.parameter}`);
  if (parsed.username !== '') {
    headers.push('authorization', `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`);
  }
  const tls = backend?.tls as { validateCertificateChain?: boolean; validateCertificateName?: boolean } | undefined;
  return {
    origin: `${parsed.protocol}//${parsed.host}`,
    basePath: parsed.pathname.replace(/\/+$/, ''),
    baseQuery: parsed.search.slice(1),
    host: parsed.host,
    url,
    rejectUnauthorized: tls?.validateCertificateChain !== false && tls?.validateCertificateName !== false,
    headers,
    query: query.join('&'),
    backendKey,
    breaker: backendKey !== undefined && backend?.circuitBreaker !== undefined ? compileBreakerRule(backendKey, backend.circuitBreaker) : undefined,
  };
}

/**
 * Backend resources of the served scope: single backends first, then pools over them (members
 * are backends of the pool's own scope; a member that is missing or itself a pool is left out).
 */
export function compileBackends(
  records: Iterable<ResourceRecord>,
  reveal: (record: ResourceRecord) => Record<string, unknown>,
  log: (message: string) => void,
): Map<string, UpstreamTarget> {
  const backends = new Map<string, UpstreamTarget>();
  const pools: [ResourceRecord, Record<string, unknown>][] = [];
  for (const record of records) {
    const properties = reveal(record);
    if (properties.type === 'Pool') {
      pools.push([record, properties]);
      continue;
    }
    if (typeof properties.url !== 'string') continue;
    try {
      backends.set(record.key, compileUpstream(properties.url, properties, record.key));
    } catch (error) {
      log(`backend ${record.id}: ${(error as Error).message}`);
    }
  }
  for (const [record, properties] of pools) {
    const services = ((properties.pool as { services?: { id: string; priority?: number; weight?: number }[] } | undefined)?.services ?? []);
    const members: PoolMember[] = [];
    for (const service of services) {
      const target = backends.get(resolveKey(service.id, record.workspace));
      if (target) members.push({ target, priority: service.priority ?? 0, weight: service.weight ?? 1 });
      else log(`backend pool ${record.id}: member '${service.id}' is not a single backend of its scope`);
    }
    backends.set(record.key, { origin: '', basePath: '', baseQuery: '', host: '', url: '', rejectUnauthorized: true, headers: [], query: '', backendKey: record.key, pool: members });
  }
  return backends;
}

/**
 * Compiled parts that are the same for every API naming the same input — the upstream target of a
 * service URL, an operation's URL template — built once and shared by all of them (both are
 * immutable). At 10,000 APIs on one backend with one `/*` operation each, that is one target and
 * one template rather than 10,000 of each. Inputs that do not compile are not kept.
 */
export interface SharedParts {
  upstream(url: string): UpstreamTarget;
  template(source: string): CompiledTemplate;
}

/**
 * Shared parts for one configuration follower. Each table is emptied when it reaches `maxEntries`
 * distinct inputs: APIs compiled later share among themselves, and those compiled before keep
 * what they hold.
 */
export function createSharedParts(maxEntries = 10_000): SharedParts {
  const upstreams = new Map<string, UpstreamTarget>();
  const templates = new Map<string, CompiledTemplate>();
  const shared = <T>(table: Map<string, T>, input: string, build: (input: string) => T): T => {
    let value = table.get(input);
    if (value === undefined) {
      value = build(input);
      if (table.size >= maxEntries) table.clear();
      table.set(input, value);
    }
    return value;
  };
  return {
    upstream: (url) => shared(upstreams, url, compileUpstream),
    template: (source) => shared(templates, source, compileTemplate),
  };
}

/** Every part built afresh: for callers that compile one API now and then. */
const UNSHARED: SharedParts = { upstream: (url) => compileUpstream(url), template: compileTemplate };

/**
 * Compiles one API with its operations. Never throws: a problem becomes `failure`, so that a bad
 * configuration takes down only its own API.
 */
export function compileApi(
  record: ResourceRecord,
  operations: Iterable<ResourceRecord>,
  versionSet: ResourceRecord | undefined,
  fingerprint: string,
  parts: SharedParts = UNSHARED,
): CompiledApi {
  const p = record.properties;
  const failures: string[] = [];
  const nameAt = record.name.indexOf(';rev=');
  const baseKey = interned(baseKeyOf(record.key));
  const baseId = nameAt === -1 ? record.id : record.id.slice(0, record.id.length - (record.name.length - nameAt));
  let upstream: UpstreamTarget | undefined;
  if (typeof p.serviceUrl === 'string' && p.serviceUrl !== '') {
    try {
      upstream = parts.upstream(p.serviceUrl);
    } catch (error) {
      failures.push(`serviceUrl: ${(error as Error).message}`);
    }
  }
  let versionSetInfo: VersionSetInfo | undefined;
  if (typeof p.apiVersionSetId === 'string' && p.apiVersionSetId !== '') {
    if (!versionSet) failures.push(`apiVersionSetId: '${p.apiVersionSetId}' is not a version set this gateway knows.`);
    else {
      const vs = versionSet.properties;
      const scheme = String(vs.versioningScheme ?? 'Segment').toLowerCase() as VersionSetInfo['scheme'];
      const name =
        scheme === 'query'
          ? String(vs.versionQueryName ?? 'api-version')
          : scheme === 'header'
            ? String(vs.versionHeaderName ?? 'api-version').toLowerCase()
            : '';
      versionSetInfo = { key: versionSet.key, scheme, name };
    }
  }
  const names = (p.subscriptionKeyParameterNames ?? {}) as { header?: string; query?: string };
  const compiledOps: CompiledOperation[] = [];
  for (const op of operations) {
    try {
      compiledOps.push({
        key: op.key,
        id: op.id,
        name: op.name,
        method: interned(String(op.properties.method ?? '').toUpperCase()),
        template: parts.template(String(op.properties.urlTemplate ?? '/')),
        pipeline: undefined,
        series: undefined,
      });
    } catch (error) {
      failures.push(`operation ${op.name}: ${(error as Error).message}`);
    }
  }
  return {
    key: record.key,
    id: record.id,
    name: record.name,
    baseKey,
    baseId,
    workspace: record.workspace,
    pathSegments: splitPath(String(p.path ?? '')).map((s) => s.toLowerCase()),
    revision: String(p.apiRevision ?? '1'),
    isCurrent: p.isCurrent !== false && nameAt === -1,
    apiVersion: versionSetInfo ? String(p.apiVersion ?? '') : '',
    versionSet: versionSetInfo,
    upstream,
    subscriptionRequired: p.subscriptionRequired !== false,
    keyHeader: keyHeaderOf(names.header),
    keyHeaderName: names.header || 'Ocp-Apim-Subscription-Key',
    keyQuery: names.query || DEFAULT_KEY_QUERY,
    stripKey: p.stripSubscriptionKey === true,
    operations: operationTable(compiledOps),
    failure: failures.length > 0 ? failures.join('; ') : undefined,
    fingerprint,
  };
}

/** The lower-cased key header; the default one is the same string for every API. */
function keyHeaderOf(header: string | undefined): string {
  const lower = (header || DEFAULT_KEY_HEADER).toLowerCase();
  return lower === DEFAULT_KEY_HEADER ? DEFAULT_KEY_HEADER : lower;
}

const NOTHING: readonly never[] = Object.freeze([]);

/**
 * The items `keep` selects, in an array of their exact number (`filter` leaves room for 16 more),
 * or one shared empty array: for lists a gateway holds per API.
 */
export function exactFilter<T>(items: readonly T[], keep: (item: T) => boolean): readonly T[] {
  const list = items.filter(keep);
  return list.length === 0 ? NOTHING : list.slice();
}

function operationTable(operations: CompiledOperation[]): OperationTable {
  const sorted = [...operations].sort((a, b) => b.template.rank - a.template.rank || (a.method === '*' ? 1 : 0) - (b.method === '*' ? 1 : 0));
  const anyMethod = exactFilter(sorted, (o) => o.method === '*');
  const byMethod = new Map<string, readonly CompiledOperation[]>();
  for (const op of sorted) {
    if (op.method === '*') continue;
    if (!byMethod.has(op.method)) byMethod.set(op.method, exactFilter(sorted, (o) => o.method === op.method || o.method === '*'));
  }
  // HEAD falls back to GET operations, as a GET operation answers HEAD.
  if (!byMethod.has('HEAD') && byMethod.has('GET')) byMethod.set('HEAD', byMethod.get('GET')!);
  return { byMethod, get: byMethod.get('GET'), anyMethod };
}

/** Subscriptions, products and product links of the served scope, compiled into the key index. */
export function compileSubscriptions(
  subscriptions: Iterable<ResourceRecord>,
  products: Iterable<ResourceRecord>,
  links: Iterable<ResourceRecord>,
  reveal: (record: ResourceRecord) => Record<string, unknown>,
): SubscriptionIndex {
  const productIds = new Map<string, string>();
  const open = new Set<string>();
  for (const product of products) {
    productIds.set(product.key, product.id);
    if (product.properties.subscriptionRequired === false && product.properties.state === 'published') open.add(product.key);
  }
  const productApis = new Map<string, Set<string>>();
  const openApis = new Set<string>();
  for (const link of links) {
    const productKey = link.parentKey;
    if (!productIds.has(productKey) || typeof link.properties.apiId !== 'string') continue;
    const apiKey = baseKeyOf(resolveKey(link.properties.apiId, link.workspace));
    let set = productApis.get(productKey);
    if (!set) productApis.set(productKey, (set = new Set()));
    set.add(apiKey);
    if (open.has(productKey)) openApis.add(apiKey);
  }
  const byKey = new Map<string, SubscriptionEntry>();
  for (const record of subscriptions) {
    const p = reveal(record);
    const scopeId = normalizeId(String(p.scope ?? '')).toLowerCase();
    let scope: SubscriptionEntry['scope'];
    let scopeKey = '';
    if (scopeId === '/apis' || scopeId === `/workspaces/${record.workspace}/apis`) scope = 'all';
    else {
      const key = resolveKey(scopeId, record.workspace);
      if (/\/apis\/[^/]+$/.test(key)) {
        scope = 'api';
        scopeKey = interned(baseKeyOf(key));
      } else if (/\/products\/[^/]+$/.test(key)) {
        scope = 'product';
        scopeKey = key;
      } else continue;
    }
    const entry: SubscriptionEntry = {
      key: record.key,
      id: record.id,
      name: record.name,
      workspace: record.workspace,
      scope,
      scopeKey,
      active: p.state === 'active',
      ownerId: typeof p.ownerId === 'string' ? p.ownerId : undefined,
      keptValues: undefined,
    };
    for (const k of [p.primaryKey, p.secondaryKey]) if (typeof k === 'string' && k !== '') byKey.set(k, entry);
  }
  return { byKey, productApis, openApis, productIds };
}
