// `npm run bench:store`: loads workspaces × APIs × operations through the management REST API of
// a real Atrium process, then measures GET-by-id and list latencies at that size, on SQLite and on
// PostgreSQL. Options: --quick (10 × 10 × 10), --workspaces N, --apis N, --operations N,
// --store sqlite|postgres (default both). Writes bench/results/store.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { readRssMb } from './proc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const POSTGRES_URL = process.env.ATRIUM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workspaces: { type: 'string' },
    apis: { type: 'string' },
    operations: { type: 'string' },
    store: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    samples: { type: 'string', default: '2000' },
  },
});
const size = {
  workspaces: Number(args.workspaces ?? (args.quick ? 10 : 100)),
  apis: Number(args.apis ?? (args.quick ? 10 : 100)),
  operations: Number(args.operations ?? (args.quick ? 10 : 10)),
};
const concurrency = Number(args.concurrency);
const samples = Number(args.quick ? Math.min(Number(args.samples), 500) : args.samples);

interface StoreResult {
  store: string;
  /** Import of the largest public OpenAPI document (2.8 MB, 288 operations) through PUT …/apis/{id}: median of 3, min–max. */
  importLargestMs: { median: number; min: number; max: number } | undefined;
  resources: number;
  loadSeconds: number;
  writesPerSecond: number;
  getApi: Percentiles;
  getOperation: Percentiles;
  list100: Percentiles;
  filteredList: Percentiles;
  rssMb: number | undefined;
}
interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

async function main(): Promise<void> {
  const stores = args.store ? [args.store] : ['sqlite', 'postgres'];
  const results: StoreResult[] = [];
  console.log(`Atrium store benchmark: ${size.workspaces} workspaces × ${size.apis} APIs × ${size.operations} operations, ${concurrency} concurrent writers`);
  for (const store of stores) {
    if (store === 'postgres' && !(await postgresReachable())) {
      console.log(`postgres: skipped, PostgreSQL at ${POSTGRES_URL} is unreachable`);
      continue;
    }
    results.push(await runOne(store));
  }
  printTable(results);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'store.json'), `${JSON.stringify({ size, concurrency, results }, null, 2)}\n`);
  console.log(`\nwrote bench/results/store.json`);
}

async function runOne(store: string): Promise<StoreResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-store-'));
  const schema = `atrium_bench_${process.pid}`;
  const databaseUrl = store === 'postgres' ? `${POSTGRES_URL}?schema=${schema}` : undefined;
  const port = 18000 + Math.floor(Math.random() * 2000);
  const child = startAtrium(dataDir, port, databaseUrl);
  try {
    await waitForHealth(port);
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
    const call = async (method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; ms: number }> => {
      const started = performance.now();
      const res = await pool.request({
        method,
        path,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
      return { status: res.statusCode, ms: performance.now() - started };
    };

    // Load: workspaces, then each workspace's APIs and their operations, `concurrency` at a time.
    const jobs: (() => Promise<unknown>)[] = [];
    for (let w = 0; w < size.workspaces; w++) {
      for (let a = 0; a < size.apis; a++) {
        jobs.push(async () => {
          const api = `/workspaces/ws-${w}/apis/api-${w}-${a}`;
          await call('PUT', api, { properties: { displayName: `API ${a} of ${w}`, path: `ws-${w}/api-${a}`, serviceUrl: 'http://127.0.0.1:9/backend', protocols: ['https'] } });
          for (let o = 0; o < size.operations; o++) {
            await call('PUT', `${api}/operations/op-${o}`, {
              properties: { displayName: `Operation ${o}`, method: o % 2 === 0 ? 'GET' : 'POST', urlTemplate: `/items/{id}/op-${o}`, templateParameters: [{ name: 'id', type: 'string', required: true }] },
            });
          }
        });
      }
    }
    const started = performance.now();
    for (let w = 0; w < size.workspaces; w++) await call('PUT', `/workspaces/ws-${w}`, { properties: { displayName: `Workspace ${w}` } });
    let done = 0;
    let lastReport = performance.now();
    await runPool(jobs, concurrency, () => {
      done++;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(`  ${store}: ${done}/${jobs.length} APIs loaded`);
      }
    });
    const loadSeconds = (performance.now() - started) / 1000;
    const resources = size.workspaces * (1 + size.apis * (1 + size.operations));

    // Reads, sequential, one at a time, at random positions.
    const pick = (n: number): number => Math.floor(Math.random() * n);
    const measure = async (path: () => string): Promise<Percentiles> => {
      for (let i = 0; i < 50; i++) await call('GET', path());
      const times: number[] = [];
      for (let i = 0; i < samples; i++) times.push((await call('GET', path())).ms);
      return percentiles(times);
    };
    const getApi = await measure(() => {
      const w = pick(size.workspaces);
      return `/workspaces/ws-${w}/apis/api-${w}-${pick(size.apis)}`;
    });
    const getOperation = await measure(() => {
      const w = pick(size.workspaces);
      return `/workspaces/ws-${w}/apis/api-${w}-${pick(size.apis)}/operations/op-${pick(size.operations)}`;
    });
    const list100 = await measure(() => `/workspaces/ws-${pick(size.workspaces)}/apis?$top=100`);
    const filteredList = await measure(() => {
      const w = pick(size.workspaces);
      return `/workspaces/ws-${w}/apis?$top=100&$filter=${encodeURIComponent(`startswith(name, 'api-${w}-1') or contains(properties/displayName, ' 2 ')`)}`;
    });
    const rssMb = child.pid ? readRssMb(child.pid) : undefined;
    const importLargestMs = await measureLargestImport(call);
    await pool.close();
    const result = { store, importLargestMs, resources, loadSeconds, writesPerSecond: resources / loadSeconds, getApi, getOperation, list100, filteredList, rssMb };
    console.log(`  ${store}: loaded ${resources} resources in ${loadSeconds.toFixed(1)} s`);
    return result;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    if (store === 'postgres') await dropSchema(schema);
  }
}

/** The issue's goal: the largest public definition imports in under 2 s. */
async function measureLargestImport(call: (method: 'GET' | 'PUT', path: string, body?: unknown) => Promise<{ status: number; ms: number }>): Promise<StoreResult['importLargestMs']> {
  const file = join(ROOT, '..', 'shared', 'corpus', 'openapi', 'openai', 'openapi.yaml');
  if (!existsSync(file)) {
    console.log(`  import: skipped, ${file} is missing`);
    return undefined;
  }
  const value = readFileSync(file, 'utf8');
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push((await call('PUT', `/apis/import-bench-${i}`, { properties: { format: 'openapi', value, path: `import-bench-${i}` } })).ms);
  const sorted = [...times].sort((a, b) => a - b);
  return { median: round(sorted[1]), min: round(sorted[0]), max: round(sorted[2]) };
}

function startAtrium(dataDir: string, port: number, databaseUrl: string | undefined): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_ADMIN_KEY: ADMIN_KEY,
    ATRIUM_MANAGEMENT_PORT: String(port),
    ATRIUM_GATEWAY_PORT: '0',
    ATRIUM_PORTAL_PORT: '0',
  };
  if (databaseUrl) env.ATRIUM_DATABASE_URL = databaseUrl;
  else delete env.ATRIUM_DATABASE_URL;
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Atrium did not become healthy on port ${port}`);
}

async function runPool(jobs: readonly (() => Promise<unknown>)[], width: number, onDone: () => void): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await job();
      onDone();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

const round = (n: number): number => Math.round(n * 100) / 100;

function printTable(results: readonly StoreResult[]): void {
  const rows = [
    ['store', 'resources', 'load s', 'writes/s', 'GET api p50/p99 ms', 'GET op p50/p99 ms', 'list 100 p50/p99 ms', 'filtered p50/p99 ms', 'RSS MB', 'import 2.8 MB ms (min–max)'],
    ...results.map((r) => [
      r.store,
      String(r.resources),
      r.loadSeconds.toFixed(1),
      r.writesPerSecond.toFixed(0),
      `${r.getApi.p50Ms} / ${r.getApi.p99Ms}`,
      `${r.getOperation.p50Ms} / ${r.getOperation.p99Ms}`,
      `${r.list100.p50Ms} / ${r.list100.p99Ms}`,
      `${r.filteredList.p50Ms} / ${r.filteredList.p99Ms}`,
      r.rssMb === undefined ? '-' : r.rssMb.toFixed(0),
      r.importLargestMs ? `${r.importLargestMs.median.toFixed(0)} (${r.importLargestMs.min.toFixed(0)}–${r.importLargestMs.max.toFixed(0)})` : '-',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  console.log('\nGoals (SQLite, 100 × 100 × 10): GET by id p99 < 5 ms, list of 100 p99 < 20 ms; the 2.8 MB definition imports in under 2 s.');
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

await main();
