import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSecretKeys, secretBoxOf } from '../access/secret-keys.ts';
import type { SecretBox } from '../access/secrets.ts';
import type { Config } from '../config.ts';
import { createCounters } from '../counters/index.ts';
import { createRegistry } from '../model/registry.ts';
import { resourceTypes } from '../model/resources/index.ts';
import { createGatewayMetrics, combineObservers, startMetricsServer } from '../observability/metrics.ts';
import { createRequestLogWriter, type RequestLogSink } from '../observability/request-log.ts';
import { createPolicyCompiler } from '../policy/runtime/index.ts';
import { openStore, type ResourceRecord, type Store } from '../store/index.ts';
import type { PipelineCompiler } from './config-follower.ts';
import { createGatewayRuntime, type GatewayRuntime } from './runtime.ts';
import { createUpstreamClient } from './upstream.ts';

/**
 * `atrium gateway --gateway <id>`: one gateway alone in its own process, against the shared store.
 * It serves its persisted last good configuration while the store is unreachable (at start or
 * later), keeps trying to reach it, and re-reads everything when it comes back. Any number of
 * such processes can serve the same gateway resource.
 */
export interface StandaloneGateway {
  readonly runtime: GatewayRuntime;
  readonly url: string | undefined;
  readonly metricsUrl: string;
  /** Graceful: stop accepting, finish in-flight requests, flush request logs, close the store. */
  close(): Promise<void>;
}

export interface StandaloneOptions {
  readonly gatewayId: string;
  /** Listen on this port whatever the gateway resource says. */
  readonly port?: number;
  readonly retryMs?: number;
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
  /** Compiled policy pipelines (forward as is without). */
  readonly pipelines?: PipelineCompiler;
}

export async function startStandaloneGateway(config: Config, options: StandaloneOptions): Promise<StandaloneGateway> {
  const log = options.log ?? ((message: string) => console.error(`atrium gateway: ${message}`));
  const gatewayId = options.gatewayId.toLowerCase();
  mkdirSync(config.dataDir, { recursive: true });
  const secrets = loadSecretBox(config);
  const registry = createRegistry(resourceTypes);
  const reveal = (record: ResourceRecord): Record<string, unknown> => {
    const properties = { ...record.properties };
    for (const name of registry.find(record.kind)?.secrets?.properties ?? []) {
      if (secrets.isSealed(properties[name])) properties[name] = secrets.open(properties[name]);
    }
    return properties;
  };

  let store: Store | undefined = await tryOpenStore(config).catch((error: Error) => {
    log(`the store is unreachable (${error.message}); serving the persisted configuration`);
    return undefined;
  });
  const metrics = createGatewayMetrics();
  const logs = createRequestLogWriter({ sink: store ? sinkOf(store) : undefined, log });
  const upstream = createUpstreamClient();
  // Rate-limit and quota counts are shared by every gateway process when Redis is configured.
  const counters = createCounters({ redisUrl: config.redisUrl });
  const pipelines = options.pipelines ?? createPolicyCompiler({ reveal, services: { counters, log }, log });
  const runtime = createGatewayRuntime({
    gatewayId,
    store,
    reveal,
    upstream,
    observer: combineObservers(metrics, logs),
    host: config.host,
    fixedPort: options.port ?? (gatewayId === 'managed' ? config.gatewayPort : undefined),
    fallbackPort: config.gatewayPort,
    dataDir: config.dataDir,
    // PostgreSQL announces commits (NOTIFY), so its poll is only a backstop; SQLite has no
    // cross-process signal, so a separate gateway process polls its change feed often (a cheap
    // indexed read) to see a change within about a tenth of a second.
    pollMs: options.pollMs ?? (isPostgres(config) ? 1000 : 50),
    log,
    pipelines,
  });

  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connectLater = (): void => {
    retry = setTimeout(async () => {
      if (closed) return;
      try {
        store = await tryOpenStore(config);
        if (closed) {
          await store.close();
          return;
        }
        runtime.follower.connect(store);
        logs.setSink(sinkOf(store));
        log('connected to the store');
      } catch {
        connectLater();
      }
    }, options.retryMs ?? 1000);
    retry.unref();
  };
  if (!store) connectLater();

  const metricsServer = await startMetricsServer({ host: config.host, port: config.metricsPort, metrics });
  metrics.watchGateway(gatewayId, runtime.state);
  const url = await runtime.start();
  if (runtime.follower.gateway() === undefined) log(`the gateway '${gatewayId}' does not exist (yet): serving nothing until it is created and workspaces are linked to it`);
  return {
    runtime,
    get url() {
      return runtime.url() ?? url;
    },
    metricsUrl: metricsServer.url,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await runtime.close();
      await logs.close();
      await upstream.close();
      await counters.close();
      await metricsServer.close();
      await store?.close();
    },
  };
}

/**
 * SQLite: a missing database file means the store is unreachable (opening would create an empty
 * one and the gateway would serve nothing). PostgreSQL: the connection must work.
 */
function isPostgres(config: Config): boolean {
  return config.databaseUrl !== undefined && /^postgres(ql)?:\/\//i.test(config.databaseUrl);
}

async function tryOpenStore(config: Config): Promise<Store> {
  const url = config.databaseUrl;
  if (!isPostgres(config)) {
    const file = url && url !== '' ? url : join(config.dataDir, 'atrium.db');
    if (!existsSync(file)) throw new Error(`no database at ${file}`);
  }
  const store = await openStore(url, config.dataDir);
  try {
    await store.currentRevision();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

function sinkOf(store: Store): RequestLogSink | undefined {
  const candidate = store as unknown as Partial<RequestLogSink>;
  return typeof candidate.appendRequestLogs === 'function' ? (store as unknown as RequestLogSink) : undefined;
}

/** The keys that open secrets: ATRIUM_SECRET_KEY, or the data dir's keys; a gateway never generates one. */
function loadSecretBox(config: Config): SecretBox {
  const file = join(config.dataDir, 'secret.key');
  if (!config.secretKey && !existsSync(file)) {
    throw Object.assign(new Error(`no secret key: set ATRIUM_SECRET_KEY or give the data dir of 'atrium start' (${file} is missing)`), {
      code: 'INVALID_CONFIGURATION',
    });
  }
  return secretBoxOf(loadSecretKeys(config));
}
