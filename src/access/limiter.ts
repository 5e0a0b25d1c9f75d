/**
 * Counts failed attempts per key in a sliding window (login attempts per account and per
 * address). In memory: a process restart forgets, which errs on the side of the user.
 */
export interface AttemptLimiter {
  /** Seconds until another attempt is allowed for any of `keys`, or 0. */
  blockedFor(keys: readonly string[]): number;
  fail(keys: readonly string[]): void;
  reset(keys: readonly string[]): void;
}

export function createAttemptLimiter(options: { limits: Readonly<Record<string, number>>; windowMs: number; now?: () => number; maxKeys?: number }): AttemptLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const failures = new Map<string, number[]>();
  const limitOf = (key: string): number => options.limits[key.slice(0, key.indexOf(':'))] ?? Infinity;
  const recent = (key: string): number[] => {
    const cutoff = now() - options.windowMs;
    const list = (failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  return {
    blockedFor(keys) {
      let wait = 0;
      for (const key of keys) {
        const list = recent(key);
        if (list.length >= limitOf(key)) wait = Math.max(wait, Math.ceil((list[list.length - limitOf(key)] + options.windowMs - now()) / 1000));
      }
      return wait;
    },
    fail(keys) {
      for (const key of keys) {
        if (!failures.has(key) && failures.size >= maxKeys) failures.delete(failures.keys().next().value!);
        failures.set(key, [...recent(key), now()]);
      }
    },
    reset(keys) {
      for (const key of keys) failures.delete(key);
    },
  };
}
