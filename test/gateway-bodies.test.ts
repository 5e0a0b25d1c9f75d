import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { startGatewayProcess, stopProcess, type GatewayProcess } from './support/gateway-process.ts';

/**
 * Large bodies stream through the gateway both ways: 50 MB bodies up and down arrive intact, and
 * the gateway process's resident memory does not grow with the data (measured from its own
 * /metrics after four bodies each way; the bound is generous on purpose: read buffers wait for the
 * next garbage collection). What proves streaming is backpressure: while the far side does not
 * read, the gateway holds only what fits in socket buffers, not the body.
 */

const SIZE = 50 * 1024 * 1024;
/** Bodies sent each way: memory that grew with the data would exceed the bound below several times over. */
const ROUNDS = 4;
const BOUND = 150 * 1024 * 1024;
/** What may sit in socket and stream buffers between a paused reader and a fast writer: far less than a body. */
const IN_FLIGHT_BOUND = 20 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Deterministic bytes: chunk i is filled with (i mod 251). */
function chunkOf(i: number): Buffer {
  return Buffer.alloc(CHUNK, i % 251);
}

function source(size: number, counter?: { bytes: number }): Readable {
  let sent = 0;
  let i = 0;
  return new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const chunk = chunkOf(i++).subarray(0, Math.min(CHUNK, size - sent));
      sent += chunk.length;
      if (counter) counter.bytes = sent;
      this.push(chunk);
    },
  });
}

function expectedHash(size: number): string {
  const hash = createHash('sha256');
  for (let sent = 0, i = 0; sent < size; i++) {
    const chunk = chunkOf(i).subarray(0, Math.min(CHUNK, size - sent));
    hash.update(chunk);
    sent += chunk.length;
  }
  return hash.digest('hex');
}

async function rss(gateway: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  return Number(/process_resident_memory_bytes (\d+)/.exec(text)![1]);
}

function exchange(url: string, method: string, body: Readable | undefined, headers: Record<string, string>): Promise<{ status: number; length: number; sha256: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const hash = createHash('sha256');
      let length = 0;
      let text = '';
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
        if (text.length < 2000) text += chunk.toString('utf8', 0, Math.min(chunk.length, 2000));
      });
      res.on('end', () => resolve({ status: res.statusCode!, length, sha256: hash.digest('hex'), text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

describe('large bodies through a gateway process', () => {
  let atrium: RunningAtrium;
  let backend: RecordingBackend;
  let gateway: GatewayProcess;
  const expected = expectedHash(SIZE);

  before(async () => {
    atrium = await startAtrium();
    backend = await startBackend('bulk');
    backend.respondWith((request, res) => {
      if (request.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
        source(SIZE).pipe(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ length: request.bodyLength, sha256: request.bodySha256 }));
    });
    const put = async (path: string, body: unknown) => {
      const response = await atrium.call('PUT', path, body);
      assert.ok(response.status < 300, response.text);
    };
    await put('/apis/bulk', { properties: { path: 'bulk', serviceUrl: backend.url, subscriptionRequired: false } });
    await put('/apis/bulk/operations/up', { properties: { displayName: 'up', method: 'POST', urlTemplate: '/blob' } });
    await put('/apis/bulk/operations/down', { properties: { displayName: 'down', method: 'GET', urlTemplate: '/blob' } });
    gateway = await startGatewayProcess({ ATRIUM_DATA_DIR: atrium.atrium.config.dataDir });
  });

  after(async () => {
    if (gateway) await stopProcess(gateway.child);
    await atrium?.close();
    await backend?.close();
  });

  it('uploads 50 MB bodies (chunked and with a length) intact with the gateway memory flat', async () => {
    // Warm up connections and code paths before the baseline.
    await exchange(`${gateway.url}/bulk/blob`, 'POST', source(1024 * 1024), { 'content-type': 'application/octet-stream' });
    const baseline = await rss(gateway);
    for (let round = 0; round < ROUNDS; round++) {
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (round % 2 === 1) headers['content-length'] = String(SIZE);
      const response = await exchange(`${gateway.url}/bulk/blob`, 'POST', source(SIZE), headers);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(JSON.parse(response.text), { length: SIZE, sha256: expected });
    }
    const growth = (await rss(gateway)) - baseline;
    assert.ok(growth < BOUND, `gateway RSS grew by ${Math.round(growth / 1048576)} MB for ${ROUNDS} uploads of 50 MB`);
  });

  it('downloads 50 MB bodies intact with the gateway memory flat', async () => {
    const baseline = await rss(gateway);
    for (let round = 0; round < ROUNDS; round++) {
      const response = await exchange(`${gateway.url}/bulk/blob`, 'GET', undefined, {});
      assert.equal(response.status, 200);
      assert.equal(response.length, SIZE);
      assert.equal(response.sha256, expected);
    }
    const growth = (await rss(gateway)) - baseline;
    assert.ok(growth < BOUND, `gateway RSS grew by ${Math.round(growth / 1048576)} MB for ${ROUNDS} downloads of 50 MB`);
  });

  describe('backpressure', () => {
    let slow: Server;
    let pausedUpload: IncomingMessage | undefined;
    let uploadArrived: () => void = () => undefined;
    const pulled = { bytes: 0 };

    before(async () => {
      slow = createServer((req, res) => {
        if (req.method === 'POST') {
          // Read nothing until the test says so.
          req.pause();
          pausedUpload = req;
          const hash = createHash('sha256');
          let length = 0;
          req.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            length += chunk.length;
          });
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ length, sha256: hash.digest('hex') }));
          });
          uploadArrived();
          return;
        }
        if (req.method === 'HEAD') {
          res.writeHead(200, { 'content-length': String(SIZE) });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
        source(SIZE, pulled).pipe(res);
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const put = async (path: string, body: unknown) => {
        const response = await atrium.call('PUT', path, body);
        assert.ok(response.status < 300, response.text);
      };
      await put('/apis/slow', { properties: { path: 'slow', serviceUrl: url, subscriptionRequired: false } });
      await put('/apis/slow/operations/up', { properties: { displayName: 'up', method: 'POST', urlTemplate: '/blob' } });
      await put('/apis/slow/operations/down', { properties: { displayName: 'down', method: 'GET', urlTemplate: '/blob' } });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await fetch(`${gateway.url}/slow/blob`, { method: 'HEAD' })).status === 404) await new Promise((r) => setTimeout(r, 50));
    });

    after(async () => {
      slow?.closeAllConnections();
      await new Promise<void>((resolve) => (slow ? slow.close(() => resolve()) : resolve()));
    });

    it('does not take an upload from the client faster than the backend reads it', async () => {
      const sent = { bytes: 0 };
      const arrived = new Promise<void>((resolve) => (uploadArrived = resolve));
      const done = exchange(`${gateway.url}/slow/blob`, 'POST', source(SIZE, sent), { 'content-type': 'application/octet-stream' });
      await arrived;
      await new Promise((r) => setTimeout(r, 500));
      const whilePaused = sent.bytes;
      pausedUpload!.resume();
      const response = await done;
      assert.ok(whilePaused < IN_FLIGHT_BOUND, `the client could send ${Math.round(whilePaused / 1048576)} MB while the backend read nothing`);
      assert.deepEqual(JSON.parse(response.text), { length: SIZE, sha256: expected });
    });

    it('does not take a download from the backend faster than the client reads it', async () => {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/slow/blob`, { agent: false }, resolve);
        req.on('error', reject);
        req.end();
      });
      response.pause();
      await new Promise((r) => setTimeout(r, 500));
      const whilePaused = pulled.bytes;
      const hash = createHash('sha256');
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      response.resume();
      await new Promise<void>((resolve) => response.on('end', () => resolve()));
      assert.ok(whilePaused < IN_FLIGHT_BOUND, `the backend could send ${Math.round(whilePaused / 1048576)} MB while the client read nothing`);
      assert.equal(length, SIZE);
      assert.equal(hash.digest('hex'), expected);
    });
  });
});
