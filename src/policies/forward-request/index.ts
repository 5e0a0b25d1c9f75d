import { compileUpstream } from '../../gateway/snapshot.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { getHeader, removeHeader } from '../../policy/runtime/headers.ts';
import { forward } from '../../policy/runtime/run.ts';
import type { Outcome, PolicyFactory } from '../../policy/runtime/types.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/**
 * Calls the backend with the request as the policies left it. `timeout` (seconds) or
 * `timeout-ms` bound the call (Azure's 504 beyond it); `buffer-request-body` (and any enclosing
 * retry) reads the request body into memory first so that it can be sent again;
 * `fail-on-error-status-code` turns 4xx/5xx answers into errors handled by on-error.
 * `follow-redirects="true"` follows up to ten redirects (303, and 301/302 after other methods
 * than GET and HEAD, continue as GET without a body; the backend's credentials are not sent to
 * another origin); otherwise redirects are returned to the caller. `http-version`: HTTP/1.1.
 */
export const runtime: PolicyFactory = function compileForwardRequest(input) {
  const timeout = input.value('timeout');
  const timeoutMs = input.value('timeout-ms');
  const buffer = input.constant('buffer-request-body')?.toLowerCase() === 'true' || input.ancestors.some((a) => a.startsWith('retry['));
  const failOnError = input.constant('fail-on-error-status-code')?.toLowerCase() === 'true';
  const followRedirects = input.raw('follow-redirects');
  // A redirect may ask for the same request again (307, 308): keep the body to send it twice.
  const keepBody = buffer || followRedirects !== undefined;
  return async function forwardRequest(pc) {
    if (timeout) pc.gateway.timeoutMs = Number(timeout(pc)) * 1000;
    else if (timeoutMs) pc.gateway.timeoutMs = Number(timeoutMs(pc));
    let outcome = await forward(pc, { bufferRequestBody: keepBody });
    if (outcome === undefined && followRedirects && String(followRedirects(pc)).toLowerCase() === 'true') outcome = await follow(pc);
    if (outcome === undefined && failOnError && pc.response !== undefined && pc.response.status >= 400) {
      return { kind: 'error', reason: 'BackendErrorStatusCode', message: `The backend responded with status code ${pc.response.status}.`, response: pc.response };
    }
    return outcome;
  };
};

async function follow(pc: PolicyContext): Promise<Outcome> {
  const ctx = pc.gateway;
  for (let i = 0; i < MAX_REDIRECTS; i++) {
    const response = pc.response;
    if (response === undefined || !REDIRECTS.has(response.status)) return undefined;
    const location = getHeader(response.headers, 'location');
    if (location === undefined || ctx.upstream === undefined) return undefined;
    const current = new URL(`${ctx.upstream.origin}${ctx.upstream.basePath}${ctx.request.path}${ctx.request.query ? `?${ctx.request.query}` : ''}`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return undefined;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return undefined;
    const sameOrigin = next.origin === current.origin;
    ctx.upstream = sameOrigin ? { ...ctx.upstream, basePath: '', baseQuery: '' } : compileUpstream(next.origin);
    ctx.request.path = next.pathname;
    ctx.request.query = next.search.slice(1);
    const method = ctx.request.method;
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== 'GET' && method !== 'HEAD')) {
      ctx.request.method = method === 'HEAD' ? 'HEAD' : 'GET';
      ctx.request.body = null;
      removeHeader(ctx.request.headers, 'content-length');
      removeHeader(ctx.request.headers, 'content-type');
    }
    if (!sameOrigin) removeHeader(ctx.request.headers, 'authorization');
    pc.touch();
    const outcome = await forward(pc, { bufferRequestBody: true });
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}
