import { forwardPipeline, errorResponse, type GatewayContext, type Pipeline } from '../../gateway/context.ts';
import type { CompiledApi, CompiledOperation, Snapshot } from '../../gateway/snapshot.ts';
import type { ResourceRecord } from '../../store/store.ts';
import { createMemoryCounters } from '../../counters/index.ts';
import { composePolicies, type NamedValue, type PolicyLevel } from '../compose/compose.ts';
import { parsePolicyDocument } from '../document/parser.ts';
import type { PolicyDocument } from '../document/tree.ts';
import { createMemoryCache } from './cache.ts';
import { compilePolicy } from './compiler.ts';
import type { PolicyServices } from './types.ts';

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
  readonly records: PolicyRecords;
  /** Decrypts a record's secret properties (secret named values). */
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  /** Shared services; in-memory counters and a 64 MiB cache by default. */
  readonly services?: Partial<PolicyServices>;
  readonly log?: (message: string) => void;
  /** Pipelines kept (per operation and product) before the cache starts over. Default 10,000. */
  readonly maxEntries?: number;
}

export interface PolicyPipelines {
  /**
   * The pipeline to give every operation: it runs the composed policies of the request's
   * operation and product (global > workspace > product > API > operation), compiled on first
   * use and rebuilt only when a document, fragment or named value it depends on changed.
   * Operations without any policy are forwarded as they are.
   */
  readonly pipeline: Pipeline;
  /** The pipeline for one operation and product (undefined product: a key scoped to all APIs or the API). */
  pipelineFor(snapshot: Snapshot, api: CompiledApi, operation: CompiledOperation, productKey: string | undefined): Pipeline;
  /** The services policies share (counters, cache…). */
  readonly services: PolicyServices;
  /** Drops every compiled pipeline. */
  clear(): void;
}

interface Entry {
  readonly pipeline: Pipeline;
  /** Every record key the pipeline was built from (or looked for), with the revision seen (-1: absent). */
  readonly dependencies: readonly (readonly [string, number])[];
  snapshot: Snapshot;
  version: number | undefined;
}

interface ParsedDocument {
  readonly revision: number;
  readonly document: PolicyDocument | Error;
}

export function createPolicyPipelines(options: PolicyPipelinesOptions): PolicyPipelines {
  const { records, reveal } = options;
  const log = options.log ?? (() => undefined);
  const maxEntries = options.maxEntries ?? 10_000;
  const services: PolicyServices = {
    counters: options.services?.counters ?? createMemoryCounters(),
    cache: options.services?.cache ?? createMemoryCache(),
    now: options.services?.now ?? Date.now,
    log: options.services?.log ?? log,
    ...options.services,
  };
  const entries = new Map<string, Entry>();
  const parsed = new Map<string, ParsedDocument>();

  const parse = (record: ResourceRecord): PolicyDocument => {
    const hit = parsed.get(record.key);
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
    parsed.set(record.key, { revision: record.revision, document });
    if (document instanceof Error) throw document;
    return document;
  };

  const build = (snapshot: Snapshot, api: CompiledApi, operation: CompiledOperation, productKey: string | undefined): Entry => {
    const seen = new Map<string, number>();
    const read = (key: string): ResourceRecord | undefined => {
      const record = records.get(key);
      seen.set(key, record?.revision ?? -1);
      return record;
    };
    const workspace = api.workspace;
    const wsPrefix = workspace === '' ? '' : `/workspaces/${workspace}`;
    const levelKeys: [PolicyLevel['scope'], string, string | undefined][] = [['global', '/policies/policy', undefined]];
    if (workspace !== '') levelKeys.push(['workspace', `${wsPrefix}/policies/policy`, workspace]);
    if (productKey !== undefined) levelKeys.push(['product', `${productKey}/policies/policy`, workspace || undefined]);
    levelKeys.push(['api', `${api.key}/policies/policy`, workspace || undefined], ['operation', `${operation.key}/policies/policy`, workspace || undefined]);
    let pipeline: Pipeline;
    try {
      const levels: PolicyLevel[] = [];
      for (const [scope, key, ws] of levelKeys) {
        const record = read(key);
        if (record) levels.push({ scope, id: record.parentKey || record.key, workspace: ws, document: parse(record) });
      }
      if (levels.length === 0) pipeline = forwardPipeline;
      else {
        const { resolved } = composePolicies(levels, {
          fragment: (id, ws) => {
            const record = read(`${ws ? `/workspaces/${ws}` : ''}/policyfragments/${id.toLowerCase()}`);
            return record ? parse(record) : undefined;
          },
          namedValue: (name, ws) => namedValue(name, ws ?? ''),
        });
        pipeline = compilePolicy(resolved, { services, workspace }).pipeline;
      }
    } catch (error) {
      const message = (error as Error).message;
      log(`policies of ${operation.id}${productKey ? ` (product ${productKey})` : ''} cannot be compiled: ${message}`);
      pipeline = function brokenPolicies(ctx: GatewayContext) {
        ctx.lastError = { source: 'configuration', reason: 'PolicyConfigurationError', message };
        return Promise.resolve(errorResponse(500, 'Internal server error'));
      };
    }
    return { pipeline, dependencies: [...seen], snapshot, version: records.version?.() };

    function namedValue(name: string, ws: string): NamedValue | undefined {
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
      const value = secret ? reveal(record).value : record.properties.value;
      return { value: typeof value === 'string' ? value : '', secret };
    }
  };

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
    const built = build(snapshot, api, operation, productKey);
    entries.set(key, built);
    return built.pipeline;
  };

  return {
    pipeline: function policies(ctx: GatewayContext) {
      return pipelineFor(ctx.snapshot, ctx.api, ctx.operation, ctx.productKey)(ctx);
    },
    pipelineFor,
    services,
    clear() {
      entries.clear();
      parsed.clear();
    },
  };
}
