import type { Readable } from 'node:stream';
import type { CompiledApi, CompiledOperation, Snapshot, SubscriptionEntry, UpstreamTarget } from './snapshot.ts';
import type { MatchedParameters } from './template.ts';

/**
 * The request context a pipeline runs on, and the seam where compiled policy pipelines plug in.
 *
 * A `Pipeline` is what one operation does with a request once it is routed and its key checked:
 * the default forwards it as it is (`forwardPipeline`). A compiled policy document (inbound →
 * backend → outbound → on-error) is a Pipeline too: it may change `ctx.request` and
 * `ctx.upstream`, answer without calling the backend, call `ctx.forward()` (the backend section's
 * `forward-request`), and change the response it returns. It returns the response to send, or
 * `FORWARD` when it is done with the request and wants nothing of the response: the gateway then
 * forwards the request as it stands and streams the backend's answer straight to the client, as
 * for an operation without policies. It does not throw for control flow — the gateway turns an
 * exception into a 500 with reason `PipelineError`.
 */
export type Pipeline = (ctx: GatewayContext) => PipelineResult | Promise<PipelineResult>;

/** What a pipeline returns: see `Pipeline`. */
export type PipelineResult = GatewayResponse | typeof FORWARD;

/** A pipeline's answer meaning "forward the request as it stands; the response goes straight to the client". */
export const FORWARD: unique symbol = Symbol('forward');

/** The response of a pipeline, forwarding the request when the pipeline leaves that to its caller. */
export async function pipelineResponse(pipeline: Pipeline, ctx: GatewayContext): Promise<GatewayResponse> {
  const result = await pipeline(ctx);
  return result === FORWARD ? ctx.forward() : result;
}

export interface GatewayRequest {
  method: string;
  /** The path sent to the backend after the backend URL's own path: `''` or beginning with `/`. */
  path: string;
  /** The query string without `?` (the client's, subscription key included as in Azure). */
  query: string;
  /** Headers to send, as a flat name/value list (hop-by-hop headers already removed). */
  headers: string[];
  /** The client's body stream, or a replacement a policy produced; null for none. */
  body: Readable | Buffer | string | null;
}

export interface GatewayResponse {
  readonly status: number;
  /** Flat name/value list. */
  readonly headers: string[];
  readonly body: Readable | Buffer | string | null;
}

/** Azure's `context.LastError` shape, as far as the gateway itself fills it. */
export interface GatewayError {
  readonly source: string;
  readonly reason: string;
  readonly message: string;
}

export interface GatewayContext {
  /** A canonical lower-case UUID (`crypto.randomUUID`): expressions take it as a Guid without parsing. */
  readonly requestId: string;
  readonly gatewayId: string;
  readonly snapshot: Snapshot;
  readonly api: CompiledApi;
  readonly operation: CompiledOperation;
  /** Azure's `context.Request.MatchedParameters`. */
  readonly matchedParameters: MatchedParameters;
  readonly subscription: SubscriptionEntry | undefined;
  /** Key of the product the subscription is scoped to, if any. */
  readonly productKey: string | undefined;
  readonly clientIp: string;
  /** The URL the client called (`context.Request.OriginalUrl`). */
  readonly originalUrl: string;
  readonly request: GatewayRequest;
  /** Where `forward()` sends the request: the API's serviceUrl unless a policy chose a backend. */
  upstream: UpstreamTarget | undefined;
  /** Per-request timeout of the backend call, in milliseconds. */
  timeoutMs: number;
  /** Set by the gateway when forwarding fails, and by pipelines. */
  lastError: GatewayError | undefined;
  /** Milliseconds until the backend's response headers arrived; null when the backend was not called. */
  backendTimeMs: number | null;
  /** Aborted when the client goes away (created on first use: most requests never ask). */
  readonly signal: AbortSignal;
  /** Set by the gateway once the client has gone away before its response was finished. */
  clientGone?: boolean;
  /**
   * Set by the upstream client while a backend exchange is in flight; the gateway calls it when
   * the client goes away, so the backend request is abandoned with it.
   */
  abortBackend?: (reason: Error) => void;
  /** Sends `request` to `upstream`. Never throws: failures come back as Azure's 502/504/500 responses with `lastError` set. */
  forward(): Promise<GatewayResponse>;
}

export const forwardPipeline: Pipeline = function forward() {
  return FORWARD;
};

/** Azure's gateway error body: `{ "statusCode": 404, "message": "Resource not found" }`. */
export function errorResponse(status: number, message: string, extraHeaders: readonly string[] = []): GatewayResponse {
  const body = Buffer.from(JSON.stringify({ statusCode: status, message }));
  return { status, headers: ['content-type', 'application/json; charset=utf-8', 'content-length', String(body.length), ...extraHeaders], body };
}
