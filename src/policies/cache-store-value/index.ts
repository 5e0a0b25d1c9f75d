import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Keeps a value (an expression's result keeps its type) under a key for `duration` seconds. */
export const runtime: PolicyFactory = function compileCacheStoreValue(input) {
  const key = input.value('key')!;
  const value = input.raw('value')!;
  const duration = input.value('duration')!;
  return function cacheStoreValue(pc) {
    pc.services.cache.set(`value:${key(pc)}`, value(pc), Number(duration(pc)) * 1000);
    return undefined;
  };
};
