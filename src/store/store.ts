/**
 * The store contract. Every implementation (SQLite, PostgreSQL) passes the same contract suite
 * (store.contract.test.ts). Writes happen inside `write()`, one transaction each, serialized so
 * that revisions follow commit order: a follower that has applied revision N has seen every
 * write up to N.
 */

export interface ResourceRecord {
  /** Lower-cased id: the primary key. */
  readonly key: string;
  /** The id as created (`/workspaces/w1/apis/echo`). */
  readonly id: string;
  /** Resource kind (registry key). */
  readonly kind: string;
  /** Key of the parent resource; `''` for top-level resources of the service, `/workspaces/{w}` for top-level workspace ones. */
  readonly parentKey: string;
  /** Lower-cased workspace name, `''` at service level. */
  readonly workspace: string;
  readonly name: string;
  /** Set for kinds whose names are unique across the service: enforced by the store. */
  readonly uniqueKey: string | null;
  readonly properties: Record<string, unknown>;
  /** Revision of the write that last changed this record. */
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type NewRecord = Omit<ResourceRecord, 'revision' | 'createdAt' | 'updatedAt'>;

export interface Reference {
  readonly fromKey: string;
  readonly toKey: string;
  readonly property: string;
}

export interface Change {
  readonly revision: number;
  readonly key: string;
  readonly kind: string;
  readonly workspace: string;
  readonly op: 'put' | 'delete';
}

export interface ListQuery {
  readonly parentKey: string;
  readonly kind: string;
  /** Applied in the store when no predicate is given; otherwise after the predicate. */
  readonly skip?: number;
  readonly top?: number;
  readonly where?: (record: ResourceRecord) => boolean;
}

export interface ListResult {
  readonly items: readonly ResourceRecord[];
  /** Count of all matching records, ignoring skip/top. */
  readonly count: number;
}

/** One gateway request (DESIGN.md §9). */
export interface RequestLogRecord {
  readonly time: string;
  readonly requestId: string;
  readonly gateway: string;
  /** Lower-cased workspace name, '' at service level. */
  readonly workspace: string;
  readonly apiId: string | null;
  readonly operationId: string | null;
  readonly productId: string | null;
  readonly subscriptionId: string | null;
  readonly method: string;
  /** Path and query, subscription key removed. */
  readonly url: string;
  readonly status: number;
  readonly responseTimeMs: number;
  readonly backendTimeMs: number | null;
  readonly requestSize: number;
  readonly responseSize: number;
  readonly clientIp: string;
  readonly error: string | null;
}

export interface RequestLogQuery {
  /** Only this workspace's records ('' for service-level APIs); undefined for all (service readers). */
  readonly workspace?: string;
  readonly from?: string;
  readonly to?: string;
  readonly apiId?: string;
  readonly status?: number;
  readonly top: number;
  readonly skip: number;
}

/** One audit entry: every management write and every denied call. */
export interface AuditEntry {
  readonly time: string;
  readonly requestId: string;
  readonly principal: string;
  readonly action: string;
  readonly resourceId: string;
  /** Lower-cased workspace name, '' at service level. */
  readonly workspace: string;
  readonly outcome: 'success' | 'denied' | 'failed';
  readonly status: number;
}

export interface AuditQuery {
  readonly workspace?: string;
  readonly from?: string;
  readonly to?: string;
  readonly top: number;
  readonly skip: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly count: number;
}

export interface StoreReader {
  get(key: string): Promise<ResourceRecord | undefined>;
  /** Children of one parent, of one kind, ordered by name. */
  list(query: ListQuery): Promise<ListResult>;
  /** Every record whose key starts with `prefix` (a subtree), ordered by key. */
  listByPrefix(prefix: string): Promise<readonly ResourceRecord[]>;
  getByUniqueKey(uniqueKey: string): Promise<ResourceRecord | undefined>;
  /** References pointing at `toKey`. */
  referencesTo(toKey: string): Promise<readonly Reference[]>;
  /** References held by `fromKey`. */
  referencesFrom(fromKey: string): Promise<readonly Reference[]>;
  getMeta(key: string): Promise<string | undefined>;
}

export interface StoreTx extends StoreReader {
  /** The revision this transaction writes. */
  readonly revision: number;
  /** Creates or replaces; keeps createdAt of an existing record. Throws StoreError UNIQUE_VIOLATION on a uniqueKey clash. */
  put(record: NewRecord): Promise<ResourceRecord>;
  delete(key: string): Promise<boolean>;
  /** Replaces every reference held by `fromKey`. */
  setReferences(fromKey: string, refs: readonly Omit<Reference, 'fromKey'>[]): Promise<void>;
  setMeta(key: string, value: string): Promise<void>;
  /** Appended in the same transaction as the write it records. */
  appendAudit(entry: AuditEntry): Promise<void>;
}

export interface Store extends StoreReader {
  readonly dialect: 'sqlite' | 'postgres';
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Changes after `revision`, oldest first, at most `limit`. */
  changesSince(revision: number, limit?: number): Promise<readonly Change[]>;
  currentRevision(): Promise<number>;
  /** Request logs are append-only and written in batches, outside resource transactions. */
  appendRequestLogs(rows: readonly RequestLogRecord[]): Promise<void>;
  /** Newest first. */
  queryRequestLogs(query: RequestLogQuery): Promise<Page<RequestLogRecord>>;
  /** Deletes records older than `olderThan`; returns how many. */
  pruneRequestLogs(olderThan: Date): Promise<number>;
  /** For denied calls, which have no write transaction of their own. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  queryAudit(query: AuditQuery): Promise<Page<AuditEntry>>;
  /** Calls `listener` soon after any committed write (in this process or, for PostgreSQL, any process). */
  onChange(listener: (revision: number) => void): () => void;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code: 'UNIQUE_VIOLATION' | 'STORE_UNAVAILABLE' | 'MIGRATION_FAILED';
  constructor(code: StoreError['code'], message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Upper bound of a key-prefix range: every key starting with `prefix` sorts in [prefix, prefixEnd(prefix)). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
