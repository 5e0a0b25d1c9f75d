import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Counters } from '../../counters/index.ts';
import type { PolicyElement, PolicyNode, SectionName } from '../document/tree.ts';
import type { PolicyCache } from './cache.ts';
import type { OutboundRules } from './outbound.ts';
import type { PolicyContext } from './context.ts';

/**
 * What a policy step returns: `undefined` to continue with the next step; `RESPOND` when the
 * step has put the response to send in `pc.response` and the pipeline stops there
 * (return-response, mock-response, a cache hit); a PolicyFailure to jump to `on-error`.
 * Steps do not throw for control flow: an exception is a bug the runner turns into an
 * `on-error` entry naming the policy.
 */
export type Outcome = undefined | typeof RESPOND | typeof TO_OUTBOUND | PolicyFailure;

export const RESPOND = 'respond' as const;
/** From inbound: the response is in place (a cache hit); skip the backend, run outbound. */
export const TO_OUTBOUND = 'outbound' as const;

/** Azure's `context.LastError`. */
export interface LastError {
  readonly source: string;
  readonly reason: string;
  readonly message: string;
  readonly scope: string;
  readonly section: string;
  readonly path: string;
  readonly policyId: string;
}

export interface PolicyFailure {
  readonly kind: 'error';
  readonly reason: string;
  readonly message: string;
  /** The response the caller gets unless on-error changes it (default: 500 Internal server error). */
  readonly response?: ResponseState;
  /** Set by the runner: where the failure happened. */
  lastError?: LastError;
}

export function failure(reason: string, message: string, response?: ResponseState): PolicyFailure {
  return { kind: 'error', reason, message, response };
}

/** The response under construction (outbound and on-error edit it in place). */
export interface ResponseState {
  status: number;
  reason: string;
  /** Flat name/value list. */
  headers: string[];
  body: Readable | Buffer | string | null;
}

export type StepRun = (pc: PolicyContext) => Outcome | Promise<Outcome>;

/** A compiled policy element: its runner and where it sits, for `context.LastError`. */
export interface Step {
  readonly name: string;
  readonly run: StepRun;
  readonly section: SectionName;
  /** global, workspace, product, api, operation (or the fragment's) scope of the element. */
  readonly scope: string;
  /** Azure's path: `choose[1]\when[1]\set-header[2]`. */
  readonly path: string;
  /** The element's `id` attribute, if any. */
  readonly policyId: string;
  /** An expression of the element reads a message body: buffer it before running the step. */
  readonly needsBody: boolean;
}

/** A string value of an attribute or element: a constant or a compiled expression. */
export type Value = (pc: PolicyContext) => string;
/** The raw result of an expression (a bool, an int, a JObject…), or the constant text. */
export type RawValue = (pc: PolicyContext) => unknown;

/** A sink for log-to-eventhub: the logger resource's HTTP endpoint or file. */
export type LogSink = (message: string, partition: string | undefined) => void;

/** Everything policies share across requests, given once to the compiler. */
export interface PolicyServices {
  readonly counters: Counters;
  readonly cache: PolicyCache;
  /** The clock, epoch milliseconds (windows, TTLs, token lifetimes). */
  readonly now: () => number;
  readonly random?: () => number;
  /**
   * The limit policies (rate-limit, rate-limit-by-key, quota, quota-by-key) that refuse calls
   * with 503 when the counters cannot answer. The others let calls through (fail open), which is
   * the default for all: a counter store outage does not take the APIs down.
   */
  readonly failClosed?: readonly string[];
  /** The largest body a policy may read into memory (64 MiB by default): beyond, 413 (request) or 502 (response). */
  readonly maxBodyBytes?: number;
  /** Warnings about the configuration or shared services (never secrets). */
  readonly log: (message: string) => void;
  /** For send-request, send-one-way-request and key fetches; undici's global dispatcher by default. */
  readonly dispatcher?: Dispatcher;
  /** Where send-request, send-one-way-request and logger endpoints may go (see outbound.ts). */
  readonly outbound?: OutboundRules;
  /**
   * Hosts validate-jwt may fetch `openid-config` and JWKS documents from (exact host names, or
   * `*.example.com`). Undefined: the common public identity providers (validate-jwt/keys.ts);
   * empty: no fetches.
   */
  readonly keyHosts?: readonly string[];
  /** The logger resource named by log-to-eventhub, in the document's workspace. */
  readonly logger?: (id: string, workspace: string) => LogSink | undefined;
  /** Where emit-metric sends custom metrics (namespace, name, value, dimensions); none by default. */
  readonly metric?: (namespace: string, name: string, value: number, dimensions: Readonly<Record<string, string>>) => void;
  /** `context.Deployment.ServiceName`. */
  readonly serviceName?: string;
  /**
   * Called after every step (nested ones included) with its outcome: what a policy test run
   * prints (`atrium policy test`). Absent on gateways.
   */
  readonly onStep?: (step: Step, outcome: Outcome, pc: PolicyContext) => void;
  /** Whether `context.Tracing` is on; traces then go to `trace`. */
  readonly trace?: (source: string, severity: string, message: string) => void;
}

/** What a policy's factory is given to compile one element. */
export interface CompileInput {
  readonly element: PolicyElement;
  readonly section: SectionName;
  readonly services: PolicyServices;
  /** The workspace of the document the element came from ('' at service level). */
  readonly workspace: string;
  /** The scope level the element came from (global, product, api…). */
  readonly scope: string;
  /** The id of the resource owning the document the element came from (for counter keys). */
  readonly scopeId: string;
  /**
   * The operation's definition (its `apiOperations` record properties: request, responses with
   * representations and examples), when the pipeline is compiled for one operation.
   */
  readonly operation: Readonly<Record<string, unknown>> | undefined;
  /** Azure paths of the enclosing elements (`choose[1]`, `when[1]`…), outermost first. */
  readonly ancestors: readonly string[];
  /** Compiles an attribute's value (constant or expression); undefined when absent. */
  value(name: string, of?: PolicyElement): Value | undefined;
  raw(name: string, of?: PolicyElement): RawValue | undefined;
  /** An attribute read at compile time (expressions not allowed there). */
  constant(name: string, of?: PolicyElement): string | undefined;
  /** Whether an attribute holds a policy expression (`@(…)`, `@{…}`) rather than a constant. */
  isExpression(name: string, of?: PolicyElement): boolean;
  /** The text content of an element (the policy's own by default), constant or expression. */
  text(of?: PolicyElement): Value | undefined;
  rawText(of?: PolicyElement): RawValue | undefined;
  /** Compiles nested policies (the content of `when`, `retry`…). */
  steps(nodes: readonly PolicyNode[], container: string): readonly Step[];
  /** The JSON schema document of the schema resource `id` of the document's workspace (validate-content). */
  schema(id: string): unknown;
  /** The document of the API's schema `id` (`{ components }` or `{ definitions }`) (validate-content). */
  apiSchema(id: string): unknown;
  /** The sink of the logger resource `id` of the document's workspace (log-to-eventhub). */
  logger(id: string): LogSink | undefined;
  /** Child elements with this name. */
  children(name: string, of?: PolicyElement): PolicyElement[];
  child(name: string, of?: PolicyElement): PolicyElement | undefined;
  /** A configuration error at compile time, located at the element. */
  fail(message: string): never;
}

/** A policy's runtime: compiles one element into the step's runner. */
export type PolicyFactory = (input: CompileInput) => StepRun;
