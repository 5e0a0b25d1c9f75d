import { getHeader, setHeader } from '../../policy/runtime/headers.ts';
import { RESPOND, type PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * CORS: answers preflight requests (OPTIONS with Origin and Access-Control-Request-Method)
 * itself, and adds Access-Control-Allow-Origin (and -Credentials, -Expose-Headers) to the final
 * response of other requests from an allowed origin. An unmatched preflight ends with an empty
 * 200 when `terminate-unmatched-request` (default true), and goes on to the backend otherwise.
 */
export const runtime: PolicyFactory = function compileCors(input) {
  const credentials = input.constant('allow-credentials')?.toLowerCase() === 'true';
  const terminate = (input.constant('terminate-unmatched-request') ?? 'true').toLowerCase() !== 'false';
  const list = (container: string, item: string): string[] => {
    const c = input.child(container);
    return c ? input.children(item, c).map((e) => e.children.map((t) => (t.type === 'text' ? t.value : '')).join('').trim()) : [];
  };
  const origins = list('allowed-origins', 'origin');
  const anyOrigin = origins.includes('*');
  const originSet = new Set(origins.map((o) => o.toLowerCase()));
  const methods = list('allowed-methods', 'method').map((m) => m.toUpperCase());
  const anyMethod = methods.includes('*');
  const allowedMethods = methods.length === 0 ? ['GET', 'POST'] : methods;
  const headers = list('allowed-headers', 'header');
  const anyHeader = headers.includes('*');
  const headerSet = new Set(headers.map((h) => h.toLowerCase()));
  const expose = list('expose-headers', 'header').join(',');
  const methodsElement = input.child('allowed-methods');
  const maxAge = methodsElement ? input.constant('preflight-result-max-age', methodsElement) : undefined;

  const allowOrigin = (origin: string): string | undefined => {
    if (anyOrigin) return credentials ? origin : '*';
    return originSet.has(origin.toLowerCase()) ? origin : undefined;
  };

  return function cors(pc) {
    const request = pc.gateway.request;
    const origin = getHeader(request.headers, 'origin');
    if (origin === undefined) return undefined;
    const requestedMethod = getHeader(request.headers, 'access-control-request-method');
    if (request.method === 'OPTIONS' && requestedMethod !== undefined) {
      const allowed = allowOrigin(origin);
      const methodOk = anyMethod || allowedMethods.includes(requestedMethod.toUpperCase());
      const requestedHeaders = (getHeader(request.headers, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
      const headersOk = anyHeader || requestedHeaders.every((h) => headerSet.has(h.toLowerCase()));
      if (allowed === undefined || !methodOk || !headersOk) {
        if (!terminate) return undefined;
        pc.setResponse({ status: 200, reason: 'OK', headers: ['content-length', '0'], body: null });
        return RESPOND;
      }
      const out = ['access-control-allow-origin', allowed, 'access-control-allow-methods', anyMethod ? requestedMethod : allowedMethods.join(',')];
      if (requestedHeaders.length > 0) out.push('access-control-allow-headers', anyHeader ? requestedHeaders.join(',') : requestedHeaders.join(','));
      if (credentials) out.push('access-control-allow-credentials', 'true');
      if (maxAge !== undefined) out.push('access-control-max-age', maxAge);
      if (allowed !== '*') out.push('vary', 'Origin');
      out.push('content-length', '0');
      pc.setResponse({ status: 200, reason: 'OK', headers: out, body: null });
      return RESPOND;
    }
    const allowed = allowOrigin(origin);
    if (allowed === undefined) return undefined;
    pc.onFinish(() => {
      const response = pc.ensureResponse();
      setHeader(response.headers, 'access-control-allow-origin', allowed);
      if (credentials) setHeader(response.headers, 'access-control-allow-credentials', 'true');
      if (expose !== '') setHeader(response.headers, 'access-control-expose-headers', expose);
      if (allowed !== '*') response.headers.push('vary', 'Origin');
    });
    return undefined;
  };
};
