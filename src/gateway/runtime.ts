import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ResourceRecord } from '../store/store.ts';
import { createConfigFollower, type ConfigFollower, type ConfigStore, type PipelineCompiler } from './config-follower.ts';
import { createGatewayHandler, type RequestObserver } from './handler.ts';
import type { GatewayState } from '../observability/metrics.ts';
import type { UpstreamClient } from './upstream.ts';

/**
 * One gateway resource served by this process: its configuration follower and its listener. The
 * listener follows the resource: it opens on the resource's port, moves when the port changes
 * (the new listener opens before the old one drains) and closes when the resource goes away.
 */
export interface GatewayRuntime {
  readonly gatewayId: string;
  readonly follower: ConfigFollower;
  /** Waits for a first configuration, then listens. Returns the URL, or undefined when the gateway has no port. */
  start(): Promise<string | undefined>;
  url(): string | undefined;
  /** What metrics report about this gateway's configuration; undefined before the first snapshot. */
  state(): GatewayState | undefined;
  /** Serves one request with this gateway's configuration (for a listener shared by host name). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Graceful: stops accepting, lets in-flight requests finish (up to `graceMs`), then stops following. */
  close(graceMs?: number): Promise<void>;
}

export interface GatewayRuntimeOptions {
  readonly gatewayId: string;
  readonly store: ConfigStore | undefined;
  readonly reveal: (record: ResourceRecord) => Record<string, unknown>;
  readonly upstream: UpstreamClient;
  readonly observer?: RequestObserver;
  readonly host: string;
  /** Always this port (the managed gateway's ATRIUM_GATEWAY_PORT), whatever the resource says. */
  readonly fixedPort?: number;
  /** The port when the resource names none (a gateway run alone); without it such a gateway does not listen. */
  readonly fallbackPort?: number;
  /** Directory for the persisted last good configuration. */
  readonly dataDir?: string;
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
  /** Compiled policy pipelines (forward as is without). */
  readonly pipelines?: PipelineCompiler;
  /** Another gateway that answers for the request's host name on this listener, if any. */
  readonly byHost?: (req: IncomingMessage) => GatewayRuntime | undefined;
}

export function createGatewayRuntime(options: GatewayRuntimeOptions): GatewayRuntime {
  const gatewayId = options.gatewayId.toLowerCase();
  const log = options.log ?? (() => undefined);
  const follower = createConfigFollower({
    gatewayId,
    store: options.store,
    reveal: options.reveal,
    snapshotFile: options.dataDir ? join(options.dataDir, `gateway-${encodeURIComponent(gatewayId)}.snapshot.json`) : undefined,
    pollMs: options.pollMs,
    log: (message) => log(`gateway ${gatewayId}: ${message}`),
    pipelines: options.pipelines,
  });
  const handler = createGatewayHandler({ gatewayId, snapshot: follower.current, upstream: options.upstream, observer: options.observer });
  const byHost = options.byHost;
  const serve = byHost === undefined ? handler : (req: IncomingMessage, res: ServerResponse): void => {
    const other = byHost(req);
    if (other !== undefined) other.handle(req, res);
    else handler(req, res);
  };

  let server: Server | undefined;
  let configuredPort: number | undefined;
  let url: string | undefined;
  let started = false;
  let closing = false;
  let moving: Promise<void> = Promise.resolve();
  let listenError: Error | undefined;

  const desiredPort = (gateway: ResourceRecord | undefined): number | undefined => {
    if (options.fixedPort !== undefined) return options.fixedPort;
    const port = gateway?.properties.port;
    return typeof port === 'number' ? port : options.fallbackPort;
  };

  const open = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const next = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, serve);
      next.once('error', reject);
      next.listen({ host: options.host, port }, () => {
        next.off('error', reject);
        next.on('error', (error) => log(`gateway ${gatewayId}: listener error: ${error.message}`));
        resolve(next);
      });
    });

  /** Stops accepting; connections close as soon as their requests are done; the rest are cut after `graceMs`. */
  const drain = (old: Server, graceMs: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => old.closeAllConnections(), graceMs);
      timer.unref();
      const idle = setInterval(() => old.closeIdleConnections(), 50);
      idle.unref();
      old.close(() => {
        clearTimeout(timer);
        clearInterval(idle);
        resolve();
      });
      old.closeIdleConnections();
    });

  const reconcile = (): Promise<void> => {
    moving = moving.then(async () => {
      if (!started || closing) return;
      const port = desiredPort(follower.gateway());
      if (port === configuredPort && (server !== undefined || port === undefined)) return;
      const old = server;
      if (port === undefined) {
        server = undefined;
        url = undefined;
      } else {
        try {
          server = await open(port);
          const address = server.address() as AddressInfo;
          url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
        } catch (error) {
          listenError = error as Error;
          log(`gateway ${gatewayId}: cannot listen on port ${port}: ${(error as Error).message}`);
          return;
        }
        listenError = undefined;
      }
      configuredPort = port;
      if (old) await drain(old, 10_000);
    });
    return moving;
  };

  follower.onSwap(() => void reconcile());

  return {
    gatewayId,
    follower,
    async start() {
      await follower.ready;
      started = true;
      await reconcile();
      // A gateway whose port is fixed (configured for this process) must listen: starting fails.
      if (listenError !== undefined && options.fixedPort !== undefined) {
        await follower.close();
        throw listenError;
      }
      return url;
    },
    url: () => url,
    handle: handler,
    state() {
      const snapshot = follower.current();
      if (!snapshot) return undefined;
      return { revision: snapshot.revision, apis: snapshot.router.apiCount, failing: snapshot.failures.size, storeReachable: follower.storeReachable() };
    },
    async close(graceMs = 10_000) {
      closing = true;
      await moving;
      const old = server;
      server = undefined;
      url = undefined;
      if (old) await drain(old, graceMs);
      await follower.close();
    },
  };
}
