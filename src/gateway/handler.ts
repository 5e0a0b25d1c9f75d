import { randomFillSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { RequestLogRecord } from '../store/store.ts';
import { errorResponse, FORWARD, type GatewayContext, type GatewayError, type GatewayRequest, type GatewayResponse, type PipelineResult } from './context.ts';
import type { CompiledApi, CompiledOperation, Snapshot, SubscriptionEntry, UpstreamTarget } from './snapshot.ts';
import type { MatchedParameters } from './template.ts';
import { checkSubscriptionKey, INVALID_KEY_MESSAGE, MISSING_KEY_MESSAGE } from './subscriptions.ts';
import type { UpstreamClient } from './upstream.ts';
import { UpstreamBody } from './upstream-body.ts';

/**
 * The life of a gateway request (docs/architecture.md): status probe → snapshot → route (404) →
 * API health (500) → operation (404) → subscription key (401) → the operation's pipeline (by
 * default: forward, 502/504 on backend failures) → response streamed back → one outcome reported
 * to the observer (request log, metrics) after the response is finished.
 */

export const STATUS_PATH = '/status-0123456789abcdef';

/** What one request did, as the observer (request log, metrics) receives it: the log record's figures with the compiled objects instead of ids. */
export type RequestOutcome = Pick<
  RequestLogRecord,
  'time' | 'requestId' | 'method' | 'url' | 'status' | 'responseTimeMs' | 'backendTimeMs' | 'requestSize' | 'responseSize' | 'clientIp' | 'error'
> & {
  readonly gatewayId: string;
  readonly snapshot: Snapshot | undefined;
  readonly api: CompiledApi | undefined;
  readonly operation: CompiledOperation | undefined;
  readonly subscription: SubscriptionEntry | undefined;
  readonly productKey: string | undefined;
};

export interface RequestObserver {
  started(gatewayId: string): void;
  finished(outcome: RequestOutcome): void;
}

export interface GatewayHandlerOptions {
  readonly gatewayId: string;
  readonly snapshot: () => Snapshot | undefined;
  readonly upstream: UpstreamClient;
  readonly observer?: RequestObserver;
  /** The scheme clients used to reach this listener (X-Forwarded-Proto). */
  readonly protocol?: 'http' | 'https';
}

/** Request headers never passed on as received: hop-by-hop ones and those the gateway sets itself. */
const REQUEST_SKIP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  // The listener has already answered `100 Continue` to the client.
  'expect',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'traceparent',
]);

const NOT_FOUND_MESSAGE = 'Resource not found';

export function createGatewayHandler(options: GatewayHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { gatewayId, upstream, observer } = options;
  const protocol = options.protocol ?? 'http';

  return function handleGatewayRequest(req, res) {
    const url = req.url ?? '/';
    if (url === STATUS_PATH) {
      const ready = options.snapshot() !== undefined;
      res.writeHead(ready ? 200 : 503, ['content-type', 'text/plain', 'content-length', ready ? '2' : '11']);
      res.end(ready ? 'OK' : 'Unavailable');
      return;
    }
    const started = performance.now();
    const socket = req.socket;
    const bytesReadAtStart = socket.bytesRead;
    const bytesWrittenAtStart = socket.bytesWritten;
    observer?.started(gatewayId);
    const snapshot = options.snapshot();
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    let parsedQuery: URLSearchParams | undefined;
    const getQuery = (): URLSearchParams => (parsedQuery ??= new URLSearchParams(query));
    const clientIp = clientAddress(req);
    const requestId = randomUUID();

    let api: CompiledApi | undefined;
    let operation: CompiledOperation | undefined;
    let subscription: SubscriptionEntry | undefined;
    let productKey: string | undefined;
    let error: string | null = null;
    let ctx: GatewayContext | undefined;

    const finish = (status: number): void => {
      if (!observer) return;
      const contentLength = req.headers['content-length'];
      observer.finished({
        time: isoNow(),
        requestId,
        gatewayId,
        snapshot,
        api,
        operation,
        subscription,
        productKey,
        method: req.method ?? 'GET',
        url: logUrl(),
        status,
        responseTimeMs: performance.now() - started,
        backendTimeMs: ctx?.backendTimeMs ?? null,
        requestSize: contentLength !== undefined ? Number(contentLength) || 0 : Math.max(0, socket.bytesRead - bytesReadAtStart),
        responseSize: Math.max(0, socket.bytesWritten - bytesWrittenAtStart),
        clientIp,
        error: ctx?.lastError ? `${ctx.lastError.reason}: ${ctx.lastError.message}` : error,
      });
    };

    /** The URL as logged: without the subscription key (the API's query name, or the default one when no API matched). */
    const logUrl = (): string => {
      const name = api?.keyQuery ?? 'subscription-key';
      return query !== '' && query.includes(name) ? withoutQueryParameter(path, getQuery(), name) : url;
    };

    const reply = (response: GatewayResponse): void => {
      send(req, res, response, finish);
    };

    if (snapshot === undefined) {
      error = 'GatewayNotReady: no configuration yet';
      return reply(errorResponse(503, 'Service unavailable'));
    }
    const route = snapshot.router.route({ path, query: getQuery, header: (name) => headerValue(req, name), method: req.method ?? 'GET' });
    if (!route.found) {
      error = 'RouteNotFound: no API matches';
      return reply(errorResponse(404, NOT_FOUND_MESSAGE));
    }
    api = route.api;
    if (api.failure !== undefined) {
      error = `ConfigurationError: ${api.failure}`;
      return reply(errorResponse(500, 'Internal server error'));
    }
    operation = route.operation;
    if (operation === undefined) {
      error = 'OperationNotFound: no operation matches';
      return reply(errorResponse(404, NOT_FOUND_MESSAGE));
    }
    let key = headerValue(req, api.keyHeader);
    if (key === undefined && query !== '' && query.includes(api.keyQuery)) key = getQuery().get(api.keyQuery) ?? undefined;
    const check = checkSubscriptionKey(snapshot.subscriptions, api, key);
    if (!check.ok) {
      error = check.reason === 'missing' ? 'SubscriptionKeyNotFound: missing subscription key' : 'SubscriptionKeyInvalid: invalid subscription key';
      const realm = `${protocol}://${req.headers.host ?? ''}/${api.pathSegments.join('/')}`;
      const challenge = `AzureApiManagementKey realm="${realm}",name="${api.keyHeaderName}",type="header"`;
      return reply(errorResponse(401, check.reason === 'missing' ? MISSING_KEY_MESSAGE : INVALID_KEY_MESSAGE, ['www-authenticate', challenge]));
    }
    subscription = check.subscription;
    productKey = check.productKey;

    const pipeline = operation.pipeline;
    const method = req.method ?? 'GET';
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const request: GatewayRequest = api.stripKey
      ? { method, path: route.remainder, query: withoutParameter(query, api.keyQuery), headers: withoutHeader(forwardedHeaders(req, clientIp, protocol), api.keyHeader), body: hasBody ? req : null }
      : { method, path: route.remainder, query, headers: forwardedHeaders(req, clientIp, protocol), body: hasBody ? req : null };
    const context = new RequestContext(requestId, gatewayId, snapshot, api, operation, route.matchedParameters, subscription, productKey, clientIp, `${protocol}://${req.headers.host ?? ''}${url}`, request, upstream);
    ctx = context;
    // The one place a client's departure is noticed: the backend call (forwarded, streamed or
    // made by a policy) is abandoned through the context.
    res.once('close', () => {
      if (!res.writableFinished) context.leave();
    });
    // No policy, or policies done with the request and wanting nothing of the response: the
    // upstream response is written straight to the client.
    const streamUpstream = (): void => {
      res.once('close', () => finish(res.headersSent ? res.statusCode : 499));
      upstream.stream(context, res);
    };
    if (pipeline === undefined) return streamUpstream();
    const failed = (thrown: Error): void => {
      context.lastError = { source: operation!.name, reason: 'PipelineError', message: thrown?.message ?? String(thrown) };
      reply(errorResponse(500, 'Internal server error'));
    };
    let outcome: PipelineResult | Promise<PipelineResult>;
    try {
      outcome = pipeline(context);
    } catch (thrown) {
      // A pipeline that throws is a bug too, not a crash.
      return failed(thrown as Error);
    }
    if (outcome === FORWARD) return streamUpstream();
    if (!(outcome instanceof Promise)) return reply(outcome);
    outcome
      .then((result) => (result === FORWARD ? streamUpstream() : reply(result)), failed)
      .catch(() => res.destroy());
  };
}

/**
 * One request's GatewayContext. A class rather than an object literal, so that every request's
 * context shares one hidden class (a literal with an accessor would get its own).
 */
class RequestContext implements GatewayContext {
  readonly requestId: string;
  readonly gatewayId: string;
  readonly snapshot: Snapshot;
  readonly api: CompiledApi;
  readonly operation: CompiledOperation;
  readonly matchedParameters: MatchedParameters;
  readonly subscription: SubscriptionEntry | undefined;
  readonly productKey: string | undefined;
  readonly clientIp: string;
  readonly originalUrl: string;
  readonly request: GatewayRequest;
  upstream: UpstreamTarget | undefined;
  timeoutMs: number;
  lastError: GatewayError | undefined = undefined;
  backendTimeMs: number | null = null;
  clientGone = false;
  abortBackend: ((reason: Error) => void) | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  readonly #client: UpstreamClient;

  constructor(requestId: string, gatewayId: string, snapshot: Snapshot, api: CompiledApi, operation: CompiledOperation, matchedParameters: MatchedParameters, subscription: SubscriptionEntry | undefined, productKey: string | undefined, clientIp: string, originalUrl: string, request: GatewayRequest, client: UpstreamClient) {
    this.requestId = requestId;
    this.gatewayId = gatewayId;
    this.snapshot = snapshot;
    this.api = api;
    this.operation = operation;
    this.matchedParameters = matchedParameters;
    this.subscription = subscription;
    this.productKey = productKey;
    this.clientIp = clientIp;
    this.originalUrl = originalUrl;
    this.request = request;
    this.upstream = api.upstream;
    this.timeoutMs = client.defaultTimeoutMs;
    this.#client = client;
  }

  /** Created on first use: most requests never ask. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.clientGone) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  forward(): Promise<GatewayResponse> {
    return this.#client.forward(this);
  }

  /** The client went away before its response was finished: whatever waits for it stops. */
  leave(): void {
    this.clientGone = true;
    this.#controller?.abort();
    this.abortBackend?.(new Error('client closed the connection'));
  }
}

/** Writes the response and streams its body; reports the outcome once the exchange is over. */
function send(req: IncomingMessage, res: ServerResponse, response: GatewayResponse, finish: (status: number) => void): void {
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    finish(response.status);
  };
  res.once('close', report);
  if (res.destroyed) {
    if (response.body instanceof Readable) discard(response.body);
    return report();
  }
  // Whatever the client sent that nobody read is drained, so the connection can be reused.
  if (!req.complete && req.readableFlowing === null) req.resume();
  const body = response.body;
  try {
    res.writeHead(response.status, response.headers);
  } catch {
    // A status or header a pipeline produced that HTTP cannot carry: a 500 instead.
    if (body instanceof Readable) discard(body);
    const fallback = errorResponse(500, 'Internal server error');
    res.writeHead(fallback.status, fallback.headers);
    res.end(fallback.body);
    return;
  }
  if (body === null || req.method === 'HEAD') {
    if (body instanceof Readable) discard(body);
    res.end();
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.end(body);
  } else if (body instanceof UpstreamBody && body.sendTo(res)) {
    // The backend's body, untouched by policies: written as it arrives, without a stream.
  } else {
    body.on('error', () => res.destroy());
    res.once('close', () => {
      if (!body.destroyed) body.destroy();
    });
    body.pipe(res);
  }
}

/**
 * The time now as ISO 8601 text (`Date#toISOString`), for the request log. Formatting a date is a
 * noticeable share of a request's cost, so the text up to the second is kept and only the
 * milliseconds are written per request.
 */
export function isoNow(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== isoSecond) {
    const iso = new Date(second * 1000).toISOString();
    isoPrefix = iso.slice(0, iso.length - 4); // without "000Z"
    isoSecond = second;
  }
  const ms = now - second * 1000;
  return `${isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

let isoSecond = Number.NaN;
let isoPrefix = '';

/** Drops a body nobody will read; the abort error it may emit is expected. */
function discard(body: Readable): void {
  body.on('error', ignore);
  body.destroy();
}

function ignore(): void {}

function headerValue(req: IncomingMessage, lowerCaseName: string): string | undefined {
  const value = req.headers[lowerCaseName];
  return Array.isArray(value) ? value[0] : value;
}

function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** A flat header list without `lowerName`. */
function withoutHeader(headers: string[], lowerName: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() !== lowerName) out.push(headers[i], headers[i + 1]);
  return out;
}

/** A query string without the parameter `name`. */
function withoutParameter(query: string, name: string): string {
  if (query === '' || !query.includes(name)) return query;
  const params = new URLSearchParams(query);
  params.delete(name);
  return params.toString();
}

function forwardedHeaders(req: IncomingMessage, clientIp: string, protocol: string): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  const connection = req.headers.connection;
  const named = connection !== undefined && connection !== 'keep-alive' && connection !== 'close' ? connection.toLowerCase().split(/\s*,\s*/) : undefined;
  let forwardedFor: string | undefined;
  let traceparent: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    if (REQUEST_SKIP.has(lower)) {
      if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? raw[i + 1] : `${forwardedFor}, ${raw[i + 1]}`;
      else if (lower === 'traceparent') traceparent = raw[i + 1];
      continue;
    }
    if (named !== undefined && named.includes(lower)) continue;
    out.push(name, raw[i + 1]);
  }
  out.push(
    'x-forwarded-for',
    forwardedFor === undefined ? clientIp : `${forwardedFor}, ${clientIp}`,
    'x-forwarded-proto',
    protocol,
    'x-forwarded-host',
    req.headers.host ?? '',
    'traceparent',
    nextTraceparent(traceparent),
  );
  return out;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);

/** W3C trace context: keep the caller's trace, with the gateway's own span as the parent. */
export function nextTraceparent(incoming: string | undefined): string {
  const match = incoming === undefined ? null : TRACEPARENT.exec(incoming.trim().toLowerCase());
  if (match && match[1] !== ZERO_TRACE) return `00-${match[1]}-${randomHex(8)}-${match[2]}`;
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

function withoutQueryParameter(path: string, query: URLSearchParams, name: string): string {
  const copy = new URLSearchParams(query);
  copy.delete(name);
  const rest = copy.toString();
  return rest === '' ? path : `${path}?${rest}`;
}
