import { Readable } from 'node:stream';
import type { GatewayContext } from '../../gateway/context.ts';
import { createExpressionContext, type BodySource, type ContextSource, type ExpressionContext, type ResponseSource, type UrlSource } from '../expressions/index.ts';
import { getHeader, removeHeader, setHeader } from './headers.ts';
import type { LastError, PolicyServices, ResponseState } from './types.ts';

/**
 * The per-request state of a policy pipeline, on top of the gateway's context: the request is
 * edited in place in `gateway.request`, the response under construction is `response`, the
 * variables live here. It is also the `ContextSource` of policy expressions: the expression
 * context is built on first use and rebuilt only after a policy changed the request or response.
 */
export class PolicyContext {
  readonly gateway: GatewayContext;
  readonly services: PolicyServices;
  readonly variables = new Map<string, unknown>();
  response: ResponseState | undefined;
  lastError: LastError | undefined;
  /** Set by the runner before each section. */
  section = 'inbound';
  /** The request body must survive forwarding (an outbound expression reads it). */
  readonly keepRequestBody: boolean;
  /** State cache-lookup leaves for cache-store. */
  cacheKey: string | undefined;
  /** cache-lookup's downstream-caching-type, for cache-store. */
  cacheDownstream: string | undefined;
  /** A cache hit answered the request. */
  cacheHit = false;
  /** Whether the backend was called. */
  forwarded = false;
  /** When the pipeline started (epoch ms): `context.Timestamp`, and what `context.Elapsed` counts from. */
  readonly started: number;
  private originalUrlSource: UrlSource | undefined;
  private sourceObject: ExpressionSource | undefined;
  private requestSourceObject: RequestSource | undefined;
  private expression: ExpressionContext | undefined;
  private finishers: (() => unknown)[] | undefined;

  private readonly originalPath: string;
  private readonly originalQuery: string;

  constructor(gateway: GatewayContext, services: PolicyServices, keepRequestBody: boolean) {
    this.gateway = gateway;
    this.originalPath = gateway.request.path;
    this.originalQuery = gateway.request.query;
    this.services = services;
    this.keepRequestBody = keepRequestBody;
    this.started = services.now();
  }

  /** The URL the caller used, as it was before any policy ran (read on first use, before changes). */
  private originalUrl(): UrlSource {
    if (this.originalUrlSource === undefined) {
      const gateway = this.gateway;
      const host = getHeader(gateway.request.headers, 'x-forwarded-host') ?? 'localhost';
      const proto = getHeader(gateway.request.headers, 'x-forwarded-proto') ?? 'http';
      const apiPath = gateway.api.pathSegments.length > 0 ? `/${gateway.api.pathSegments.join('/')}` : '';
      this.originalUrlSource = urlSource(`${proto}://${host}`, apiPath + this.originalPath, this.originalQuery);
    }
    return this.originalUrlSource;
  }

  /** The expression context, as of the current request and response. */
  expr(): ExpressionContext {
    let expression = this.expression;
    if (expression === undefined) {
      const served = this.requestSourceObject;
      if (served !== undefined) served.headersServed = served.urlServed = false;
      this.responseHeadersServed = false;
      expression = this.expression = createExpressionContext(this.source());
    }
    return expression;
  }

  /**
   * A policy changed the request or response: expressions see the change from now on. The
   * expression context keeps what it has read (header dictionaries, URLs): when a changed part
   * was read by it, it drops what it read of the message (and keeps the rest: variables, the
   * request id); a change not named builds a new context.
   */
  touch(part?: 'headers' | 'url' | 'method' | 'status' | 'response-headers'): void {
    const expression = this.expression;
    if (expression === undefined) return;
    const served = this.requestSourceObject;
    switch (part) {
      case 'method':
      case 'status':
        return; // read live by the expression context
      case 'headers':
        if (served !== undefined && !served.headersServed) return;
        break;
      case 'url':
        if (served !== undefined && !served.urlServed) return;
        break;
      case 'response-headers':
        if (!this.responseHeadersServed) return;
        break;
      default:
        this.expression = undefined;
        return;
    }
    expression.refresh();
    if (served !== undefined) served.headersServed = served.urlServed = false;
    this.responseHeadersServed = false;
  }

  /** Set when the current expression context read the response's headers. */
  responseHeadersServed = false;

  /** Runs `fn` once the response is final (after outbound or on-error). */
  onFinish(fn: () => unknown): void {
    (this.finishers ??= []).push(fn);
  }

  /** Whether anything waits for the final response (`onFinish`). */
  get finishing(): boolean {
    return this.finishers !== undefined;
  }

  async finish(): Promise<void> {
    const list = this.finishers;
    if (list === undefined) return;
    this.finishers = undefined;
    for (const fn of list) {
      try {
        await fn();
      } catch (error) {
        this.services.log(`policy: a step after the response failed: ${(error as Error).message}`);
      }
    }
  }

  /** The request body, read into memory once (the stream is replaced by the buffer). */
  async requestBody(): Promise<Buffer> {
    const request = this.gateway.request;
    const buffer = await toBuffer(request.body, this.services.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'request');
    request.body = buffer.length === 0 && request.body === null ? null : buffer;
    return buffer;
  }

  setRequestBody(body: Buffer | string | null): void {
    const request = this.gateway.request;
    request.body = body;
    removeHeader(request.headers, 'transfer-encoding');
    if (body === null) removeHeader(request.headers, 'content-length');
    else setHeader(request.headers, 'content-length', String(Buffer.byteLength(body)));
    this.touch();
  }

  /** The response body, read into memory once. */
  async responseBody(): Promise<Buffer> {
    const response = this.response;
    if (response === undefined) return Buffer.alloc(0);
    const buffer = await toBuffer(response.body, this.services.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'response');
    response.body = buffer;
    return buffer;
  }

  setResponseBody(body: Buffer | string | null): void {
    const response = this.ensureResponse();
    // A backend body nobody read is released, so its connection goes back to the pool.
    if (response.body instanceof Readable) discard(response.body);
    response.body = body;
    removeHeader(response.headers, 'transfer-encoding');
    setHeader(response.headers, 'content-length', String(body === null ? 0 : Buffer.byteLength(body)));
    this.touch();
  }

  /** Before a step whose expressions read a body: both bodies in memory, so reading is synchronous. */
  async bufferBodies(): Promise<void> {
    if (!this.forwarded || this.keepRequestBody) {
      const body = this.gateway.request.body;
      if (body !== null && !Buffer.isBuffer(body) && typeof body !== 'string') await this.requestBody();
    }
    const response = this.response;
    if (response !== undefined && response.body !== null && !Buffer.isBuffer(response.body) && typeof response.body !== 'string') await this.responseBody();
  }

  /** The response to edit; an empty 200 when none exists yet (set-status in inbound, for instance). */
  ensureResponse(): ResponseState {
    if (this.response === undefined) {
      this.response = { status: 200, reason: 'OK', headers: [], body: null };
      this.touch();
    }
    return this.response;
  }

  setResponse(response: ResponseState): void {
    const previous = this.response?.body;
    if (previous instanceof Readable && previous !== response.body) discard(previous);
    this.response = response;
    this.touch();
  }

  private source(): ContextSource {
    return (this.sourceObject ??= new ExpressionSource(this));
  }

  /** The request as expressions see it: live, so one serves every expression context of the request. */
  requestSource(): RequestSource {
    return (this.requestSourceObject ??= new RequestSource(this));
  }

  /** The caller's URL, for `context.Request.OriginalUrl`. */
  originalUrlForExpressions(): UrlSource {
    return this.originalUrl();
  }
}

/**
 * `ContextSource` for policy expressions, read lazily: the parts that do not change during a
 * request (API, operation, deployment) are built once per API, operation and gateway.
 */
class ExpressionSource implements ContextSource {
  private readonly pc: PolicyContext;
  constructor(pc: PolicyContext) {
    this.pc = pc;
  }
  get request(): ContextSource['request'] {
    return this.pc.requestSource();
  }
  get response(): ResponseSource | null {
    const response = this.pc.response;
    return response === undefined ? null : responseSource(response, this.pc);
  }
  get variables(): Map<string, unknown> {
    return this.pc.variables;
  }
  get subscription(): ContextSource['subscription'] {
    const gateway = this.pc.gateway;
    const subscription = gateway.subscription;
    if (subscription === undefined) return null;
    return new SubscriptionSource(subscription.name, gateway.request, gateway.api);
  }
  get user(): ContextSource['user'] {
    const owner = this.pc.gateway.subscription?.ownerId;
    return owner ? { id: owner.split('/').pop() ?? owner } : null;
  }
  get api(): ContextSource['api'] {
    const api = this.pc.gateway.api;
    let info = apiInfos.get(api);
    if (info === undefined) {
      info = { id: api.name, name: api.name, path: api.pathSegments.join('/'), revision: api.revision, version: api.apiVersion, isCurrentRevision: api.isCurrent, serviceUrl: api.upstream?.url ?? null };
      apiInfos.set(api, info);
    }
    return info;
  }
  get operation(): ContextSource['operation'] {
    const operation = this.pc.gateway.operation;
    let info = operationInfos.get(operation);
    if (info === undefined) {
      info = { id: operation.name, name: operation.name, method: operation.method, urlTemplate: operation.template.source };
      operationInfos.set(operation, info);
    }
    return info;
  }
  get product(): ContextSource['product'] {
    const gateway = this.pc.gateway;
    const productId = gateway.productKey ? gateway.snapshot.subscriptions.productIds.get(gateway.productKey) : undefined;
    if (!productId) return null;
    const name = productId.split('/').pop()!;
    return { id: name, name };
  }
  get deployment(): ContextSource['deployment'] {
    const gatewayId = this.pc.gateway.gatewayId;
    return { gatewayId, serviceName: this.pc.services.serviceName ?? 'atrium', region: '', isManaged: gatewayId === 'managed' };
  }
  get lastError(): ContextSource['lastError'] {
    return this.pc.lastError ?? null;
  }
  get requestId(): string {
    return this.pc.gateway.requestId;
  }
  /** The gateway makes request ids with `randomUUID`, test runs with a fixed canonical one. */
  get requestIdCanonical(): boolean {
    return true;
  }
  get timestamp(): number {
    return this.pc.started;
  }
  get tracing(): boolean {
    return this.pc.services.trace !== undefined;
  }
  trace(message: string): void {
    this.pc.services.trace?.('expression', 'verbose', message);
  }
  now(): number {
    return this.pc.services.now();
  }
  random(): number {
    return this.pc.services.random ? this.pc.services.random() : Math.random();
  }
}

const apiInfos = new WeakMap<object, NonNullable<ContextSource['api']>>();
const operationInfos = new WeakMap<object, NonNullable<ContextSource['operation']>>();

/** `context.Request` as of now: every member reads the gateway's request when asked. */
class RequestSource {
  private readonly pc: PolicyContext;
  private bodySource: BodySource | undefined;
  /** Whether the current expression context has read (and keeps) the headers, the URL. */
  headersServed = false;
  urlServed = false;
  constructor(pc: PolicyContext) {
    this.pc = pc;
  }
  get method(): string {
    return this.pc.gateway.request.method;
  }
  get url(): UrlSource {
    this.urlServed = true;
    const gateway = this.pc.gateway;
    const request = gateway.request;
    const target = gateway.upstream;
    return target
      ? urlSource(target.origin, target.basePath + request.path, joinQuery(target.baseQuery, request.query))
      : urlSource('http://localhost', request.path, request.query);
  }
  get originalUrl(): UrlSource | string {
    const given = this.pc.gateway.originalUrl;
    return typeof given === 'string' && given.includes('://') ? given : this.pc.originalUrlForExpressions();
  }
  get headers(): readonly string[] {
    this.headersServed = true;
    return this.pc.gateway.request.headers;
  }
  get body(): BodySource | null {
    const request = this.pc.gateway.request;
    if (request.body === null) return null;
    return (this.bodySource ??= {
      load: () => {
        const body = request.body;
        return Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : '';
      },
      // Reading a body without preserveContent consumes it, as in Azure.
      onConsumed: () => {
        request.body = null;
        removeHeader(request.headers, 'content-length');
      },
    });
  }
  get matchedParameters(): Record<string, string> {
    return this.pc.gateway.matchedParameters as Record<string, string>;
  }
  get ipAddress(): string {
    return this.pc.gateway.clientIp;
  }
}

/**
 * `context.Subscription` for expressions; its key is read from the request only when asked.
 * Classes rather than object literals with accessors, which would each get a hidden class.
 */
class SubscriptionSource {
  readonly id: string;
  readonly name: string;
  readonly #request: GatewayContext['request'];
  readonly #api: GatewayContext['api'];
  constructor(name: string, request: GatewayContext['request'], api: GatewayContext['api']) {
    this.id = name;
    this.name = name;
    this.#request = request;
    this.#api = api;
  }
  get key(): string | undefined {
    return getHeader(this.#request.headers, this.#api.keyHeader) ?? new URLSearchParams(this.#request.query).get(this.#api.keyQuery) ?? undefined;
  }
}

/** `context.Response` for expressions, live over the response under construction. */
class LiveResponseSource implements ResponseSource {
  readonly #response: ResponseState;
  readonly #pc: PolicyContext;
  readonly body: ResponseSource['body'];
  constructor(response: ResponseState, pc: PolicyContext) {
    this.#response = response;
    this.#pc = pc;
    this.body =
      response.body === null
        ? null
        : {
            load: () => {
              const body = response.body;
              return Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : '';
            },
            onConsumed: () => {
              response.body = null;
              setHeader(response.headers, 'content-length', '0');
            },
          };
  }
  get statusCode(): number {
    return this.#response.status;
  }
  get statusReason(): string {
    return this.#response.reason;
  }
  get headers(): readonly string[] {
    this.#pc.responseHeadersServed = true;
    return this.#response.headers;
  }
}

function responseSource(response: ResponseState, pc: PolicyContext): ResponseSource {
  return new LiveResponseSource(response, pc);
}

function urlSource(origin: string, path: string, query: string): UrlSource {
  const colon = origin.indexOf('://');
  const scheme = origin.slice(0, colon);
  const authority = origin.slice(colon + 3);
  const portAt = authority.lastIndexOf(':');
  const bracket = authority.lastIndexOf(']');
  const hasPort = portAt > bracket && portAt !== -1;
  return {
    scheme,
    host: hasPort ? authority.slice(0, portAt) : authority,
    port: hasPort ? Number(authority.slice(portAt + 1)) : undefined,
    path: path === '' ? '/' : path,
    query,
  };
}

function joinQuery(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}&${b}`;
}

/** Bodies a policy reads are held in memory up to this size by default (64 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A body a policy needed is larger than the gateway reads into memory. */
export class BodyTooLargeError extends Error {
  readonly which: 'request' | 'response';
  constructor(which: 'request' | 'response', limit: number) {
    super(`The ${which} body is larger than the ${limit} bytes a policy may read.`);
    this.name = 'BodyTooLargeError';
    this.which = which;
  }
}

export async function toBuffer(body: Readable | Buffer | string | null, limit = Infinity, which: 'request' | 'response' = 'request'): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw new BodyTooLargeError(which, limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}
