import { getHeader } from '../../policy/runtime/headers.ts';
import { TO_OUTBOUND, type PolicyFactory } from '../../policy/runtime/types.ts';

/** What cache-store keeps and cache-lookup serves. */
export interface CachedResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly string[];
  readonly body: Buffer;
}

/**
 * Serves GET requests from the gateway's internal cache. The key is the API, operation, path and
 * query (the `vary-by-query-parameter`s when listed, the whole query otherwise), the values of
 * the `vary-by-header`s, and the subscription's owner with `vary-by-developer`. On a hit the
 * backend is skipped and outbound runs on the cached response; on a miss cache-store may keep
 * the backend's response. Requests with an Authorization header bypass the cache unless
 * `allow-private-response-caching`. `caching-type="external"` uses the internal cache too
 * (Atrium gateways have no external cache).
 */
export const runtime: PolicyFactory = function compileCacheLookup(input) {
  const byDeveloper = input.constant('vary-by-developer')?.toLowerCase() === 'true';
  const byGroups = input.constant('vary-by-developer-groups')?.toLowerCase() === 'true';
  const privateCaching = input.raw('allow-private-response-caching');
  const downstream = (input.constant('downstream-caching-type') ?? 'none').toLowerCase();
  const headers = input.children('vary-by-header').map((e) => e.children.map((t) => (t.type === 'text' ? t.value : '')).join('').trim());
  const queries = input.children('vary-by-query-parameter').flatMap((e) => e.children.map((t) => (t.type === 'text' ? t.value : '')).join('').split(/[;,]/).map((q) => q.trim()).filter((q) => q !== ''));
  if (input.constant('caching-type')?.toLowerCase() === 'external') input.services.log('cache-lookup: caching-type="external" uses the gateway\'s internal cache');
  return function cacheLookup(pc) {
    const request = pc.gateway.request;
    if (request.method !== 'GET') return undefined;
    if (getHeader(request.headers, 'authorization') !== undefined && !(privateCaching && String(privateCaching(pc)).toLowerCase() === 'true')) return undefined;
    let key = `response:${pc.gateway.api.key}:${pc.gateway.operation.key}:${request.path}?`;
    if (queries.length === 0) key += request.query;
    else {
      const params = new URLSearchParams(request.query);
      for (const q of queries) key += `${q}=${params.getAll(q).join(',')}&`;
    }
    for (const h of headers) key += `|${h}=${getHeader(request.headers, h) ?? ''}`;
    if (byDeveloper || byGroups) key += `|developer=${pc.gateway.subscription?.ownerId ?? pc.gateway.subscription?.key ?? ''}`;
    const cached = pc.services.cache.get(key) as CachedResponse | undefined;
    if (cached === undefined) {
      pc.cacheKey = key;
      pc.cacheDownstream = downstream;
      return undefined;
    }
    pc.cacheHit = true;
    pc.setResponse({ status: cached.status, reason: cached.reason, headers: [...cached.headers], body: cached.body });
    return TO_OUTBOUND;
  };
};
