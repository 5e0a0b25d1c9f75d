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
 * One script call for every `apply` of an event-loop turn (the limits of all the requests that
 * arrived together): for each call in turn, it reads, checks and adds atomically, key by key,
 * and stops that call at its first refused key. ARGV holds the number of calls, then per call
 * its number of keys and, per key, amount, limit ('none' for no limit) and period. The reply
 * holds per call the number of results, then allowed, count and time to live per result.
 * A key holds its count and expires with its window (PX), so Redis renews the window. The keys
 * of one script call fall in different hash slots: the counters need one Redis primary (with
 * replicas, if any), not a Redis Cluster.
 */
const SCRIPT = `
local out = {}
local k = 1
local a = 2
for c = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  a = a + 1
  local countAt = #out + 1
  out[countAt] = 0
  local refused = false
  for i = 1, n do
    if not refused then
      local key = KEYS[k]
      local amount = tonumber(ARGV[a])
      local limit = tonumber(ARGV[a + 1])
      local period = tonumber(ARGV[a + 2])
      local value = redis.call('GET', key)
      local current = 0
      local ttl = period
      if value then
        current = tonumber(value)
        ttl = redis.call('PTTL', key)
        if ttl < 0 then
          ttl = period
          redis.call('PEXPIRE', key, period)
        end
      end
      local allowed = 1
      if limit and current + amount > limit then
        allowed = 0
        refused = true
      elseif amount > 0 then
        if value then
          redis.call('INCRBY', key, amount)
        else
          redis.call('SET', key, amount, 'PX', period)
        end
        current = current + amount
      end
      out[countAt] = out[countAt] + 1
      out[#out + 1] = allowed
      out[#out + 1] = current
      out[#out + 1] = ttl
    end
    k = k + 1
    a = a + 3
  end
end
return out
`;

/** Keys in one script call at most; a turn with more sends several calls. */
const MAX_KEYS_PER_CALL = 1000;

type CounterRedis = Redis & { atriumCount(keys: number, ...args: (string | number)[]): Promise<number[]> };

interface Pending {
  readonly ops: readonly CounterOp[];
  readonly resolve: (results: readonly CounterResult[]) => void;
  readonly reject: (error: Error) => void;
}

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
    // Calls are already gathered per event-loop turn (see `apply`).
    enableAutoPipelining: false,
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

  let queue: Pending[] = [];

  /** Sends the calls queued in this turn, in script calls of at most MAX_KEYS_PER_CALL keys. */
  const flush = (): void => {
    const calls = queue;
    queue = [];
    let start = 0;
    while (start < calls.length) {
      let end = start;
      let keyCount = 0;
      do keyCount += calls[end++].ops.length;
      while (end < calls.length && keyCount + calls[end].ops.length <= MAX_KEYS_PER_CALL);
      send(calls.slice(start, end));
      start = end;
    }
  };

  const send = (calls: readonly Pending[]): void => {
    if (everReady && redis.status !== 'ready') {
      const error = new CountersUnavailableError(`Redis counters are unavailable: the connection is ${redis.status}`);
      for (const call of calls) call.reject(error);
      return;
    }
    const at = now();
    const keys: string[] = [];
    const values: (number | string)[] = [calls.length];
    for (const call of calls) {
      values.push(call.ops.length);
      for (const op of call.ops) {
        const aligned = alignedWindow(at, op.window);
        keys.push(`${prefix}{${op.key}}${aligned ? `#${aligned.index}` : ''}`);
        values.push(op.amount, Number.isFinite(op.limit) ? op.limit : 'none', Math.max(1, Math.ceil(aligned ? aligned.endsAt - at : op.window.periodMs)));
      }
    }
    redis.atriumCount(keys.length, ...keys, ...values).then(
      (reply) => {
        let at = 0;
        for (const call of calls) {
          const count = Number(reply[at++]);
          const results: CounterResult[] = [];
          for (let i = 0; i < count; i++, at += 3) {
            const limit = call.ops[i].limit;
            const value = Number(reply[at + 1]);
            const finite = Number.isFinite(limit);
            results.push({ allowed: Number(reply[at]) === 1, count: value, remaining: finite ? Math.max(0, limit - value) : Infinity, resetMs: Math.max(0, Number(reply[at + 2])) });
          }
          call.resolve(results);
        }
      },
      (error: Error) => {
        const unavailable = new CountersUnavailableError(`Redis counters are unavailable: ${error.message}`);
        for (const call of calls) call.reject(unavailable);
      },
    );
  };

  const apply = (ops: readonly CounterOp[]): Promise<readonly CounterResult[]> => {
    if (ops.length === 0) return Promise.resolve([]);
    if (everReady && redis.status !== 'ready') return Promise.reject(new CountersUnavailableError(`Redis counters are unavailable: the connection is ${redis.status}`));
    return new Promise((resolve, reject) => {
      // The calls of every request handled in this turn of the event loop go in one script call.
      if (queue.length === 0) setImmediate(flush);
      queue.push({ ops, resolve, reject });
    });
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
