/**
 * The gateway's internal cache for cache-lookup/cache-store and the cache-*-value policies: one
 * per gateway process, least recently used entries evicted beyond a byte budget, entries
 * expiring after their duration. Sizes are estimates (strings count two bytes a character).
 */
export interface PolicyCache {
  get(key: string): unknown;
  /** `ttlMs` of 0 or less stores nothing. */
  set(key: string, value: unknown, ttlMs: number, size?: number): void;
  delete(key: string): boolean;
  /** Bytes held (estimated). */
  size(): number;
}

export interface MemoryCacheOptions {
  /** Default 64 MiB. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
  size: number;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): PolicyCache {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on read keeps the least recent first.
  const entries = new Map<string, Entry>();
  let bytes = 0;

  const drop = (key: string, entry: Entry): void => {
    entries.delete(key);
    bytes -= entry.size;
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        drop(key, entry);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, ttlMs, size) {
      const existing = entries.get(key);
      if (existing) drop(key, existing);
      if (!(ttlMs > 0)) return;
      const entrySize = (size ?? estimateSize(value)) + key.length * 2 + 64;
      if (entrySize > maxBytes) return;
      const at = now();
      while (bytes + entrySize > maxBytes) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        drop(oldest.value, entries.get(oldest.value)!);
      }
      // Expired entries at the front go too, so the budget is not spent on them.
      for (const [k, e] of entries) {
        if (e.expiresAt > at) break;
        drop(k, e);
      }
      entries.set(key, { value, expiresAt: at + ttlMs, size: entrySize });
      bytes += entrySize;
    },
    delete(key) {
      const entry = entries.get(key);
      if (!entry) return false;
      drop(key, entry);
      return true;
    },
    size: () => bytes,
  };
}

export function estimateSize(value: unknown, depth = 0): number {
  if (value === null || value === undefined) return 8;
  if (typeof value === 'string') return value.length * 2;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return 8;
  if (value instanceof Uint8Array) return value.byteLength;
  if (depth > 4) return 64;
  if (Array.isArray(value)) {
    let n = 16;
    for (const v of value) n += estimateSize(v, depth + 1);
    return n;
  }
  if (typeof value === 'object') {
    let n = 32;
    for (const k in value) n += k.length * 2 + estimateSize((value as Record<string, unknown>)[k], depth + 1);
    return n;
  }
  return 64;
}
