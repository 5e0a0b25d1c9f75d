import { existsSync, readFileSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import type { Change, ResourceRecord } from '../store/store.ts';
import type { Pipeline } from './context.ts';
import { createRecordKeeper } from './kept-records.ts';
import { createRouter } from './router.ts';
import {
  compileApi,
  compileBackends,
  compileSubscriptions,
  createSharedParts,
  resolveKey,
  type CompiledApi,
  type CompiledOperation,
  type Snapshot,
  type SubscriptionIndex,
  type UpstreamTarget,
} from './snapshot.ts';

/** The part of the Store a gateway reads. */
export interface ConfigStore {
  get(key: string): Promise<ResourceRecord | undefined>;
  listByPrefix(prefix: string): Promise<readonly ResourceRecord[]>;
  changesSince(revision: number, limit?: number): Promise<readonly Change[]>;
  currentRevision(): Promise<number>;
  onChange(listener: (revision: number) => void): () => void;
}

export interface ConfigFollowerOptions {
  readonly gatewayId: string;
  /** Undefined when the store could not be opened: the follower serves its persisted snapshot until `connect`. */
  readonly store: ConfigStore | undefined;
  /** Decrypts secret properties (subscription keys, backend credentials). */
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  /** Where the last good configuration is kept, to serve from when the store is unreachable. */
  readonly snapshotFile?: string;
  /** Poll interval of the change feed backstop. */
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
  /** Where compiled policy pipelines plug in (see `PipelineCompiler`). */
  readonly pipelines?: PipelineCompiler;
}

/**
 * The policy engine's hook: the follower also loads the record kinds it names (policies, named
 * values, fragments …) and asks it for each operation's pipeline whenever that operation's API is
 * compiled. A record of such a kind under an API or operation recompiles that API; any other
 * (global, workspace, product policies, named values) recompiles every API of its scope.
 * Returning undefined forwards as is; throwing marks the API failing with the message.
 */
export interface PipelineCompiler {
  readonly kinds: readonly string[];
  compile(api: CompiledApi, operation: CompiledOperation, lookup: RecordLookup): Pipeline | undefined;
}

export interface RecordLookup {
  get(key: string): ResourceRecord | undefined;
  /** Records of a kind in one workspace (`''`: service level). */
  ofKind(kind: string, workspace: string): Iterable<ResourceRecord>;
}

export interface ConfigFollower {
  /** Resolves when a first snapshot is in place (from the store, or from the persisted file). */
  readonly ready: Promise<void>;
  current(): Snapshot | undefined;
  /** The gateway resource as last read (port, hostnames). */
  gateway(): ResourceRecord | undefined;
  onSwap(listener: (snapshot: Snapshot) => void): () => void;
  /** Attaches a store that became reachable; the follower re-reads everything from it. */
  connect(store: ConfigStore): void;
  /** Applies pending changes now. */
  sync(): Promise<void>;
  /** Whether the last attempt to read the store failed. */
  storeReachable(): boolean;
  close(): Promise<void>;
}

/** Kinds a gateway compiles. Policy kinds join this list when policies run. */
const SERVED_KINDS = new Set(['apis', 'apiOperations', 'apiVersionSets', 'products', 'productApiLinks', 'subscriptions', 'backends']);
const SERVICE_PREFIXES = ['/apis/', '/apiversionsets/', '/products/', '/subscriptions/', '/backends/'];
const SNAPSHOT_FORMAT = 1;

interface PersistedConfig {
  readonly format: number;
  readonly gatewayId: string;
  readonly revision: number;
  readonly gateway: ResourceRecord | undefined;
  readonly workspaces: string[];
  readonly records: ResourceRecord[];
}

/**
 * Follows the store for one gateway: a full read at start (and after the store comes back), then
 * the change feed (`onChange` in this process or PostgreSQL NOTIFY, with a poll as backstop).
 * Changes mark only what they touch; the next snapshot recompiles those APIs, reuses the others
 * and is swapped in atomically.
 */
export function createConfigFollower(options: ConfigFollowerOptions): ConfigFollower {
  const gatewayId = options.gatewayId.toLowerCase();
  const gatewayKey = `/gateways/${gatewayId}`;
  const linkPrefix = `${gatewayKey}/workspacelinks/`;
  const serviceLevel = gatewayId === 'managed';
  const pollMs = options.pollMs ?? 500;
  const log = options.log ?? (() => undefined);

  let store = options.store;
  let unsubscribe: (() => void) | undefined;
  let revision = 0;
  let gatewayRecord: ResourceRecord | undefined;
  const workspaces = new Set<string>();
  const pipelineKinds = new Set(options.pipelines?.kinds ?? []);
  const servedKinds = new Set([...SERVED_KINDS, ...pipelineKinds]);
  /** Records as kept (kept-records.ts), by kind and key. */
  const byKind = new Map<string, Map<string, ResourceRecord>>();
  for (const kind of servedKinds) byKind.set(kind, new Map());
  const keeper = createRecordKeeper({
    parentOf: (record) => (record.kind === 'apiOperations' ? kindMap('apis').get(record.parentKey) : lookup.get(record.parentKey)),
  });
  /** The operations of each API (an array: most APIs have a few). */
  const opsByApi = new Map<string, readonly ResourceRecord[]>();
  /** Upstream targets and URL templates shared by the APIs that name the same ones. */
  const parts = createSharedParts();
  const compiled = new Map<string, CompiledApi>();
  /** Compiled APIs that are failing, by id: kept as they are compiled, so a change does not walk every API. */
  const compileFailures = new Map<string, string>();
  const dirtyApis = new Set<string>();
  let subscriptionsDirty = true;
  let backendsDirty = true;
  let routerDirty = true;
  let subscriptions: SubscriptionIndex | undefined;
  let backends: Map<string, UpstreamTarget> = new Map();
  let snapshot: Snapshot | undefined;
  let needFullLoad = true;
  let reachable = store !== undefined;
  let closed = false;
  const listeners = new Set<(snapshot: Snapshot) => void>();

  const kindMap = (kind: string): Map<string, ResourceRecord> => byKind.get(kind)!;

  /** A record whose secrets cannot be opened (a key rotated under a running process) is left out alone. */
  const reveal = (record: ResourceRecord): Record<string, unknown> => {
    try {
      return options.reveal(record);
    } catch (error) {
      log(`${record.id}: secrets cannot be read (${(error as Error).message}); left out`);
      return {};
    }
  };

  const markDirty = (record: ResourceRecord): void => {
    switch (record.kind) {
      case 'apis':
        dirtyApis.add(record.key);
        break;
      case 'apiOperations':
        dirtyApis.add(record.parentKey);
        break;
      case 'apiVersionSets':
        for (const api of kindMap('apis').values()) {
          const ref = api.properties.apiVersionSetId;
          if (typeof ref === 'string' && resolveKey(ref, api.workspace) === record.key) dirtyApis.add(api.key);
        }
        break;
      case 'backends':
        backendsDirty = true;
        break;
      case 'products':
      case 'productApiLinks':
      case 'subscriptions':
        subscriptionsDirty = true;
        break;
    }
    if (pipelineKinds.has(record.kind)) markPipelineDirty(record);
  };

  /** A pipeline input under an API or operation touches that API; anything else its whole scope. */
  const markPipelineDirty = (record: ResourceRecord): void => {
    const apis = kindMap('apis');
    if (apis.has(record.parentKey)) return void dirtyApis.add(record.parentKey);
    const operation = kindMap('apiOperations').get(record.parentKey);
    if (operation) return void dirtyApis.add(operation.parentKey);
    for (const api of apis.values()) if (record.workspace === '' || api.workspace === record.workspace) dirtyApis.add(api.key);
  };

  /** What this gateway serves: its workspaces, service-level APIs on the managed gateway, and top-level service policy inputs everywhere. */
  const accepts = (record: ResourceRecord): boolean =>
    record.workspace !== '' ? workspaces.has(record.workspace) : serviceLevel || (pipelineKinds.has(record.kind) && record.parentKey === '');

  const lookup: RecordLookup = {
    get(key) {
      for (const map of byKind.values()) {
        const record = map.get(key);
        if (record) return record;
      }
      return undefined;
    },
    *ofKind(kind, workspace) {
      for (const record of byKind.get(kind)?.values() ?? []) if (record.workspace === workspace) yield record;
    },
  };

  const withPipelines = (api: CompiledApi): CompiledApi => {
    const compiler = options.pipelines;
    if (!compiler || api.failure !== undefined) return api;
    const seen = new Set<CompiledOperation>();
    try {
      for (const list of [...api.operations.byMethod.values(), api.operations.anyMethod]) {
        for (const operation of list) {
          if (seen.has(operation)) continue;
          seen.add(operation);
          operation.pipeline = compiler.compile(api, operation, lookup);
        }
      }
      return api;
    } catch (error) {
      log(`${api.id}: policies cannot be compiled (${(error as Error).message}); the API answers 500 until they are fixed`);
      return { ...api, failure: `policies: ${(error as Error).message}` };
    }
  };

  const setRecord = (incoming: ResourceRecord): void => {
    if (!servedKinds.has(incoming.kind)) return;
    const previous = kindMap(incoming.kind).get(incoming.key);
    if (previous && previous.revision === incoming.revision) return;
    const record = keeper.keep(incoming);
    kindMap(record.kind).set(record.key, record);
    if (record.kind === 'apiOperations') {
      const ops = opsByApi.get(record.parentKey) ?? [];
      const at = ops.findIndex((op) => op.key === record.key);
      opsByApi.set(record.parentKey, at === -1 ? ops.concat(record) : ops.map((op, i) => (i === at ? record : op)));
    }
    markDirty(record);
  };

  const removeRecord = (key: string, kind: string): void => {
    const record = byKind.get(kind)?.get(key);
    if (!record) return;
    kindMap(kind).delete(key);
    if (kind === 'apiOperations') {
      const ops = (opsByApi.get(record.parentKey) ?? []).filter((op) => op.key !== key);
      if (ops.length === 0) opsByApi.delete(record.parentKey);
      else opsByApi.set(record.parentKey, ops.slice());
    }
    if (kind === 'apis') opsByApi.delete(key);
    markDirty(record);
  };

  const clearAll = (): void => {
    for (const map of byKind.values()) map.clear();
    keeper.clear();
    opsByApi.clear();
    compiled.clear();
    compileFailures.clear();
    workspaces.clear();
    dirtyApis.clear();
    subscriptionsDirty = backendsDirty = routerDirty = true;
  };

  const loadWorkspace = async (reader: ConfigStore, workspace: string): Promise<void> => {
    workspaces.add(workspace);
    for (const record of await reader.listByPrefix(`/workspaces/${workspace}/`)) {
      if (record.workspace === workspace) setRecord(record);
    }
  };

  const unloadWorkspace = (workspace: string): void => {
    workspaces.delete(workspace);
    for (const [kind, map] of byKind) {
      for (const record of [...map.values()]) if (record.workspace === workspace) removeRecord(record.key, kind);
    }
  };

  const fullLoad = async (reader: ConfigStore): Promise<void> => {
    const at = await reader.currentRevision();
    const gateway = await reader.get(gatewayKey);
    const links = await reader.listByPrefix(linkPrefix);
    const records: ResourceRecord[] = [];
    if (serviceLevel) {
      for (const prefix of SERVICE_PREFIXES) for (const record of await reader.listByPrefix(prefix)) if (record.workspace === '') records.push(record);
    }
    if (pipelineKinds.size > 0) {
      // Service-level policy inputs (the global policy runs on every gateway).
      for (const record of await reader.listByPrefix('/')) if (record.workspace === '' && pipelineKinds.has(record.kind) && accepts(record)) records.push(record);
    }
    const names = links.filter((l) => l.kind === 'gatewayWorkspaceLinks').map((l) => l.name.toLowerCase());
    for (const name of names) {
      for (const record of await reader.listByPrefix(`/workspaces/${name}/`)) if (record.workspace === name) records.push(record);
    }
    // Everything read: replace the state in one step.
    clearAll();
    gatewayRecord = gateway;
    for (const name of names) workspaces.add(name);
    for (const record of records) setRecord(record);
    revision = at;
    await applyChanges(reader, await readChanges(reader));
  };

  const readChanges = async (reader: ConfigStore): Promise<Change[]> => {
    const all: Change[] = [];
    for (;;) {
      const batch = await reader.changesSince(revision, 5000);
      if (batch.length === 0) break;
      all.push(...batch);
      revision = batch[batch.length - 1].revision;
      if (batch.length < 5000) break;
    }
    return all;
  };

  const applyChanges = async (reader: ConfigStore, changes: readonly Change[]): Promise<void> => {
    const seen = new Set<string>();
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i];
      if (seen.has(change.key)) continue;
      seen.add(change.key);
    }
    for (const change of changes) {
      if (!seen.delete(change.key)) continue;
      if (change.key === gatewayKey) {
        gatewayRecord = await reader.get(gatewayKey);
        continue;
      }
      if (change.kind === 'gatewayWorkspaceLinks') {
        if (!change.key.startsWith(linkPrefix)) continue;
        const name = change.key.slice(linkPrefix.length);
        const link = await reader.get(change.key);
        if (link && !workspaces.has(name)) await loadWorkspace(reader, name);
        else if (!link && workspaces.has(name)) unloadWorkspace(name);
        continue;
      }
      if (!servedKinds.has(change.kind)) continue;
      if (change.workspace === '' ? !serviceLevel && !pipelineKinds.has(change.kind) : !workspaces.has(change.workspace)) continue;
      const record = await reader.get(change.key);
      if (record && accepts(record)) setRecord(record);
      else removeRecord(change.key, change.kind);
    }
  };

  const rebuild = (): void => {
    const apis = kindMap('apis');
    const removed: CompiledApi[] = [];
    const added: CompiledApi[] = [];
    for (const key of dirtyApis) {
      const record = apis.get(key);
      const previous = compiled.get(key);
      if (previous) {
        removed.push(previous);
        compileFailures.delete(previous.id);
      }
      if (!record) {
        compiled.delete(key);
      } else {
        const ref = record.properties.apiVersionSetId;
        const versionSet = typeof ref === 'string' && ref !== '' ? kindMap('apiVersionSets').get(resolveKey(ref, record.workspace)) : undefined;
        const ops = opsByApi.get(key) ?? [];
        const api = withPipelines(compileApi(record, ops, versionSet, `${record.revision}`, parts));
        compiled.set(key, api);
        if (api.failure !== undefined) compileFailures.set(api.id, api.failure);
        added.push(api);
      }
    }
    dirtyApis.clear();
    if (subscriptionsDirty || !subscriptions) {
      subscriptions = compileSubscriptions(kindMap('subscriptions').values(), kindMap('products').values(), kindMap('productApiLinks').values(), reveal);
      subscriptionsDirty = false;
    }
    if (backendsDirty) {
      backends = compileBackends(kindMap('backends').values(), reveal, log);
      backendsDirty = false;
    }
    // A full read builds the route table afresh; a change updates only the paths it touched.
    const router =
      routerDirty || !snapshot ? createRouter(compiled.values()) : removed.length + added.length > 0 ? snapshot.router.with(removed, added) : snapshot.router;
    routerDirty = false;
    const failures = new Map(compileFailures);
    for (const [id, reason] of router.conflicts) failures.set(id, reason);
    snapshot = {
      gatewayId,
      revision,
      workspaces: new Set(workspaces),
      serviceLevel,
      router,
      subscriptions: subscriptions!,
      backends,
      failures,
    };
    for (const listener of listeners) listener(snapshot);
    schedulePersist();
  };

  // Persistence of the last good configuration: sealed records as the store holds them. The file
  // is serialised and written in slices between requests — never the whole configuration as one
  // string, which at 10,000 APIs is tens of megabytes and tens of milliseconds to join and encode
  // — and at most once per interval that grows with the time a write takes (at most ~5% of it).
  let persistTimer: NodeJS.Timeout | undefined;
  let persisting: Promise<void> | undefined;
  let persistIntervalMs = 200;
  const persistNow = async (): Promise<void> => {
    if (!options.snapshotFile || !snapshot) return;
    const started = performance.now();
    const records: ResourceRecord[] = [];
    for (const map of byKind.values()) records.push(...map.values());
    const head = JSON.stringify({ format: SNAPSHOT_FORMAT, gatewayId, revision, gateway: gatewayRecord, workspaces: [...workspaces] });
    const tmp = `${options.snapshotFile}.${process.pid}.tmp`;
    let file: FileHandle | undefined;
    try {
      file = await open(tmp, 'w', 0o600);
      await file.write(`${head.slice(0, -1)},"records":[`);
      for (let i = 0; i < records.length; i += 500) {
        await file.write((i > 0 ? ',' : '') + records.slice(i, i + 500).map((r) => JSON.stringify(r)).join(','));
      }
      await file.write(']}');
      await file.close();
      file = undefined;
      await rename(tmp, options.snapshotFile);
    } catch (error) {
      await file?.close().catch(() => undefined);
      log(`could not persist the configuration snapshot: ${(error as Error).message}`);
    }
    persistIntervalMs = Math.min(60_000, Math.max(200, 20 * (performance.now() - started)));
  };
  const schedulePersist = (): void => {
    if (!options.snapshotFile || persistTimer) return;
    persistTimer = setTimeout(() => {
      persistTimer = undefined;
      if (persisting) {
        schedulePersist();
        return;
      }
      persisting = persistNow().finally(() => {
        persisting = undefined;
      });
    }, persistIntervalMs);
    persistTimer.unref();
  };

  const loadPersisted = (): boolean => {
    if (!options.snapshotFile || !existsSync(options.snapshotFile)) return false;
    try {
      const data = JSON.parse(readFileSync(options.snapshotFile, 'utf8')) as PersistedConfig;
      if (data.format !== SNAPSHOT_FORMAT || data.gatewayId !== gatewayId) return false;
      clearAll();
      gatewayRecord = data.gateway;
      for (const name of data.workspaces) workspaces.add(name);
      for (const record of data.records) setRecord(record);
      revision = data.revision;
      rebuild();
      log(`serving the configuration persisted at revision ${revision}`);
      return true;
    } catch (error) {
      log(`could not read the persisted configuration: ${(error as Error).message}`);
      return false;
    }
  };

  // The follow loop: one sync at a time; a request for another while one runs is coalesced.
  let running: Promise<void> | undefined;
  let again = false;
  const syncOnce = async (): Promise<void> => {
    const reader = store;
    if (!reader || closed) return;
    try {
      if (needFullLoad) {
        await fullLoad(reader);
        needFullLoad = false;
        rebuild();
      } else {
        const changes = await readChanges(reader);
        if (changes.length === 0) {
          reachable = true;
          return;
        }
        await applyChanges(reader, changes);
        rebuild();
      }
      if (!reachable) log('the store is reachable again; configuration re-read');
      reachable = true;
    } catch (error) {
      if (reachable) log(`the store is unreachable (${(error as Error).message}); serving the last good configuration`);
      reachable = false;
      // After reconnecting, read everything again rather than trusting the feed position.
      needFullLoad = true;
    }
  };
  const sync = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await syncOnce();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const attach = (reader: ConfigStore): void => {
    unsubscribe?.();
    store = reader;
    needFullLoad = true;
    unsubscribe = reader.onChange(() => void sync());
  };

  if (store) attach(store);
  const poll = setInterval(() => void sync(), pollMs);
  poll.unref();

  const ready = (async () => {
    if (store) {
      await sync();
      if (snapshot) return;
    }
    if (loadPersisted()) return;
    // Neither the store nor a persisted snapshot: wait for the store.
    await new Promise<void>((resolve) => {
      const off = (): void => {
        listeners.delete(done);
      };
      const done = (): void => {
        off();
        resolve();
      };
      listeners.add(done);
    });
  })();

  return {
    ready,
    current: () => snapshot,
    gateway: () => gatewayRecord,
    onSwap(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connect(reader) {
      attach(reader);
      void sync();
    },
    sync,
    storeReachable: () => reachable,
    async close() {
      closed = true;
      clearInterval(poll);
      unsubscribe?.();
      await running;
      await persisting;
      if (persistTimer) {
        clearTimeout(persistTimer);
        persistTimer = undefined;
        await persistNow();
      }
    },
  };
}

