import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createMemoryCounters, createRedisCounters, CountersUnavailableError, type Counters } from './index.ts';
import { REDIS_URL, redisAvailable } from '../../test/support/services.ts';

/** The counters contract, run against every implementation (in memory, Redis). */
interface Implementation {
  readonly name: string;
  readonly skip: string | false;
  create(now: () => number): Counters;
}

const redisSkip = await redisAvailable().then((r) => (r === true ? false : r));
const runId = randomBytes(4).toString('hex');
const opened: Counters[] = [];
after(async () => {
  for (const c of opened) await c.close();
});

const implementations: Implementation[] = [
  { name: 'memory', skip: false, create: (now) => createMemoryCounters({ now }) },
  { name: 'redis', skip: redisSkip, create: (now) => createRedisCounters({ url: REDIS_URL, prefix: `atrium-test:${runId}:${randomBytes(3).toString('hex')}:`, now }) },
];

for (const impl of implementations) {
  describe(`counters contract: ${impl.name}`, { skip: impl.skip }, () => {
    const make = (start = 1_700_000_000_000) => {
      const clock = { at: start };
      const counters = impl.create(() => clock.at);
      opened.push(counters);
      return { counters, clock };
    };
    const minute = { periodMs: 60_000 };

    test('counts up to the limit, then refuses without counting', async () => {
      const { counters } = make();
      for (let i = 1; i <= 3; i++) {
        const r = await counters.increment('k', 1, 3, minute);
        assert.equal(r.allowed, true);
        assert.equal(r.count, i);
        assert.equal(r.remaining, 3 - i);
        assert.ok(r.resetMs > 0 && r.resetMs <= 60_000);
      }
      const refused = await counters.increment('k', 1, 3, minute);
      assert.equal(refused.allowed, false);
      assert.equal(refused.count, 3);
      assert.equal(refused.remaining, 0);
      assert.ok(refused.resetMs > 0 && refused.resetMs <= 60_000);
    });

    test('keys are independent', async () => {
      const { counters } = make();
      assert.equal((await counters.increment('a', 2, 2, minute)).allowed, true);
      assert.equal((await counters.increment('a', 1, 2, minute)).allowed, false);
      assert.equal((await counters.increment('b', 1, 2, minute)).count, 1);
    });

    test('an amount of zero reads the counter', async () => {
      const { counters } = make();
      await counters.increment('k', 2, 5, minute);
      const r = await counters.increment('k', 0, 5, minute);
      assert.equal(r.allowed, true);
      assert.equal(r.count, 2);
      assert.equal(r.remaining, 3);
      await counters.increment('k', 3, 5, minute);
      assert.equal((await counters.increment('k', 0, 5, minute)).allowed, true);
      assert.equal((await counters.increment('k', 1, 5, minute)).allowed, false);
    });

    test('a limit of zero refuses every call; an infinite limit always adds', async () => {
      const { counters } = make();
      assert.equal((await counters.increment('z', 1, 0, minute)).allowed, false);
      const r = await counters.increment('bw', 5000, Infinity, minute);
      assert.equal(r.allowed, true);
      assert.equal((await counters.increment('bw', 5000, Infinity, minute)).count, 10_000);
    });

    test('aligned windows renew at their boundary, whatever the first call', async () => {
      const start = Date.UTC(2026, 0, 1, 0, 0, 30);
      const { counters, clock } = make(start);
      const hour = { periodMs: 3_600_000, alignMs: Date.UTC(2026, 0, 1) };
      const first = await counters.increment('q', 1, 1, hour);
      assert.equal(first.allowed, true);
      assert.equal(first.resetMs, 3_600_000 - 30_000);
      assert.equal((await counters.increment('q', 1, 1, hour)).allowed, false);
      clock.at = Date.UTC(2026, 0, 1, 1, 0, 0);
      const renewed = await counters.increment('q', 1, 1, hour);
      assert.equal(renewed.allowed, true);
      assert.equal(renewed.count, 1);
      assert.equal(renewed.resetMs, 3_600_000);
    });

    test('a batch applies in order, each seeing the ones before, and stops at the first refused', async () => {
      const { counters } = make();
      const results = await counters.apply([
        { key: 'x', amount: 2, limit: 3, window: minute },
        { key: 'x', amount: 1, limit: 3, window: minute },
        { key: 'y', amount: 1, limit: 0, window: minute },
        { key: 'z', amount: 1, limit: 5, window: minute },
      ]);
      assert.deepEqual(results.map((r) => [r.allowed, r.count, r.remaining]), [
        [true, 2, 1],
        [true, 3, 0],
        [false, 0, 0],
      ]);
      assert.equal((await counters.increment('z', 0, Infinity, minute)).count, 0, 'the operation after the refused one was not applied');
      assert.deepEqual(await counters.apply([]), []);
      const unlimited = await counters.apply([{ key: 'u', amount: 7, limit: Infinity, window: minute }]);
      assert.equal(unlimited[0].allowed, true);
      assert.equal(unlimited[0].remaining, Infinity);
    });

    test('a check one below the limit refuses once the count has reached it, a limit of -1 always', async () => {
      const { counters } = make();
      await counters.apply([{ key: 'c', amount: 2, limit: 2, window: minute }]);
      assert.equal((await counters.apply([{ key: 'c', amount: 0, limit: 1, window: minute }]))[0].allowed, false);
      assert.equal((await counters.apply([{ key: 'c', amount: 0, limit: 2, window: minute }]))[0].allowed, true);
      assert.equal((await counters.apply([{ key: 'fresh', amount: 0, limit: -1, window: minute }]))[0].allowed, false);
    });

    test('many calls at once (more keys than one script call takes) each get their own results', async () => {
      const { counters } = make();
      const calls = Array.from({ length: 700 }, (_, i) =>
        counters.apply([
          { key: 'shared', amount: 1, limit: 1000, window: minute },
          { key: `own-${i}`, amount: i % 2, limit: 0, window: minute },
        ]),
      );
      const results = await Promise.all(calls);
      assert.equal(results.filter((r) => r[0].allowed).length, 700);
      assert.deepEqual([...new Set(results.map((r) => r[0].count))].length, 700, 'each call saw the ones before it');
      for (let i = 0; i < 700; i++) {
        assert.equal(results[i].length, 2);
        assert.equal(results[i][1].allowed, i % 2 === 0, `call ${i}: an amount of 1 over a limit of 0 is refused`);
      }
      assert.equal((await counters.increment('shared', 0, Infinity, minute)).count, 700);
    });

    test('concurrent increments never overshoot the limit', async () => {
      const { counters } = make();
      const results = await Promise.all(Array.from({ length: 50 }, () => counters.increment('c', 1, 20, minute)));
      assert.equal(results.filter((r) => r.allowed).length, 20);
      assert.deepEqual(results.filter((r) => r.allowed).map((r) => r.count).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    });
  });
}

describe('counters contract: memory answers at once', () => {
  test('apply returns its results without a promise', () => {
    const results = createMemoryCounters().apply([{ key: 'k', amount: 1, limit: 1, window: { periodMs: 1000 } }]);
    assert.ok(Array.isArray(results));
    assert.equal((results as readonly { allowed: boolean }[])[0].allowed, true);
  });
});

describe('counters contract: memory window renewal', () => {
  test('a window started by the first call renews after its period', async () => {
    const clock = { at: 1000 };
    const counters = createMemoryCounters({ now: () => clock.at });
    await counters.increment('k', 1, 1, { periodMs: 10_000 });
    clock.at = 10_999;
    assert.equal((await counters.increment('k', 1, 1, { periodMs: 10_000 })).resetMs, 1);
    clock.at = 11_000;
    assert.equal((await counters.increment('k', 1, 1, { periodMs: 10_000 })).allowed, true);
  });
});

describe('redis counters when Redis is unreachable', () => {
  test('fail fast with CountersUnavailableError instead of hanging', async () => {
    const counters = createRedisCounters({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, redis: { retryStrategy: () => null } });
    await assert.rejects(counters.increment('k', 1, 1, { periodMs: 1000 }), CountersUnavailableError);
    await counters.close();
  });
});

describe('redis counters when the connection is lost', { skip: redisSkip }, () => {
  test('calls fail at once with CountersUnavailableError, without queueing behind reconnects', async () => {
    const target = new URL(REDIS_URL);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const port = (proxy.address() as net.AddressInfo).port;
    const counters = createRedisCounters({ url: `redis://127.0.0.1:${port}`, prefix: `atrium-test:${runId}:lost:` });
    try {
      assert.equal((await counters.increment('k', 1, 5, { periodMs: 1000 })).allowed, true);
      proxy.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await assert.rejects(counters.increment('k', 1, 5, { periodMs: 1000 }), CountersUnavailableError);
    } finally {
      await counters.close();
    }
  });
});
