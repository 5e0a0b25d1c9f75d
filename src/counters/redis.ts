import { Redis, type RedisOptions } from 'ioredis';
import { alignedWindow, CountersUnavailableError, type CounterOp, type CounterResult, type Counters, type CounterWindow } from './counters.ts';

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
 * One round trip per call: a script reads, checks and adds atomically, for each key in turn, and
 * stops at the first one refused. ARGV holds amount, limit ('none' for no limit) and period per key.
 * A key holds its count and expires with its window (PX), so Redis renews the window. The keys
 * of one call are usually in different hash slots: the counters need one Redis primary (with
 * replicas, if any), not a Redis Cluster.
 */
const SCRIPT = `
local out = {}
for i = 1, #KEYS do
  local amount = tonumber(ARGV[i * 3 - 2])
  local limit = tonumber(ARGV[i * 3 - 1])
  local period = tonumber(ARGV[i * 3])
  local value = redis.call('GET', KEYS[i])
  local current = 0
  local ttl = period
  if value then
    current = tonumber(value)
    ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      ttl = period
      redis.call('PEXPIRE', KEYS[i], period)
    end
  end
  if limit and current + amount > limit then
    out[#out + 1] = 0
    out[#out + 1] = current
    out[#out + 1] = ttl
    return out
  end
  if amount > 0 then
    if value then
      redis.call('INCRBY', KEYS[i], amount)
    else
      redis.call('SET', KEYS[i], amount, 'PX', period)
    end
    current = current + amount
  end
  out[#out + 1] = 1
  out[#out + 1] = current
  out[#out + 1] = ttl
end
return out
`;

type CounterRedis = Redis & { atriumCount(keys: number, ...args: (string | number)[]): Promise<number[]> };

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
  // The number of keys comes first in each call (`atriumCount(n, ...keys, ...args)`).
  redis.defineCommand('atriumCount', { lua: SCRIPT });

  const apply = async (ops: readonly CounterOp[]): Promise<readonly CounterResult[]> => {
    if (ops.length === 0) return [];
    const at = now();
    const keys: string[] = [];
    const values: (number | string)[] = [];
    for (const op of ops) {
      const aligned = alignedWindow(at, op.window);
      keys.push(`${prefix}{${op.key}}${aligned ? `#${aligned.index}` : ''}`);
      values.push(op.amount, Number.isFinite(op.limit) ? op.limit : 'none', Math.max(1, Math.ceil(aligned ? aligned.endsAt - at : op.window.periodMs)));
    }
    if (everReady && redis.status !== 'ready') throw new CountersUnavailableError(`Redis counters are unavailable: the connection is ${redis.status}`);
    let reply: number[];
    try {
      reply = await redis.atriumCount(ops.length, ...keys, ...values);
    } catch (error) {
      throw new CountersUnavailableError(`Redis counters are unavailable: ${(error as Error).message}`);
    }
    const results: CounterResult[] = [];
    for (let i = 0; i * 3 < reply.length; i++) {
      const limit = ops[i].limit;
      const count = Number(reply[i * 3 + 1]);
      const finite = Number.isFinite(limit);
      results.push({ allowed: Number(reply[i * 3]) === 1, count, remaining: finite ? Math.max(0, limit - count) : Infinity, resetMs: Math.max(0, Number(reply[i * 3 + 2])) });
    }
    return results;
  };

  return {
    apply,
    async increment(key: string, amount: number, limit: number, window: CounterWindow): Promise<CounterResult> {
      const [result] = await apply([{ key, amount, limit, window }]);
      return result;
    },
    async close() {
      redis.disconnect();
    },
  };
}
