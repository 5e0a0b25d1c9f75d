import { getHeader, setHeader } from '../../policy/runtime/headers.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Outbound: backend URLs in the response body and Location header become gateway URLs (the
 * API's public base). Inbound: gateway URLs in the request body become backend URLs.
 */
export const runtime: PolicyFactory = function compileRedirectContentUrls(input) {
  const inbound = input.section === 'inbound';
  return async function redirectContentUrls(pc) {
    const ctx = pc.gateway;
    const upstream = ctx.upstream;
    if (upstream === undefined) return undefined;
    const backend = `${upstream.origin}${upstream.basePath}`;
    const origin = typeof ctx.originalUrl === 'string' && ctx.originalUrl.includes('://') ? new URL(ctx.originalUrl).origin : undefined;
    const host = getHeader(ctx.request.headers, 'x-forwarded-host') ?? 'localhost';
    const proto = getHeader(ctx.request.headers, 'x-forwarded-proto') ?? 'http';
    const gateway = `${origin ?? `${proto}://${host}`}${ctx.api.pathSegments.length > 0 ? `/${ctx.api.pathSegments.join('/')}` : ''}`;
    const [from, to] = inbound ? [gateway, backend] : [backend, gateway];
    if (inbound) {
      const body = await pc.requestBody();
      const text = body.toString('utf8');
      if (text.includes(from)) pc.setRequestBody(text.replaceAll(from, to));
      return undefined;
    }
    const response = pc.ensureResponse();
    const location = getHeader(response.headers, 'location');
    if (location?.startsWith(from)) setHeader(response.headers, 'location', to + location.slice(from.length));
    const body = await pc.responseBody();
    const text = body.toString('utf8');
    if (text.includes(from)) pc.setResponseBody(text.replaceAll(from, to));
    return undefined;
  };
};
