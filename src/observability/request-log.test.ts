import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequestLogWriter, RecordQueue, type RequestLogRecord, type RequestLogSink } from './request-log.ts';

function record(n: number): RequestLogRecord {
  return {
    time: new Date(1_700_000_000_000 + n).toISOString(),
    requestId: `r${n}`,
    gateway: 'managed',
    workspace: '',
    apiId: null,
    operationId: null,
    productId: null,
    subscriptionId: null,
    method: 'GET',
    url: '/',
    status: 200,
    responseTimeMs: 1,
    backendTimeMs: 1,
    requestSize: 0,
    responseSize: 0,
    clientIp: '127.0.0.1',
    error: null,
  };
}

function memorySink(): RequestLogSink & { rows: RequestLogRecord[]; batches: number[]; failing: boolean; prunedBefore: Date | undefined } {
  const sink = {
    rows: [] as RequestLogRecord[],
    batches: [] as number[],
    failing: false,
    prunedBefore: undefined as Date | undefined,
    async appendRequestLogs(rows: readonly RequestLogRecord[]) {
      if (sink.failing) throw new Error('store unreachable');
      sink.rows.push(...rows);
      sink.batches.push(rows.length);
    },
    async pruneRequestLogs(olderThan: Date) {
      sink.prunedBefore = olderThan;
      return 0;
    },
  };
  return sink;
}

describe('request log writer', () => {
  it('writes in batches of the configured size, in order, and flushes the rest on close', async () => {
    const sink = memorySink();
    const writer = createRequestLogWriter({ sink, batchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) writer.push(record(i));
    await writer.close();
    assert.deepEqual(sink.rows.map((r) => r.requestId), Array.from({ length: 25 }, (_, i) => `r${i}`));
    assert.ok(sink.batches.every((n) => n <= 10), sink.batches.join());
  });

  it('keeps records while the store is unreachable, within the bound, dropping the oldest', async () => {
    const sink = memorySink();
    sink.failing = true;
    const writer = createRequestLogWriter({ sink, batchSize: 5, maxQueue: 20, flushIntervalMs: 60_000, log: () => undefined });
    for (let i = 0; i < 30; i++) writer.push(record(i));
    await writer.flush();
    assert.equal(writer.stats().queued, 20);
    assert.equal(writer.stats().dropped, 10);
    sink.failing = false;
    await writer.close();
    assert.deepEqual(sink.rows.map((r) => r.requestId), Array.from({ length: 20 }, (_, i) => `r${i + 10}`));
  });

  it('prunes records older than the retention when a sink is set', async () => {
    const sink = memorySink();
    const now = new Date('2026-11-23T00:00:00Z');
    const writer = createRequestLogWriter({ sink: undefined, retentionMs: 86_400_000, now: () => now, flushIntervalMs: 60_000 });
    writer.setSink(sink);
    await new Promise((r) => setImmediate(r));
    assert.equal(sink.prunedBefore?.toISOString(), '2026-11-22T00:00:00.000Z');
    await writer.close();
  });

  it('keeps only the newest records past the bound while the store fails for long, and writes them in order', async () => {
    const sink = memorySink();
    sink.failing = true;
    const writer = createRequestLogWriter({ sink, batchSize: 7, maxQueue: 1000, flushIntervalMs: 60_000, log: () => undefined });
    for (let i = 0; i < 25_000; i++) writer.push(record(i));
    await writer.flush();
    assert.deepEqual(writer.stats(), { queued: 1000, written: 0, dropped: 24_000, failedBatches: writer.stats().failedBatches });
    sink.failing = false;
    await writer.close();
    assert.deepEqual(sink.rows.map((r) => r.requestId), Array.from({ length: 1000 }, (_, i) => `r${i + 24_000}`));
  });
});

describe('the request log queue', () => {
  it('is first in, first out across growth and wrap-around, and drops the oldest at its bound', () => {
    const queue = new RecordQueue<number>(200);
    for (let i = 0; i < 150; i++) queue.push(i);
    assert.deepEqual(queue.take(100), Array.from({ length: 100 }, (_, i) => i));
    for (let i = 150; i < 400; i++) queue.push(i);
    assert.equal(queue.length, 200);
    assert.equal(queue.dropped, 100);
    assert.deepEqual(queue.take(1000), Array.from({ length: 200 }, (_, i) => i + 200));
    assert.equal(queue.length, 0);
  });

  it('puts a taken batch back in front, dropping the oldest of it when there is no room', () => {
    const queue = new RecordQueue<number>(10);
    for (let i = 0; i < 6; i++) queue.push(i);
    const batch = queue.take(4);
    queue.putBack(batch);
    assert.deepEqual(queue.take(10), [0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 10; i++) queue.push(i);
    const again = queue.take(3);
    queue.push(10);
    queue.push(11);
    queue.putBack(again);
    assert.equal(queue.dropped, 2);
    assert.deepEqual(queue.take(10), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
