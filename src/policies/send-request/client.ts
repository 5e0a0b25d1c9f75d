import { getGlobalDispatcher, type Dispatcher } from 'undici';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { appendHeader, hasHeader, removeHeader, setHeader } from '../../policy/runtime/headers.ts';
import type { CompileInput, PolicyFailure, PolicyServices, Value } from '../../policy/runtime/types.ts';
import { refusedDestination } from '../../policy/runtime/outbound.ts';

/** An outgoing request described by send-request or send-one-way-request, compiled once. */
export interface OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: string[];
  readonly body: Buffer | string | null;
}

export type RequestBuilder = (pc: PolicyContext) => Promise<OutgoingRequest>;

/**
 * Managed identities exist only inside Azure: a document that asks for one is saved (Azure
 * exports load unchanged), and the request fails when it runs, naming the reason.
 */
export function managedIdentityFailure(input: CompileInput): PolicyFailure | undefined {
  if (!input.child('authentication-managed-identity')) return undefined;
  return {
    kind: 'error',
    reason: 'PolicyNotSupported',
    message: `<authentication-managed-identity> inside <${input.element.name}> cannot run on an Atrium gateway: managed identities exist only inside Azure.`,
  };
}

/**
 * Compiles the request description: `mode="copy"` starts from the current request (URL, method,
 * headers, body), `new` from an empty GET; then set-url, set-method, set-header, set-body and
 * authentication-basic apply in that order.
 */
export function compileRequest(input: CompileInput): RequestBuilder {
  const mode = input.value('mode');
  const setUrl = input.child('set-url');
  const url = setUrl ? input.text(setUrl) : undefined;
  const setMethod = input.child('set-method');
  const method = setMethod ? input.text(setMethod) : undefined;
  const headers = input.children('set-header').map((h) => ({
    name: input.value('name', h)!,
    action: (input.constant('exists-action', h) ?? 'override').toLowerCase(),
    values: input.children('value', h).map((v) => input.text(v) ?? (() => '')) as Value[],
  }));
  const setBody = input.child('set-body');
  const body = setBody ? input.text(setBody) : undefined;
  const basic = input.child('authentication-basic');
  const username = basic ? input.value('username', basic) : undefined;
  const password = basic ? input.value('password', basic) : undefined;
  for (const name of ['authentication-certificate', 'proxy']) {
    if (input.child(name)) input.fail(`<${name}> inside <${input.element.name}> is not supported by Atrium`);
  }
  return async function buildRequest(pc) {
    const copy = mode ? mode(pc).toLowerCase() === 'copy' : false;
    let target = '';
    let verb = 'GET';
    let list: string[] = [];
    let payload: Buffer | string | null = null;
    if (copy) {
      const current = pc.gateway;
      const upstream = current.upstream;
      target = upstream ? `${upstream.origin}${upstream.basePath}${current.request.path}${current.request.query ? `?${current.request.query}` : ''}` : '';
      verb = current.request.method;
      list = [...current.request.headers];
      payload = current.request.body === null ? null : await pc.requestBody();
    }
    if (url) target = url(pc).trim();
    if (method) verb = method(pc).trim().toUpperCase();
    for (const h of headers) {
      const name = h.name(pc);
      if (h.action === 'delete') removeHeader(list, name);
      else if (h.action === 'skip') {
        if (!hasHeader(list, name)) setHeader(list, name, h.values.map((v) => v(pc)).join(','));
      } else if (h.action === 'append') for (const v of h.values) appendHeader(list, name, v(pc));
      else setHeader(list, name, h.values.map((v) => v(pc)).join(','));
    }
    if (body) {
      payload = body(pc);
      removeHeader(list, 'content-length');
    }
    if (username && password) setHeader(list, 'Authorization', `Basic ${Buffer.from(`${username(pc)}:${password(pc)}`).toString('base64')}`);
    removeHeader(list, 'host');
    removeHeader(list, 'transfer-encoding');
    return { url: target, method: verb, headers: list, body: payload };
  };
}

export interface IncomingResponse {
  readonly status: number;
  readonly headers: string[];
  readonly body: Buffer;
}

/** A request the gateway does not send (see OutboundRules). */
export class DestinationRefusedError extends Error {
  readonly code = 'DESTINATION_REFUSED';
}

/**
 * Sends the request and reads the whole response; rejects on network errors, timeouts and
 * destinations the gateway's outbound rules refuse.
 */
export async function send(services: PolicyServices, request: OutgoingRequest, timeoutMs: number, signal?: AbortSignal): Promise<IncomingResponse> {
  const url = new URL(request.url);
  const refused = await refusedDestination(url, services.outbound, services.now());
  if (refused !== undefined) throw new DestinationRefusedError(`requests to ${refused} are not allowed from policies`);
  const dispatcher = services.dispatcher;
  const response = await (dispatcher ?? getGlobalDispatcher()).request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  const headers: string[] = [];
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.push(name, v);
    else headers.push(name, value);
  }
  return { status: response.statusCode, headers, body };
}
