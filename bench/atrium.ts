// The Atrium scenarios: what each one needs (as data), how that is seeded through the management
// REST API, and how the gateway under test is started. A deployment (a store seeded with APIs,
// keys and policies) is shared by the scenarios that name it; the harness runs them one after
// another on one gateway process and starts the next deployment only when the name changes (a
// pair across two deployments keeps both gateways up, only one of them running at a time).
//
// Sequence for a deployment: `atrium start` (management plane, both cores) on a fresh data dir →
// seed over REST with the admin key → stop it → `atrium gateway --gateway managed` alone on the
// gateway core, reading the same store, with the event-loop probe preloaded → wait until every
// API family answers 200. A store seeded by an earlier run on the same store code is copied
// instead of seeded again (seed-cache.ts).

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childError, freePort, startChild } from './processes.ts';
import type { OwnedChild } from './processes.ts';
import { loadFor } from './scenarios.ts';
import { restoreSeeded, saveSeeded, seedCacheKey, sourceHash } from './seed-cache.ts';
import type { RunContext, Scenario, Shape, Target } from './scenarios.ts';
import type { LoadRequest } from './wrk.ts';

export const subscriptionKeyHeader = 'Ocp-Apim-Subscription-Key';

// --- the scenarios, as data ----------------------------------------------------------------------

/**
 * The API families of a deployment:
 * - `passthrough`: open API (no key), no policy;
 * - `key`: subscription key required, no policy;
 * - `limits`: key + `rate-limit-by-key` + `quota-by-key` (limits far above what a run sends);
 * - `ten`: key + a ten-policy inbound chain (variables, choose with expressions, headers, a query
 *   parameter, rate-limit-by-key, quota-by-key): the policy engine's cost per request;
 * - `ten-open`: the same chain on an open API (its limits keyed on the client address), to
 *   compare with `passthrough`;
 * - `chain`: key + limits + three header transforms, from the workspace policy, plus the request
 *   log record every gateway request yields (DESIGN.md §9). Requests pick a random chain API and
 *   its key, so 10, 1,000 and 10,000 APIs are compared like for like.
 */
export type ApiFamily = 'passthrough' | 'key' | 'limits' | 'chain' | 'ten' | 'ten-open';

export interface Deployment {
  name: string;
  /** Seed the passthrough, key and limits APIs (one workspace, `bench-basic`). */
  basicApis: boolean;
  chainApis: number;
  /**
   * Workspaces the chain APIs are spread over. A gateway serves at most 30 workspaces (DESIGN.md
   * §4), so the large deployments use 30, the most one gateway can serve.
   */
  chainWorkspaces: number;
  /** Rate-limit and quota counters in Redis (`ATRIUM_REDIS_URL`) instead of in process. */
  redis: boolean;
}

export const deployments: Record<string, Deployment> = {
  small: { name: 'small', basicApis: true, chainApis: 10, chainWorkspaces: 10, redis: false },
  'small-redis': { name: 'small-redis', basicApis: false, chainApis: 10, chainWorkspaces: 10, redis: true },
  '1k': { name: '1k', basicApis: false, chainApis: 1000, chainWorkspaces: 30, redis: false },
  '10k': { name: '10k', basicApis: false, chainApis: 10000, chainWorkspaces: 30, redis: false },
};

export interface AtriumScenarioSpec {
  name: string;
  description: string;
  deployment: keyof typeof deployments;
  family: ApiFamily;
  shape: Shape;
  /** Reported under `variants`, beside the scenarios the harness's contract names. */
  variant?: boolean;
}

/** In run order: scenarios sharing a deployment are adjacent. */
export const atriumScenarioSpecs: readonly AtriumScenarioSpec[] = [
  { name: 'atrium-passthrough', description: 'open API, no policy', deployment: 'small', family: 'passthrough', shape: 'hello' },
  { name: 'atrium-key', description: 'subscription key check', deployment: 'small', family: 'key', shape: 'hello' },
  { name: 'atrium-limits', description: 'key + rate-limit-by-key + quota-by-key', deployment: 'small', family: 'limits', shape: 'hello' },
  { name: 'atrium-full-chain', description: 'limits + 3 header transforms + request log, 10 APIs', deployment: 'small', family: 'chain', shape: 'hello' },
  { name: 'atrium-ten-policies', description: 'key + ten inbound policies (variables, choose, headers, query, limits)', deployment: 'small', family: 'ten', shape: 'hello', variant: true },
  { name: 'atrium-ten-policies-open', description: 'open API + the same ten inbound policies (limits keyed on the client address)', deployment: 'small', family: 'ten-open', shape: 'hello', variant: true },
  { name: 'atrium-64k', description: 'open API, 64 KiB response', deployment: 'small', family: 'passthrough', shape: '64k' },
  { name: 'atrium-post-4k', description: 'open API, 4 KiB POST body', deployment: 'small', family: 'passthrough', shape: 'post-4k' },
  { name: 'atrium-full-chain-redis', description: 'full chain, counters in Redis', deployment: 'small-redis', family: 'chain', shape: 'hello' },
  { name: 'atrium-full-chain-1k', description: 'full chain, 1,000 APIs / 30 workspaces', deployment: '1k', family: 'chain', shape: 'hello' },
  { name: 'atrium-full-chain-10k', description: 'full chain, 10,000 APIs / 30 workspaces', deployment: '10k', family: 'chain', shape: 'hello' },
];

// --- policies ------------------------------------------------------------------------------------

const limitsInbound = `    <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
    <quota-by-key calls="2000000000" renewal-period="86400" counter-key="@(context.Subscription.Id)" />`;

export const limitsPolicy = `<policies>
  <inbound>
    <base />
${limitsInbound}
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;

export const fullChainPolicy = `<policies>
  <inbound>
    <base />
${limitsInbound}
    <set-header name="X-Bench-Chain" exists-action="override"><value>inbound</value></set-header>
    <set-header name="X-Bench-Client" exists-action="override"><value>@(context.Request.IpAddress)</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-header name="X-Bench-Served-By" exists-action="override"><value>atrium</value></set-header>
  </outbound>
  <on-error><base /></on-error>
</policies>`;

export const tenPolicies = `<policies>
  <inbound>
    <base />
    <set-variable name="client" value="@(context.Request.Headers.GetValueOrDefault(&quot;User-Agent&quot;, &quot;unknown&quot;))" />
    <set-variable name="tier" value="@(context.Subscription == null ? &quot;free&quot; : &quot;paid&quot;)" />
    <choose>
      <when condition="@((string)context.Variables[&quot;tier&quot;] == &quot;paid&quot;)">
        <set-header name="X-Bench-Tier" exists-action="override"><value>paid</value></set-header>
      </when>
      <otherwise>
        <set-header name="X-Bench-Tier" exists-action="override"><value>free</value></set-header>
      </otherwise>
    </choose>
    <set-header name="X-Bench-Client" exists-action="override"><value>@((string)context.Variables[&quot;client&quot;])</value></set-header>
    <set-header name="X-Bench-Request" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>
    <set-header name="X-Bench-Remove" exists-action="delete" />
    <set-query-parameter name="bench" exists-action="override"><value>1</value></set-query-parameter>
    <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
    <quota-by-key calls="2000000000" renewal-period="86400" counter-key="@(context.Subscription.Id)" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;

/** The ten-policy chain for an API without subscriptions: the limits count per client address. */
export const tenPoliciesOpen = tenPolicies.replaceAll('context.Subscription.Id', 'context.Request.IpAddress');

// --- seeding, as data ------------------------------------------------------------------------------

export interface SeedRequest {
  method: 'PUT';
  path: string;
  body: unknown;
}

/** One API a scenario can send to: its request path prefix and the key (empty for open APIs). */
export interface ApiTarget {
  path: string;
  key: string;
}

export interface SeedPlan {
  /** Phases run in order; the requests of one phase are independent of each other. */
  phases: SeedRequest[][];
  targets: Record<ApiFamily, ApiTarget[]>;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A deterministic subscription key per subscription, so no secret needs listing after seeding. */
export function benchKey(subscription: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${subscription}`).digest('hex').slice(0, 32);
}

export function seedPlan(deployment: Deployment, backendUrl: string, salt: string): SeedPlan {
  const workspaces: SeedRequest[] = [];
  const links: SeedRequest[] = [];
  const apis: SeedRequest[] = [];
  const children: SeedRequest[] = [];
  const targets: Record<ApiFamily, ApiTarget[]> = { passthrough: [], key: [], limits: [], chain: [], ten: [], 'ten-open': [] };

  const addWorkspace = (ws: string, displayName: string) => {
    workspaces.push({ method: 'PUT', path: `/workspaces/${ws}`, body: { properties: { displayName, description: 'Benchmark workspace' } } });
    links.push({ method: 'PUT', path: `/gateways/managed/workspaceLinks/${ws}`, body: { properties: {} } });
  };
  /** `ws` undefined: a service-level API (the managed gateway serves those besides its linked workspaces). */
  const addApi = (ws: string | undefined, api: string, family: ApiFamily, policy?: string) => {
    const base = ws === undefined ? `/apis/${api}` : `/workspaces/${ws}/apis/${api}`;
    const subscriptionRequired = family !== 'passthrough' && family !== 'ten-open';
    apis.push({
      method: 'PUT',
      path: base,
      body: { properties: { displayName: api, path: api, serviceUrl: backendUrl, protocols: ['http', 'https'], subscriptionRequired } },
    });
    children.push({ method: 'PUT', path: `${base}/operations/get-any`, body: { properties: { displayName: 'GET /*', method: 'GET', urlTemplate: '/*' } } });
    if (family === 'passthrough') {
      children.push({ method: 'PUT', path: `${base}/operations/post-any`, body: { properties: { displayName: 'POST /*', method: 'POST', urlTemplate: '/*' } } });
    }
    if (policy) children.push({ method: 'PUT', path: `${base}/policies/policy`, body: { properties: { format: 'rawxml', value: policy } } });
    let key = '';
    if (subscriptionRequired) {
      const subscription = `sub-${api}`;
      key = benchKey(subscription, salt);
      children.push({
        method: 'PUT',
        path: `/workspaces/${ws}/subscriptions/${subscription}`,
        body: { properties: { displayName: subscription, scope: `/apis/${api}`, state: 'active', primaryKey: key, secondaryKey: benchKey(`${subscription}:2`, salt) } },
      });
    }
    targets[family].push({ path: `/${api}`, key });
  };

  if (deployment.basicApis) {
    addWorkspace('bench-basic', 'Benchmark: basic APIs');
    addApi('bench-basic', 'passthrough', 'passthrough');
    addApi('bench-basic', 'key', 'key');
    addApi('bench-basic', 'limits', 'limits', limitsPolicy);
    addApi('bench-basic', 'ten', 'ten', tenPolicies);
    addApi('bench-basic', 'ten-open', 'ten-open', tenPoliciesOpen);
  }
  const chainWorkspaces = Math.max(1, Math.min(deployment.chainWorkspaces, deployment.chainApis));
  for (let w = 0; w < chainWorkspaces; w++) {
    const ws = `bench-chain-${pad(w + 1, 2)}`;
    addWorkspace(ws, `Benchmark: full chain ${w + 1}`);
    children.push({ method: 'PUT', path: `/workspaces/${ws}/policies/policy`, body: { properties: { format: 'rawxml', value: fullChainPolicy } } });
  }
  for (let i = 0; i < deployment.chainApis; i++) {
    addApi(`bench-chain-${pad((i % chainWorkspaces) + 1, 2)}`, `chain-${pad(i + 1, 5)}`, 'chain');
  }
  // Every deployment serves the open passthrough API: the request a pair across deployments
  // measures on both gateways to check that they run alike (`Target.calibration`). At service
  // level: a chain workspace's policy would apply to it, and a gateway serves at most 30
  // workspaces, as many as the large deployments have.
  if (!deployment.basicApis) addApi(undefined, 'passthrough', 'passthrough');
  // Workspaces are linked to the gateway last: until then no gateway serves them, so a gateway
  // running beside the management plane has nothing to rebuild while thousands of APIs arrive.
  return { phases: [workspaces, apis, children, links], targets };
}

/** The load for a scenario once its deployment is seeded. `targetsFile` is written for `chain`. */
export function atriumLoad(spec: AtriumScenarioSpec, targets: readonly ApiTarget[], targetsFile: string): LoadRequest {
  if (spec.family === 'chain') {
    writeFileSync(targetsFile, targets.map((t) => `${t.path}/hello\t${t.key}\n`).join(''));
    return { ...loadFor(spec.shape), targetsFile, keyHeader: subscriptionKeyHeader };
  }
  const target = targets[0];
  const load = loadFor(spec.shape, target.path);
  return target.key ? { ...load, headers: { [subscriptionKeyHeader]: target.key } } : load;
}

// --- running -------------------------------------------------------------------------------------

/**
 * Why the Atrium scenarios cannot run in `root` yet, or undefined when they can: the gateway is
 * there once `src/gateway/` exists and the CLI lists an `atrium gateway` command.
 */
export function gatewayMissing(root: string): string | undefined {
  const cli = join(root, 'src', 'cli', 'main.ts');
  if (!existsSync(join(root, 'src', 'gateway')) || !existsSync(cli)) return notBuiltReason;
  let usage = '';
  try {
    usage = execFileSync(process.execPath, [cli, 'help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 });
  } catch (error) {
    usage = String((error as { stdout?: string }).stdout ?? '');
  }
  return /^\s+gateway\b/m.test(usage) ? undefined : `${notBuiltReason} (no \`atrium gateway\` command yet)`;
}

export const notBuiltReason = 'the gateway is not built';

export function redisUrl(): string {
  return process.env.BENCH_REDIS_URL ?? process.env.ATRIUM_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForStatus(url: string, child: OwnedChild, headers: Record<string, string> = {}, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exited()) throw childError(child, 'exited');
    try {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (${last})`);
}

async function seed(managementUrl: string, adminKey: string, plan: SeedPlan, log: (line: string) => void, concurrency = 8): Promise<void> {
  const total = plan.phases.reduce((sum, phase) => sum + phase.length, 0);
  const startedAt = Date.now();
  let done = 0;
  for (const phase of plan.phases) {
    let next = 0;
    const worker = async () => {
      while (next < phase.length) {
        const request = phase[next++];
        const response = await fetch(`${managementUrl}${request.path}`, {
          method: request.method,
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`seeding ${request.method} ${request.path}: ${response.status} ${text.slice(0, 300)}`);
        if (++done % 2000 === 0) log(`  seeding: ${done}/${total} requests, ${Math.round((Date.now() - startedAt) / 1000)} s`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, phase.length) }, worker));
  }
  log(`  seeded ${total} requests in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

export interface RunningDeployment {
  deployment: Deployment;
  /** The gateway process; replaced when it is restarted. */
  gateway: OwnedChild;
  port: number;
  plan: SeedPlan;
  /** The environment the gateway runs with (data folder, admin key, ports). */
  env: NodeJS.ProcessEnv;
  /** Scenarios measured on this gateway process so far. */
  served: number;
}

/** Starts `atrium start` on `env`'s data folder and waits for its management API. */
export async function startManagement(context: RunContext, env: NodeJS.ProcessEnv, cpu: number | string): Promise<{ management: OwnedChild; url: string }> {
  const management = startChild({
    name: 'atrium start',
    tasksetPath: context.tools.taskset,
    cpu,
    command: process.execPath,
    args: [join(context.atriumRoot, 'src', 'cli', 'main.ts'), 'start'],
    env,
    cwd: context.atriumRoot,
  });
  const url = `http://127.0.0.1:${env.ATRIUM_MANAGEMENT_PORT}`;
  try {
    await waitForStatus(`${url}/health`, management);
  } catch (error) {
    await management.stop();
    throw error;
  }
  return { management, url };
}

/** Seeds `plan` through the management API of an `atrium start` running on `env`'s data folder. */
async function seedDeployment(context: RunContext, deployment: Deployment, plan: SeedPlan, env: NodeJS.ProcessEnv, adminKey: string, log: (line: string) => void): Promise<void> {
  // Nothing is measured while seeding: the management plane may use both cores.
  const { management, url: managementUrl } = await startManagement(context, env, `${context.gatewayCpu},${context.loadCpu}`);
  try {
    log(`  deployment ${deployment.name}: seeding through the management API`);
    await seed(managementUrl, adminKey, plan, log);
  } finally {
    await management.stop();
  }
}

/**
 * Extra Node options for the measured gateway only (`BENCH_GATEWAY_NODE_ARGS`, split on spaces),
 * e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under the scenarios' load.
 */
export function gatewayNodeArgs(value = process.env.BENCH_GATEWAY_NODE_ARGS): string[] {
  return (value ?? '').split(' ').filter((arg) => arg !== '');
}

async function startDeployment(context: RunContext, deployment: Deployment, log: (line: string) => void): Promise<RunningDeployment> {
  const dataDir = join(context.dir, `atrium-${deployment.name}`);
  // A deployment started again in the same run (the paired phase) starts from its seeded store
  // again, in an emptied folder: a database file copied beside the write-ahead log an earlier
  // gateway left there makes a corrupt store (its request logs then cannot be written).
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const plan = seedPlan(deployment, `http://127.0.0.1:${context.backendPort}`, 'atrium-bench');
  const cacheKey = seedCacheKey(deployment.name, plan, sourceHash(context.atriumRoot));
  // With `--fresh`, each deployment is seeded once in the run, and restored when started again.
  const seedCache = context.seedCache ?? join(context.dir, 'seeded');
  const restoredKey = restoreSeeded(seedCache, cacheKey, dataDir);
  const adminKey = restoredKey ?? randomBytes(24).toString('hex');
  const [gatewayPort, managementPort, portalPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_ADMIN_KEY: adminKey,
    ATRIUM_HOST: '127.0.0.1',
    ATRIUM_GATEWAY_PORT: String(gatewayPort),
    ATRIUM_MANAGEMENT_PORT: String(managementPort),
    ATRIUM_PORTAL_PORT: String(portalPort),
    ATRIUM_METRICS_PORT: String(metricsPort),
  };
  delete env.ATRIUM_DATABASE_URL;
  delete env.ATRIUM_REDIS_URL;
  if (deployment.redis) env.ATRIUM_REDIS_URL = redisUrl();

  if (restoredKey) {
    log(`  deployment ${deployment.name}: seeded store reused from ${seedCache}${context.seedCache ? ' (--fresh seeds again)' : ''}`);
  } else {
    await seedDeployment(context, deployment, plan, env, adminKey, log);
    saveSeeded(seedCache, cacheKey, dataDir, adminKey);
  }

  const gateway = await startGateway(context, env, plan, gatewayPort);
  return { deployment, gateway, port: gatewayPort, plan, env, served: 0 };
}

/** Starts `atrium gateway` alone on the gateway core on `env`'s store, and waits until every API family answers 200. */
async function startGateway(context: RunContext, env: NodeJS.ProcessEnv, plan: SeedPlan, gatewayPort: number): Promise<OwnedChild> {
  const gateway = startChild({
    name: 'atrium gateway',
    tasksetPath: context.tools.taskset,
    cpu: context.gatewayCpu,
    command: process.execPath,
    args: [...gatewayNodeArgs(), '--import', context.probeImport, join(context.atriumRoot, 'src', 'cli', 'main.ts'), 'gateway', '--gateway', 'managed'],
    env,
    cwd: context.atriumRoot,
  });
  try {
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    // Loading 10,000 APIs takes a while: the gateway gets two minutes to serve all of them.
    const readyTimeoutMs = 120000;
    await waitForStatus(`${gatewayUrl}/status-0123456789abcdef`, gateway, {}, readyTimeoutMs);
    for (const targets of Object.values(plan.targets)) {
      for (const target of [targets[0], targets.at(-1)]) {
        if (!target) continue;
        await waitForStatus(`${gatewayUrl}${target.path}/hello`, gateway, target.key ? { [subscriptionKeyHeader]: target.key } : {}, readyTimeoutMs);
      }
    }
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return gateway;
}

/**
 * The Atrium scenarios for one run, and `close()` to stop the deployment left running at the end.
 * Each scenario's `start` reuses the running deployment when it is the one it needs.
 */
export interface AtriumRun {
  scenarios: Scenario[];
  /**
   * The running deployment of that name, started (or restarted) when needed; for the reload
   * step. Every other running deployment is stopped, except those named in `keep`.
   */
  acquire(context: RunContext, name: keyof typeof deployments, keep?: readonly string[]): Promise<RunningDeployment | { unavailable: string }>;
  close(): Promise<void>;
}

export function createAtriumScenarios(log: (line: string) => void): AtriumRun {
  // Usually one deployment runs at a time; a pair across two deployments keeps both.
  const running = new Map<string, RunningDeployment>();
  let redisChecked: boolean | undefined;
  const failed = new Map<string, Error>();
  let missing: string | undefined | null = null;
  const stopAll = async (except: ReadonlySet<string> = new Set()) => {
    for (const [name, current] of running) {
      if (except.has(name)) continue;
      running.delete(name);
      await current.gateway.stop();
    }
  };
  const acquire = async (context: RunContext, name: keyof typeof deployments, keep: readonly string[] = []): Promise<RunningDeployment | { unavailable: string }> => {
    if (missing === null) missing = gatewayMissing(context.atriumRoot);
    if (missing !== undefined) return { unavailable: missing };
    const deployment = deployments[name];
    if (deployment.redis) {
      redisChecked ??= await reachable(redisUrl());
      if (!redisChecked) return { unavailable: `no Redis at ${redisUrl()} (set BENCH_REDIS_URL)` };
    }
    const failure = failed.get(deployment.name);
    if (failure) throw failure;
    await stopAll(new Set([deployment.name, ...keep]));
    const current = running.get(deployment.name);
    if (current) return current;
    try {
      const started = await startDeployment(context, deployment, log);
      running.set(deployment.name, started);
      return started;
    } catch (error) {
      failed.set(deployment.name, error as Error);
      throw error;
    }
  };
  const deploymentOf = new Map(atriumScenarioSpecs.map((spec) => [spec.name, spec.deployment]));
  const scenarios = atriumScenarioSpecs.map((spec): Scenario => ({
    name: spec.name,
    description: spec.description,
    kind: spec.variant ? 'variant' : 'atrium',
    node: true,
    async start(context, beside = []): Promise<Target | { unavailable: string }> {
      const keep = beside.map((name) => deploymentOf.get(name)).filter((name) => name !== undefined);
      const current = await acquire(context, spec.deployment, keep);
      if ('unavailable' in current) return current;
      const target = (): Target => ({
        url: `http://127.0.0.1:${current.port}`,
        load: atriumLoad(spec, current.plan.targets[spec.family], join(context.dir, `${spec.name}.targets`)),
        process: current.gateway,
        node: true,
        ownCore: true,
        fresh: current.served === 0,
        apis: Object.values(current.plan.targets).reduce((sum, targets) => sum + targets.length, 0),
        calibration: loadFor('hello', current.plan.targets.passthrough[0].path),
        restart: async () => {
          await current.gateway.stop();
          current.gateway = await startGateway(context, current.env, current.plan, current.port);
          current.served = 0;
          return target();
        },
        stop: async () => {
          current.served++;
        },
      });
      return target();
    },
  }));
  return { scenarios, acquire, close: () => stopAll() };
}
