import { setHeader } from '../../policy/runtime/headers.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import type { CachedResponse } from '../cache-lookup/index.ts';

/**
 * Keeps the response for the key cache-lookup computed, for `duration` seconds: 200 responses,
 * or any for which `cache-response` holds. The body is read into memory to be kept.
 */
export const runtime: PolicyFactory = function compileCacheStore(input) {
  const duration = input.value('duration')!;
  const cacheResponse = input.raw('cache-response');
  return async function cacheStore(pc) {
    const key = pc.cacheKey;
    const response = pc.response;
    if (key === undefined || pc.cacheHit || response === undefined) return undefined;
    const store = cacheResponse ? String(cacheResponse(pc)).toLowerCase() === 'true' : response.status === 200;
    if (!store) return undefined;
    const seconds = Number(duration(pc));
    const body = await pc.responseBody();
    const entry: CachedResponse = { status: response.status, reason: response.reason, headers: [...response.headers], body };
    pc.services.cache.set(key, entry, seconds * 1000, body.length + response.headers.join('').length * 2);
    if (pc.cacheDownstream === 'private' || pc.cacheDownstream === 'public') setHeader(response.headers, 'cache-control', `${pc.cacheDownstream}, max-age=${seconds}`);
    return undefined;
  };
};
