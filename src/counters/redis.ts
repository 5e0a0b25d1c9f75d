import { Redis, type RedisOptions } from 'ioredis';
import { alignedWindow, CountersUnavailableError, type CounterResult, type Counters, type CounterWindow } from './counters.ts';

export interface RedisCountersOptions {
  /** `redis://host:port/db`, as ATRIUM_REDIS_URL. */
  readonly url: string;
  /** Prefix of every key. */
  readonly prefix?: string;
  /** A command that takes longer fails with CountersUnavailableError. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** The clock, epoch milliseconds: only used to place aligned windows. */
  readonly now?: () => number;
  readonly redis?: RedisOptions;
}

/**
 * One round trip per call: a script reads, checks and adds atomically. The key holds the count
 * and expires with its window (PX), so Redis renews the window. Keys carry a hash tag, so a
 * Redis Cluster keeps each counter (and whatever a future script reads next to it) in one slot.
 */
const SCRIPT = `
local amount = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local value = redis.call('GET', KEYS[1])
local current = 0
local ttl = period
if value then
  current = tonumber(value)
  ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    ttl = period
    redis.call('PEXPIRE', KEYS[1], period)
  end
end
if limit >= 0 and current + amount > limit then
  return {0, current, ttl}
end
if amount > 0 then
  if value then
    redis.call('INCRBY', KEYS[1], amount)
  else
    redis.call('SET', KEYS[1], amount, 'PX', period)
  end
  current = current + amount
end
return {1, current, ttl}
`;

type CounterRedis = Redis & { atriumCount(key: string, amount: number, limit: number, period: number): Promise<[number, number, number]> };

export function createRedisCounters(options: RedisCountersOptions): Counters {
  const prefix = options.prefix ?? 'atrium:counter:';
  const timeout = options.commandTimeoutMs ?? 1000;
  const now = options.now ?? Date.now;
  const redis = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: timeout,
    connectTimeout: timeout,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // Calls made in the same event-loop turn (the limits of many concurrent requests) go to
    // Redis in one write and come back in one read: a round trip is shared, not paid per call.
    enableAutoPipelining: true,
    ...options.redis,
  }) as CounterRedis;
  redis.on('error', () => undefined);
  // Once connected, a lost connection fails calls at once (no queueing behind reconnects).
  let everReady = false;
  redis.on('ready', () => {
    everReady = true;
  });
  redis.defineCommand('atriumCount', { numberOfKeys: 1, lua: SCRIPT });

  return {
    async increment(key: string, amount: number, limit: number, window: CounterWindow): Promise<CounterResult> {
      const at = now();
      const aligned = alignedWindow(at, window);
      const fullKey = `${prefix}{${key}}${aligned ? `#${aligned.index}` : ''}`;
      const period = Math.max(1, Math.ceil(aligned ? aligned.endsAt - at : window.periodMs));
      let reply: [number, number, number];
      if (everReady && redis.status !== 'ready') throw new CountersUnavailableError(`Redis counters are unavailable: the connection is ${redis.status}`);
      try {
        reply = await redis.atriumCount(fullKey, amount, Number.isFinite(limit) ? limit : -1, period);
      } catch (error) {
        throw new CountersUnavailableError(`Redis counters are unavailable: ${(error as Error).message}`);
      }
      const [allowed, count, ttl] = reply.map(Number);
      const finite = Number.isFinite(limit);
      return { allowed: allowed === 1, count, remaining: finite ? Math.max(0, limit - count) : Infinity, resetMs: Math.max(0, ttl) };
    },
    async close() {
      redis.disconnect();
    },
  };
}
