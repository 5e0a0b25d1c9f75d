// What a scenario is, and the reference scenarios measured in every run beside Atrium's.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchKey } from './atrium.ts';
import { postBodyBytes } from './body.ts';
import { proxyConfig, startNginx } from './nginx.ts';
import { freePort, startChild, waitForPort } from './processes.ts';
import type { OwnedChild } from './processes.ts';
import type { Tools } from './tools.ts';
import type { LoadRequest } from './wrk.ts';

/** What every scenario may use: the tools, the run's folder, the cores and the shared backend. */
export interface RunContext {
  tools: Tools;
  /** The run's temporary folder (removed at the end). */
  dir: string;
  /** Repository root (where bench/ is). */
  root: string;
  /** Checkout whose gateway the Atrium scenarios run: this repository unless `--atrium <dir>`. */
  atriumRoot: string;
  /** Core of the process under test. */
  gatewayCpu: number;
  /** Core of wrk and the backend. */
  loadCpu: number;
  backend: OwnedChild;
  backendPort: number;
  /** Folder of seeded Atrium deployments kept between runs (seed-cache.ts); undefined: always seed. */
  seedCache: string | undefined;
  /** `--import` specifier of the event-loop probe preloaded into Node processes under test. */
  probeImport: string;
}

/** A started scenario: where to send load, and which process to measure. */
export interface Target {
  url: string;
  load: LoadRequest;
  /** The measured process: the gateway (or the backend itself, for `direct`). */
  process: OwnedChild;
  /** Node processes carry the event-loop probe and get the longer warm-up. */
  node: boolean;
  /** Whether the measured process has a core to itself (only then can it be harness-bound). */
  ownCore: boolean;
  /**
   * A Node process that has served nothing yet. Its first scenario warms up three times as long:
   * V8 compiles the hot paths and sizes its heap over the first half-minute of load, and a
   * scenario measured in that time would carry the process's start-up rather than its cost.
   */
  fresh?: boolean;
  /** The APIs the process serves (Atrium scenarios), for the heap an API adds. */
  apis?: number;
  /**
   * Atrium scenarios: a request every deployment serves alike (its open passthrough API), with
   * which a pair across two deployments checks that its two gateway processes run the same
   * work at the same cost (pairs.ts).
   */
  calibration?: LoadRequest;
  /** Atrium scenarios: stops the gateway process and starts a new one on the same store. */
  restart?(): Promise<Target>;
  stop(): Promise<void>;
}

export interface Scenario {
  name: string;
  description: string;
  /** `reference`: in `scenarios`; `variant`: a reference for the 64 KB and 4 KB scenarios, or the lean gateway's pair. */
  kind: 'reference' | 'variant' | 'atrium';
  node: boolean;
  /**
   * Starts the scenario, or returns why it cannot run (shown instead of figures). `beside`
   * names scenarios whose processes must stay up while this one runs (the other side of a pair
   * across two deployments); without it, a scenario may stop what earlier ones started.
   */
  start(context: RunContext, beside?: readonly string[]): Promise<Target | { unavailable: string }>;
}

/** The three request shapes: the small response, the 64 KiB response and the 4 KiB POST. */
export type Shape = 'hello' | '64k' | 'post-4k';

export function loadFor(shape: Shape, pathPrefix = ''): LoadRequest {
  if (shape === '64k') return { method: 'GET', path: `${pathPrefix}/64k` };
  if (shape === 'post-4k') return { method: 'POST', path: `${pathPrefix}/hello`, bodyBytes: postBodyBytes };
  return { method: 'GET', path: `${pathPrefix}/hello` };
}

const noop = async () => {};

function direct(): Scenario {
  return {
    name: 'direct',
    description: 'wrk → backend nginx (no proxy)',
    kind: 'reference',
    node: false,
    async start(context) {
      return {
        url: `http://127.0.0.1:${context.backendPort}`,
        load: loadFor('hello'),
        process: context.backend,
        node: false,
        ownCore: false,
        stop: noop,
      };
    },
  };
}

function nginxProxy(shape: Shape): Scenario {
  return {
    name: shape === 'hello' ? 'nginx-proxy' : `nginx-proxy-${shape}`,
    description: 'nginx proxy_pass, 1 worker, upstream keepalive',
    kind: shape === 'hello' ? 'reference' : 'variant',
    node: false,
    async start(context) {
      const port = await freePort();
      const process = startNginx({
        name: 'nginx-proxy',
        nginxPath: context.tools.nginx,
        tasksetPath: context.tools.taskset,
        cpu: context.gatewayCpu,
        dir: context.dir,
        config: proxyConfig(context.dir, port, context.backendPort),
      });
      await waitForPort(process, port);
      return { url: `http://127.0.0.1:${port}`, load: loadFor(shape), process, node: false, ownCore: true, stop: () => process.stop() };
    },
  };
}

/** Starts a Node script of bench/references/ on the gateway core, with the event-loop probe. */
export async function startNodeReference(context: RunContext, script: string, env: Record<string, string>) {
  const port = await freePort();
  const process = startChild({
    name: script,
    tasksetPath: context.tools.taskset,
    cpu: context.gatewayCpu,
    command: globalThis.process.execPath,
    args: ['--import', context.probeImport, join(context.root, 'bench', 'references', `${script}.ts`)],
    env: { ...globalThis.process.env, ...env, BENCH_PORT: String(port), NODE_ENV: 'production' },
  });
  await waitForPort(process, port);
  return { process, port };
}

function nodeHello(): Scenario {
  return {
    name: 'node-hello',
    description: 'node:http hello world, no upstream',
    kind: 'reference',
    node: true,
    async start(context) {
      const { process, port } = await startNodeReference(context, 'node-hello', {});
      return { url: `http://127.0.0.1:${port}`, load: loadFor('hello'), process, node: true, ownCore: true, fresh: true, stop: () => process.stop() };
    },
  };
}

function bareUndiciProxy(shape: Shape): Scenario {
  return {
    name: shape === 'hello' ? 'bare-undici-proxy' : `bare-undici-proxy-${shape}`,
    description: 'node:http + undici Pool.dispatch, raw handler',
    kind: shape === 'hello' ? 'reference' : 'variant',
    node: true,
    async start(context) {
      const upstream = `http://127.0.0.1:${context.backendPort}`;
      const { process, port } = await startNodeReference(context, 'bare-undici-proxy', { BENCH_UPSTREAM: upstream });
      return { url: `http://127.0.0.1:${port}`, load: loadFor(shape), process, node: true, ownCore: true, fresh: true, stop: () => process.stop() };
    },
  };
}

/**
 * The targets of the lean gateway with `apis` APIs: `/chain-00001/hello` and on, each with a key
 * made from its number, so that the smaller set is the start of the larger one and the first
 * target is the same request on either (the pair's calibration).
 */
export function leanTargets(apis: number): { path: string; key: string }[] {
  return Array.from({ length: apis }, (_, i) => ({
    path: `/chain-${String(i + 1).padStart(5, '0')}/hello`,
    key: benchKey(String(i + 1), 'lean-gateway'),
  }));
}

/**
 * bench/references/lean-gateway.ts serving `apis` APIs with the full chain's per-API work and
 * nothing else, loaded like `atrium-full-chain` (a random API and its key per request): the
 * pair of its two sizes shows what reading 10,000 APIs' memory in turn costs on this machine
 * whatever the gateway, beside the same pair of Atrium's.
 */
function leanGateway(apis: number): Scenario {
  const name = apis === 10 ? 'lean-gateway' : `lean-gateway-${apis / 1000}k`;
  return {
    name,
    description: `the full chain's per-API work alone (route, key, counters, metrics, log record), ${apis.toLocaleString('en-US')} APIs`,
    kind: 'variant',
    node: true,
    async start(context) {
      const targets = leanTargets(apis);
      const targetsFile = join(context.dir, `${name}.targets`);
      writeFileSync(targetsFile, targets.map((t) => `${t.path}\t${t.key}\n`).join(''));
      const keyHeader = 'Ocp-Apim-Subscription-Key';
      const upstream = `http://127.0.0.1:${context.backendPort}`;
      const target = async (): Promise<Target> => {
        const { process, port } = await startNodeReference(context, 'lean-gateway', { BENCH_UPSTREAM: upstream, BENCH_TARGETS: targetsFile });
        return {
          url: `http://127.0.0.1:${port}`,
          load: { method: 'GET', path: '/', targetsFile, keyHeader },
          process,
          node: true,
          ownCore: true,
          fresh: true,
          calibration: { method: 'GET', path: targets[0].path, headers: { [keyHeader]: targets[0].key } },
          restart: async () => {
            await process.stop();
            return target();
          },
          stop: () => process.stop(),
        };
      };
      return target();
    },
  };
}

export const referenceScenarios: readonly Scenario[] = [
  direct(),
  nginxProxy('hello'),
  nodeHello(),
  bareUndiciProxy('hello'),
];

/** References for the 64 KB response and 4 KB POST scenarios, reported under `variants`. */
export const variantScenarios: readonly Scenario[] = [
  nginxProxy('64k'),
  bareUndiciProxy('64k'),
  nginxProxy('post-4k'),
  bareUndiciProxy('post-4k'),
  leanGateway(10),
  leanGateway(10_000),
];
