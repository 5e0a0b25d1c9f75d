import type { PipelineCompiler, RecordLookup } from '../../gateway/config-follower.ts';
import { forwardPipeline, errorResponse, type GatewayContext, type Pipeline } from '../../gateway/context.ts';
import type { CompiledApi, CompiledOperation, Snapshot } from '../../gateway/snapshot.ts';
import type { ResourceRecord } from '../../store/store.ts';
import { createMemoryCounters } from '../../counters/index.ts';
import { composePolicies, type NamedValue, type PolicyLevel } from '../compose/compose.ts';
import { parsePolicyDocument } from '../document/parser.ts';
import type { PolicyDocument, PolicyElement } from '../document/tree.ts';
import { createMemoryCache } from './cache.ts';
import { compilePolicy, redact } from './compiler.ts';
import { createLogSink } from './loggers.ts';
import type { LogSink, PolicyServices } from './types.ts';

/**
 * The configuration records policies are built from, as the gateway holds them: policy
 * documents (`/policies/policy`, `/workspaces/{w}/policies/policy`, `{product}/policies/policy`,
 * `{api}/policies/policy`, `{operation}/policies/policy`), policy fragments and named values.
 * Keys are lower-cased resource ids. Reads are synchronous: the gateway keeps them in memory.
 */
export interface PolicyRecords {
  get(key: string): ResourceRecord | undefined;
  /** The named values of a workspace (`''`: the service level), to find one by display name. */
  namedValues(workspace: string): Iterable<ResourceRecord>;
  /**
   * Changes whenever one of these records changes. Optional: without it a cached pipeline is
   * checked again whenever the request runs on a new configuration snapshot.
   */
  version?(): number;
}

export interface PolicyPipelinesOptions {
  /** Decrypts a record's secret properties (secret named values). */
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  /** Shared services; in-memory counters and a 64 MiB cache by default. */
  readonly services?: Partial<PolicyServices>;
  readonly log?: (message: string) => void;
}

/** The record kinds policies are built from: what a gateway must follow for them. */
export const policyRecordKinds = ['policies', 'productPolicies', 'apiPolicies', 'apiOperationPolicies', 'policyFragments', 'namedValues', 'loggers', 'schemas', 'apiSchemas'] as const;

/**
 * The policy engine on the gateway's seam (`PipelineCompiler` of the config follower): the
 * follower loads `kinds` and calls `compile` for each operation whenever its API is compiled
 * (and again when one of those records changes). `compile` composes global > workspace > API >
 * operation, and the product level for each product a request comes through (compiled on
 * that product's first request). It throws when the documents cannot be compiled (the API is
 * then marked failing with the message) and returns undefined where no policy applies.
 *
 *   const pipelines = createPolicyCompiler({ reveal, services: { counters: createCounters({ redisUrl }) } });
 *   createGatewayHost({ …, pipelines });
 */
export function createPolicyCompiler(options: PolicyPipelinesOptions): PipelineCompiler & { readonly services: PolicyServices } {
  const context = engine(options);
  return {
    kinds: policyRecordKinds,
    services: context.services,
    compile(api: CompiledApi, operation: CompiledOperation, lookup: RecordLookup): Pipeline | undefined {
      const records: PolicyRecords = { get: (key) => lookup.get(key), namedValues: (ws) => lookup.ofKind('namedValues', ws) };
      const base = buildPipeline(context, records, api, operation, undefined, true).pipeline;
      const productPolicies = [...lookup.ofKind('productPolicies', api.workspace), ...(api.workspace === '' ? [] : lookup.ofKind('productPolicies', ''))];
      if (productPolicies.length === 0) return base === forwardPipeline ? undefined : base;
      const withProduct = new Set(productPolicies.map((r) => r.parentKey));
      const byProduct = new Map<string, Pipeline>();
      return function policies(ctx: GatewayContext) {
        const product = ctx.productKey;
        if (product === undefined || !withProduct.has(product)) return base(ctx);
        let pipeline = byProduct.get(product);
        if (pipeline === undefined) {
          pipeline = buildPipeline(context, records, api, operation, product, false).pipeline;
          byProduct.set(product, pipeline);
        }
        return pipeline(ctx);
      };
    },
  };
}

export interface PolicyPipelines {
  /**
   * The pipeline to give every operation: it runs the composed policies of the request's
   * operation and product, compiled on first use and rebuilt only when a document, fragment
   * or named value it depends on changed. Operations without any policy are forwarded as they are.
   */
  readonly pipeline: Pipeline;
  /** The pipeline for one operation and product (undefined product: a key scoped to all APIs or the API). */
  pipelineFor(snapshot: Snapshot, api: CompiledApi, operation: CompiledOperation, productKey: string | undefined): Pipeline;
  readonly services: PolicyServices;
  /** Drops every compiled pipeline. */
  clear(): void;
}

/**
 * The same engine for a caller that keeps records itself and does not recompile on change:
 * pipelines are cached per (operation, product) and checked against the revisions of every
 * record they were built from (documents, fragments, named values — and those looked for and
 * not found) when a request runs on a new snapshot or `records.version()` moved.
 */
export function createPolicyPipelines(options: PolicyPipelinesOptions & { readonly records: PolicyRecords; readonly maxEntries?: number }): PolicyPipelines {
  const { records } = options;
  const context = engine(options);
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();

  const unchanged = (entry: Entry): boolean => {
    for (const [key, revision] of entry.dependencies) if ((records.get(key)?.revision ?? -1) !== revision) return false;
    return true;
  };

  const pipelineFor = (snapshot: Snapshot, api: CompiledApi, operation: CompiledOperation, productKey: string | undefined): Pipeline => {
    const key = productKey === undefined ? operation.key : `${operation.key}|${productKey}`;
    const entry = entries.get(key);
    const version = records.version?.();
    if (entry !== undefined) {
      if (entry.snapshot === snapshot && entry.version === version) return entry.pipeline;
      if (unchanged(entry)) {
        entry.snapshot = snapshot;
        entry.version = version;
        return entry.pipeline;
      }
    }
    if (entries.size >= maxEntries) entries.clear();
    const built = buildPipeline(context, records, api, operation, productKey, false);
    entries.set(key, { ...built, snapshot, version });
    return built.pipeline;
  };

  return {
    pipeline: function policies(ctx: GatewayContext) {
      return pipelineFor(ctx.snapshot, ctx.api, ctx.operation, ctx.productKey)(ctx);
    },
    pipelineFor,
    services: context.services,
    clear() {
      entries.clear();
      context.parsed.clear();
      context.sinks.clear();
      context.shared.clear();
    },
  };
}

interface Entry {
  readonly pipeline: Pipeline;
  readonly dependencies: readonly (readonly [string, number])[];
  snapshot: Snapshot;
  version: number | undefined;
}

interface Engine {
  readonly services: PolicyServices;
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  readonly log: (message: string) => void;
  /** Parsed documents by record key, reused while the record's revision is the same. */
  readonly parsed: Map<string, { readonly revision: number; readonly document: PolicyDocument | Error }>;
  /**
   * Compiled pipelines shared by operations whose composed policies are the same (no operation
   * policy, nothing reading the operation's definition): keyed by the records they were built
   * from, checked against those records' revisions before reuse.
   */
  readonly shared: Map<string, { readonly pipeline: Pipeline; readonly dependencies: readonly (readonly [string, number])[] }>;
  /** Log sinks by logger record key, reused while the record's revision is the same. */
  readonly sinks: Map<string, { readonly revision: number; readonly sink: LogSink | undefined }>;
}

function engine(options: PolicyPipelinesOptions): Engine {
  const log = options.log ?? (() => undefined);
  const services: PolicyServices = {
    counters: options.services?.counters ?? createMemoryCounters(),
    cache: options.services?.cache ?? createMemoryCache(),
    now: options.services?.now ?? Date.now,
    log: options.services?.log ?? log,
    ...options.services,
  };
  return { services, reveal: options.reveal, log, parsed: new Map(), sinks: new Map(), shared: new Map() };
}

function parse(engine: Engine, record: ResourceRecord): PolicyDocument {
  const hit = engine.parsed.get(record.key);
  if (hit && hit.revision === record.revision) {
    if (hit.document instanceof Error) throw hit.document;
    return hit.document;
  }
  let document: PolicyDocument | Error;
  try {
    const format = String(record.properties.format ?? 'xml') === 'rawxml' ? 'rawxml' : 'xml';
    document = parsePolicyDocument(String(record.properties.value ?? ''), { format });
  } catch (error) {
    document = error as Error;
  }
  engine.parsed.set(record.key, { revision: record.revision, document });
  if (document instanceof Error) throw document;
  return document;
}

/**
 * Composes and compiles the policies of one operation (and product). Records every key it read,
 * with the revision seen (-1: absent). A document that cannot be compiled throws when `raise`,
 * and otherwise gives a pipeline answering 500 with `LastError` reason PolicyConfigurationError.
 */
function buildPipeline(
  engine: Engine,
  records: PolicyRecords,
  api: CompiledApi,
  operation: CompiledOperation,
  productKey: string | undefined,
  raise: boolean,
): { pipeline: Pipeline; dependencies: [string, number][] } {
  const seen = new Map<string, number>();
  const read = (key: string): ResourceRecord | undefined => {
    const record = records.get(key);
    seen.set(key, record?.revision ?? -1);
    return record;
  };
  const namedValue = (name: string, ws: string): NamedValue | undefined => {
    const prefix = ws === '' ? '' : `/workspaces/${ws}`;
    let record = read(`${prefix}/namedvalues/${name.toLowerCase()}`);
    if (!record) {
      const lower = name.toLowerCase();
      for (const candidate of records.namedValues(ws)) {
        if (String(candidate.properties.displayName ?? '').toLowerCase() === lower) {
          record = read(candidate.key);
          break;
        }
      }
    }
    if (!record) return undefined;
    const secret = record.properties.secret === true;
    const value = secret ? engine.reveal(record).value : record.properties.value;
    return { value: typeof value === 'string' ? value : '', secret };
  };
  const workspace = api.workspace;
  const ws = workspace === '' ? undefined : workspace;
  const levelKeys: [PolicyLevel['scope'], string, string | undefined][] = [['global', '/policies/policy', undefined]];
  if (ws !== undefined) levelKeys.push(['workspace', `/workspaces/${ws}/policies/policy`, ws]);
  if (productKey !== undefined) levelKeys.push(['product', `${productKey}/policies/policy`, ws]);
  levelKeys.push(['api', `${api.key}/policies/policy`, ws], ['operation', `${operation.key}/policies/policy`, ws]);
  let pipeline: Pipeline;
  let secrets: readonly string[] = [];
  try {
    const levels: PolicyLevel[] = [];
    for (const [scope, key, levelWorkspace] of levelKeys) {
      const record = read(key);
      if (record) levels.push({ scope, id: record.parentKey || record.key, workspace: levelWorkspace, document: parse(engine, record) });
    }
    if (levels.length === 0) pipeline = forwardPipeline;
    else {
      const { resolved, secretValues } = composePolicies(levels, {
        fragment: (id, fragmentWorkspace) => {
          const record = read(`${fragmentWorkspace ? `/workspaces/${fragmentWorkspace}` : ''}/policyfragments/${id.toLowerCase()}`);
          return record ? parse(engine, record) : undefined;
        },
        namedValue: (name, valueWorkspace) => namedValue(name, valueWorkspace ?? ''),
      });
      const logger = (id: string, loggerWorkspace: string): LogSink | undefined => {
        const record = read(`${loggerWorkspace === '' ? '' : `/workspaces/${loggerWorkspace}`}/loggers/${id.toLowerCase()}`);
        if (record === undefined) return engine.services.logger?.(id, loggerWorkspace);
        const hit = engine.sinks.get(record.key);
        if (hit && hit.revision === record.revision) return hit.sink;
        const sink = createLogSink(record, engine.reveal, { dispatcher: engine.services.dispatcher, log: engine.log, outbound: engine.services.outbound });
        engine.sinks.set(record.key, { revision: record.revision, sink });
        return sink;
      };
      secrets = secretValues;
      const definition = usesOperationDefinition(resolved.root) ? read(operation.key)?.properties : undefined;
      const signature = `${workspace}|${definition ? operation.key : ''}|${[...seen].filter(([, r]) => r !== -1).map(([k, r]) => `${k}@${r}`).sort().join(',')}`;
      const hit = engine.shared.get(signature);
      if (hit !== undefined && hit.dependencies.every(([key, revision]) => (records.get(key)?.revision ?? -1) === revision)) {
        for (const [key, revision] of hit.dependencies) seen.set(key, revision);
        pipeline = hit.pipeline;
      } else {
        const schemas = {
          global: (id: string, schemaWorkspace: string) => {
            const properties = read(`${schemaWorkspace === '' ? '' : `/workspaces/${schemaWorkspace}`}/schemas/${id.toLowerCase()}`)?.properties;
            if (properties === undefined) return undefined;
            return properties.document ?? (typeof properties.value === 'string' ? safeJson(properties.value) : properties.value);
          },
          api: (id: string) => (read(`${api.key}/schemas/${id.toLowerCase()}`)?.properties.document as unknown) ?? undefined,
        };
        pipeline = compilePolicy(resolved, { services: engine.services, workspace, operation: definition, logger, schemas, secrets }).pipeline;
        if (engine.shared.size >= 10_000) engine.shared.clear();
        engine.shared.set(signature, { pipeline, dependencies: [...seen] });
      }
    }
  } catch (error) {
    const message = redact((error as Error).message, secrets);
    if (raise) throw message === (error as Error).message ? error : new Error(message);
    engine.log(`policies of ${operation.id}${productKey ? ` (product ${productKey})` : ''} cannot be compiled: ${message}`);
    pipeline = function brokenPolicies(ctx: GatewayContext) {
      ctx.lastError = { source: 'configuration', reason: 'PolicyConfigurationError', message };
      return Promise.resolve(errorResponse(500, 'Internal server error'));
    };
  }
  return { pipeline, dependencies: [...seen] };
}

/** Policies whose compiled form depends on the operation's definition. */
const OPERATION_POLICIES = new Set(['mock-response', 'validate-content', 'validate-parameters', 'validate-headers', 'validate-status-code']);

function usesOperationDefinition(element: PolicyElement): boolean {
  for (const child of element.children) {
    if (child.type !== 'element') continue;
    if (OPERATION_POLICIES.has(child.name) || usesOperationDefinition(child)) return true;
  }
  return false;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
