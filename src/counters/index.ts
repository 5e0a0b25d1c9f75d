/** Rate-limit and quota counters: one contract, in memory and in Redis. */
export { alignedWindow, CountersUnavailableError } from './counters.ts';
export type { CounterResult, Counters, CounterWindow } from './counters.ts';
export { createMemoryCounters } from './memory.ts';
export type { MemoryCountersOptions } from './memory.ts';
export { createRedisCounters } from './redis.ts';
export type { RedisCountersOptions } from './redis.ts';
