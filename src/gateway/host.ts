import type { IncomingMessage } from 'node:http';
import type { ResourceRecord, Store } from '../store/store.ts';
import type { ConfigStore, PipelineCompiler } from './config-follower.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { RequestObserver } from './handler.ts';
import { createGatewayRuntime, type GatewayRuntime } from './runtime.ts';
import { createUpstreamClient, type UpstreamClient } from './upstream.ts';

/**
 * The gateways of `atrium start`: the managed gateway on ATRIUM_GATEWAY_PORT and one runtime per
 * gateway resource that has a port or host names, created and closed as gateway resources come
 * and go (a runtime moves its own listener when its port changes). A gateway's host names are
 * answered on the managed gateway's listener: a request whose Host is one of them is served with
 * that gateway's configuration.
 */
export interface GatewayHost {
  /** Starts the managed gateway and every gateway with a port; returns their URLs by gateway id. */
  listen(): Promise<{ managed: string; gateways: Record<string, string> }>;
  runtime(gatewayId: string): GatewayRuntime | undefined;
  /** URLs of the listening gateways, by gateway id. */
  urls(): Record<string, string>;
  close(graceMs?: number): Promise<void>;
}

export interface GatewayHostOptions {
  readonly store: Store;
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  readonly host: string;
  readonly managedPort: number;
  readonly observer?: RequestObserver;
  readonly upstream?: UpstreamClient;
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
  /** Compiled policy pipelines (forward as is without). */
  readonly pipelines?: PipelineCompiler;
  /** Reports each gateway's configuration state (revision, APIs, failures, store reachability). */
  readonly metrics?: Pick<GatewayMetrics, 'watchGateway'>;
}

export function createGatewayHost(options: GatewayHostOptions): GatewayHost {
  const upstream = options.upstream ?? createUpstreamClient();
  const ownsUpstream = options.upstream === undefined;
  const runtimes = new Map<string, GatewayRuntime>();
  const unwatch = new Map<string, () => void>();
  const store: ConfigStore = options.store;
  let revision = 0;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let poll: NodeJS.Timeout | undefined;

  let hostnames = new Map<string, string>();
  const byHost = (req: IncomingMessage): GatewayRuntime | undefined => {
    if (hostnames.size === 0) return undefined;
    const host = req.headers.host;
    if (host === undefined) return undefined;
    const colon = host.lastIndexOf(':');
    const name = (colon > host.lastIndexOf(']') ? host.slice(0, colon) : host).toLowerCase();
    const id = hostnames.get(name);
    return id === undefined ? undefined : runtimes.get(id);
  };

  const make = (gatewayId: string, fixedPort?: number): GatewayRuntime => {
    const runtime = createGatewayRuntime({
      gatewayId,
      store,
      reveal: options.reveal,
      upstream,
      observer: options.observer,
      host: options.host,
      fixedPort,
      // No dataDir, so no persisted snapshot: this process cannot start without its store
      // anyway; persistence is for gateways run alone (`atrium gateway`). In this process the
      // store signals every commit; the poll is a backstop.
      pollMs: options.pollMs ?? 1000,
      log: options.log,
      pipelines: options.pipelines,
      byHost: gatewayId === 'managed' ? byHost : undefined,
    });
    if (options.metrics) unwatch.set(gatewayId, options.metrics.watchGateway(gatewayId, runtime.state));
    return runtime;
  };

  /** Every gateway resource with a port gets a runtime; the managed one always has one. */
  const reconcile = async (): Promise<void> => {
    const gateways = (await store.listByPrefix('/gateways/')).filter((r) => r.kind === 'gateways');
    const wanted = new Set<string>();
    const names = new Map<string, string>();
    for (const gateway of gateways) {
      const id = gateway.name.toLowerCase();
      const hostList = Array.isArray(gateway.properties.hostnames) ? (gateway.properties.hostnames as string[]) : [];
      if (id !== 'managed') for (const name of hostList) names.set(name.toLowerCase(), id);
      if (id === 'managed' || (typeof gateway.properties.port !== 'number' && hostList.length === 0)) continue;
      wanted.add(id);
      if (!runtimes.has(id) && !closed) {
        const runtime = make(id);
        runtimes.set(id, runtime);
        await runtime.start();
      }
    }
    hostnames = names;
    for (const [id, runtime] of runtimes) {
      if (id === 'managed' || wanted.has(id)) continue;
      runtimes.delete(id);
      unwatch.get(id)?.();
      unwatch.delete(id);
      await runtime.close();
    }
  };

  let running: Promise<void> = Promise.resolve();
  const watch = (): void => {
    running = running.then(async () => {
      if (closed) return;
      try {
        const changes = await store.changesSince(revision, 10_000);
        if (changes.length === 0) return;
        revision = changes[changes.length - 1].revision;
        if (changes.some((c) => c.kind === 'gateways')) await reconcile();
      } catch (error) {
        options.log?.(`gateways: ${(error as Error).message}`);
      }
    });
  };

  const urls = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [id, runtime] of runtimes) {
      const url = runtime.url();
      if (url) out[id] = url;
    }
    return out;
  };

  return {
    async listen() {
      revision = await store.currentRevision();
      const managed = make('managed', options.managedPort);
      runtimes.set('managed', managed);
      const managedUrl = await managed.start();
      await reconcile();
      unsubscribe = store.onChange(() => watch());
      poll = setInterval(watch, options.pollMs ?? 1000);
      poll.unref();
      return { managed: managedUrl!, gateways: urls() };
    },
    runtime: (gatewayId) => runtimes.get(gatewayId.toLowerCase()),
    urls,
    async close(graceMs) {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      if (poll) clearInterval(poll);
      await running;
      await Promise.all([...runtimes.values()].map((r) => r.close(graceMs)));
      runtimes.clear();
      if (ownsUpstream) await upstream.close();
    },
  };
}
