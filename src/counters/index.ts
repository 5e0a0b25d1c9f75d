/** Rate-limit and quota counters: one contract, in memory and in Redis. */
export { alignedWindow, counterOp, CountersUnavailableError } from './counters.ts';
export type { CounterOp, CounterResult, Counters, CounterWindow } from './counters.ts';
export { createMemoryCounters } from './memory.ts';
export type { MemoryCountersOptions } from './memory.ts';
export { createRedisCounters } from './redis.ts';
export type { RedisCountersOptions } from './redis.ts';

import type { Counters as CountersContract } from './counters.ts';
import { createMemoryCounters as memory } from './memory.ts';
import { createRedisCounters as redis } from './redis.ts';

/** Redis counters when a URL is given (ATRIUM_REDIS_URL), so that replicas share counts; in-process counters otherwise. */
export function createCounters(options: { redisUrl?: string } = {}): CountersContract {
  return options.redisUrl ? redis({ url: options.redisUrl }) : memory();
}
