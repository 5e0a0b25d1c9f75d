// The least a gateway can do per request for the full chain, as a reference for the goal
// "10,000 APIs ≥ 0.98× the throughput of 10": node:http in front of an undici Pool (as in
// bare-undici-proxy.ts) plus only the per-API work the chain requires — the API by its path's
// first segment, the subscription by its key and its match with the API, a rate-limit and a
// quota count, the API's request count and duration histogram, and a request-log record posted
// in batches to a worker thread (which keeps nothing: the store's write is left out). One object
// per API and one per subscription, found through one map each. No policy engine, no snapshot,
// no store: what is left of the 10,000-API cost here is what any gateway pays for reading the
// memory of 10,000 APIs in turn.
//
// BENCH_PORT: port to listen on; BENCH_UPSTREAM: origin of the backend; BENCH_TARGETS: the
// scenario's targets file (`/<api>/hello<TAB><key>` lines), from which the APIs and keys are made.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

interface Api {
  readonly id: string;
  readonly operationId: string;
  readonly workspace: string;
  /** Requests, duration sum, then one count per duration bucket. */
  readonly figures: number[];
}

interface Subscription {
  readonly id: string;
  readonly api: Api;
  rate: number;
  rateEndsAt: number;
  quota: number;
  quotaEndsAt: number;
}

const BUCKETS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000];
const RATE_MS = 60_000;
const QUOTA_MS = 86_400_000;
const BATCH = 256;

const pool = new Pool(process.env.BENCH_UPSTREAM!, { connections: 128, pipelining: 1 });
const apis = new Map<string, Api>();
const subscriptions = new Map<string, Subscription>();
const lines = readFileSync(process.env.BENCH_TARGETS!, 'utf8').split('\n').filter((line) => line !== '');
for (let i = 0; i < lines.length; i++) {
  const [path, key] = lines[i].split('\t');
  const segment = path.split('/')[1];
  const workspace = `workspace-${i % 30}`;
  const api: Api = {
    id: `/workspaces/${workspace}/apis/${segment}`,
    operationId: `/workspaces/${workspace}/apis/${segment}/operations/get-any`,
    workspace,
    figures: new Array<number>(2 + BUCKETS.length + 1).fill(0),
  };
  apis.set(segment, api);
  subscriptions.set(key, { id: `/workspaces/${workspace}/subscriptions/sub-${segment}`, api, rate: 0, rateEndsAt: 0, quota: 0, quotaEndsAt: 0 });
}

const logWriter = new Worker('require("node:worker_threads").parentPort.on("message", () => {});', { eval: true });
let batch: unknown[][] = [];

function count(subscription: Subscription, now: number): void {
  if (subscription.rateEndsAt <= now) {
    subscription.rate = 0;
    subscription.rateEndsAt = now + RATE_MS;
  }
  subscription.rate++;
  if (subscription.quotaEndsAt <= now) {
    subscription.quota = 0;
    subscription.quotaEndsAt = now + QUOTA_MS;
  }
  subscription.quota++;
}

function finished(api: Api, subscription: Subscription, url: string, status: number, ms: number): void {
  const figures = api.figures;
  figures[0]++;
  figures[1] += ms;
  let bucket = 0;
  while (bucket < BUCKETS.length && ms > BUCKETS[bucket]) bucket++;
  figures[2 + bucket]++;
  batch.push([new Date().toISOString(), randomUUID(), 'managed', api.workspace, api.id, api.operationId, subscription.id, 'GET', url, status, ms]);
  if (batch.length >= BATCH) {
    logWriter.postMessage(batch);
    batch = [];
  }
}

function reject(response: ServerResponse, status: number): void {
  response.writeHead(status, ['content-length', '0']).end();
}

function serve(request: IncomingMessage, response: ServerResponse): void {
  const started = performance.now();
  const url = request.url!;
  const slash = url.indexOf('/', 1);
  const api = apis.get(url.slice(1, slash === -1 ? url.length : slash));
  if (api === undefined) return reject(response, 404);
  const key = request.headers['ocp-apim-subscription-key'];
  const subscription = typeof key === 'string' ? subscriptions.get(key) : undefined;
  if (subscription === undefined || subscription.api !== api) return reject(response, 401);
  count(subscription, Date.now());
  let status = 502;
  const handler: Dispatcher.DispatchHandler = {
    onConnect() {},
    onHeaders(statusCode, rawHeaders) {
      status = statusCode;
      const headers: string[] = new Array(rawHeaders.length);
      for (let i = 0; i < rawHeaders.length; i++) headers[i] = rawHeaders[i].toString('latin1');
      headers.push('x-bench-served-by', 'lean-gateway');
      response.writeHead(statusCode, headers);
      return true;
    },
    // The body is 100 bytes: written without waiting for 'drain' (a client gone before it would
    // never send one, and the pool's connection would wait for it forever).
    onData(chunk) {
      response.write(chunk);
      return true;
    },
    onComplete() {
      response.end();
      finished(api, subscription, url, status, performance.now() - started);
    },
    onError() {
      if (response.headersSent) response.destroy();
      else reject(response, 502);
    },
  };
  pool.dispatch({ method: 'GET', path: url, headers: request.rawHeaders, body: null }, handler);
}

createServer(serve).listen(Number(process.env.BENCH_PORT), '127.0.0.1');
