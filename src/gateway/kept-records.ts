import type { ResourceRecord } from '../store/store.ts';

/**
 * What a gateway keeps of each configuration record it serves. It holds every record of its
 * workspaces for as long as it runs — to recompile what a change touches and to persist the last
 * good configuration — and at 10,000 APIs those records (an API, its operations, a subscription)
 * are the largest part of its heap per API. A kept record is the store's record less what no
 * gateway reads (the timestamps and the unique name: `''`, `''`, `null`), with what records
 * repeat held once: the kind and workspace strings (interned: the engine's one copy, which the
 * request path compares by pointer), the parent's key (the parent record's own
 * string when the gateway holds it, one string per workspace for top-level resources), the id when it is spelled as the key, and small property
 * values (arrays and objects such as `protocols` or `subscriptionKeyParameterNames`) equal to one
 * already kept, frozen since they are shared.
 */
export interface RecordKeeper {
  /** The record to keep in place of `record`. */
  keep(record: ResourceRecord): ResourceRecord;
  /** Forgets the shared values (a full reload); records kept before keep theirs. */
  clear(): void;
}

/** Property values shared only while their JSON is at most this long: the table holds it as the key. */
const MAX_SHARED_JSON = 100;

export interface RecordKeeperOptions {
  /** The kept parent of a record below a top-level resource (an API's, for an operation), if the gateway holds it. */
  readonly parentOf?: (record: ResourceRecord) => ResourceRecord | undefined;
  /** Each table of shared values is emptied when it reaches this many entries. */
  readonly maxEntries?: number;
}

export function createRecordKeeper(options: RecordKeeperOptions = {}): RecordKeeper {
  const maxEntries = options.maxEntries ?? 10_000;
  const parentOf = options.parentOf ?? (() => undefined);
  const values = new Map<string, unknown>();

  const value = (candidate: unknown): unknown => {
    if (candidate === null || typeof candidate !== 'object') return candidate;
    const json = JSON.stringify(candidate);
    if (json.length > MAX_SHARED_JSON) return candidate;
    const known = values.get(json);
    if (known !== undefined) return known;
    if (values.size >= maxEntries) values.clear();
    const kept = deepFreeze(structuredClone(candidate));
    values.set(json, kept);
    return kept;
  };

  return {
    keep(record) {
      let parentKey = record.parentKey;
      if (topLevel(record)) parentKey = interned(parentKey);
      else {
        const parent = parentOf(record);
        if (parent !== undefined && parent.key === parentKey) parentKey = parent.key;
      }
      // A copy with the source's layout (a spread keeps its properties in the object), then shared values in place.
      const properties: Record<string, unknown> = { ...record.properties };
      for (const key in properties) {
        const v = properties[key];
        if (v !== null && typeof v === 'object') properties[key] = value(v);
      }
      return {
        key: record.key,
        id: record.id === record.key ? record.key : record.id,
        kind: interned(record.kind),
        parentKey,
        workspace: interned(record.workspace),
        name: record.name,
        uniqueKey: null,
        properties,
        revision: record.revision,
        createdAt: '',
        updatedAt: '',
      };
    },
    clear() {
      values.clear();
    },
  };
}

/**
 * The engine's one copy of `text`. V8 keeps a single copy of every property name, so two keys
 * compared on the request path (an API's base key and a subscription's scope, the workspaces of
 * kept records, an operation's method and the request's) that were made canonical compare as one pointer
 * rather than character by character — at 10,000 APIs, reads of memory the processor no longer
 * holds in its caches. Only speed depends on it: equal strings are equal either way.
 */
export function interned(text: string): string {
  internPool[text] = 0;
  let name = text;
  for (const key in internPool) name = key;
  delete internPool[text];
  return name;
}

/**
 * Holds one name at a time. An object without a prototype is a dictionary for V8: naming a
 * property on it adds no hidden-class transition (an object literal with a computed name would
 * hang one per name on the literal's class, which every object built up from `{}` then searches,
 * the request's headers among them).
 */
const internPool: Record<string, number> = Object.create(null) as Record<string, number>;

/** A resource whose parent is the service or its workspace: a parent key a few strings share. */
function topLevel(record: ResourceRecord): boolean {
  return record.parentKey === '' || (record.parentKey.length === record.workspace.length + 12 && record.parentKey === `/workspaces/${record.workspace}`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
