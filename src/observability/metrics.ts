import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestObserver, RequestOutcome } from '../gateway/handler.ts';

/**
 * Prometheus metrics of the gateways in this process, labelled by gateway, workspace, API,
 * operation and status class — per-workspace figures Azure Monitor cannot split — plus the
 * process's CPU and memory. One series per label set, found once per compiled operation and
 * cached on it, so that counting a request costs no string building.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

// Where each figure sits in a series' `figures`: requests and errors by status class, the two
// histograms' sums and counts, then their buckets side by side (the request's bucket i at
// BUCKETS_AT + 2i, the backend's at BUCKETS_AT + 2i + 1). A request writes a count, two sums,
// two counts and a bucket of each histogram; laid out so, they fall on two or three cache lines
// rather than five, which counts at 10,000 operations, whose series the processor does not keep
// in its caches.
const REQUESTS = 0;
const ERRORS = REQUESTS + STATUS_CLASSES.length;
const DURATION = ERRORS + STATUS_CLASSES.length;
const BACKEND = DURATION + 2;
const BUCKETS_AT = BACKEND + 2;
const FIGURES = BUCKETS_AT + 2 * BUCKETS.length;

/** The histograms: where each keeps its sum and count (`at`, `at + 1`), and its first bucket. */
interface Histogram {
  readonly at: number;
  readonly bucket: number;
}
const DURATIONS: Histogram = { at: DURATION, bucket: BUCKETS_AT };
const BACKEND_DURATIONS: Histogram = { at: BACKEND, bucket: BUCKETS_AT + 1 };

/**
 * A gateway holds one series per operation it has served, so a series is two objects: its labels
 * as one flat string and its figures in one array of numbers (laid out as above).
 */
export interface Series {
  /** `gateway="…",workspace="…",api="…",operation="…"` */
  readonly labels: string;
  readonly figures: number[];
}

export interface GatewayMetrics extends RequestObserver {
  /** The Prometheus text exposition. */
  render(): string;
  /** Reports a gateway's configuration state with every scrape; returns the unregister function. */
  watchGateway(gatewayId: string, state: () => GatewayState | undefined): () => void;
}

export interface GatewayState {
  /** Store revision of the snapshot being served. */
  readonly revision: number;
  readonly apis: number;
  /** APIs whose configuration could not be compiled. */
  readonly failing: number;
  readonly storeReachable: boolean;
}

/** Counts `seconds` in histogram `h` of `figures`. */
function observe(figures: number[], h: Histogram, seconds: number): void {
  figures[h.at] += seconds;
  figures[h.at + 1]++;
  for (let i = 0; i < BUCKETS.length; i++) {
    if (seconds <= BUCKETS[i]) {
      figures[h.bucket + 2 * i]++;
      return;
    }
  }
}

/** The label set of a series, as one flat string (a template literal would keep it as a rope of its parts). */
function labelsOf(gateway: string, workspace: string, api: string, operation: string): string {
  return ['gateway="', escape(gateway), '",workspace="', escape(workspace), '",api="', escape(api), '",operation="', escape(operation), '"'].join('');
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function createGatewayMetrics(): GatewayMetrics {
  const series = new Map<string, Series>();
  const inFlight = new Map<string, number>();
  const gateways = new Map<string, () => GatewayState | undefined>();

  const seriesFor = (gateway: string, workspace: string, api: string, operation: string): Series => {
    const labels = labelsOf(gateway, workspace, api, operation);
    let s = series.get(labels);
    if (!s) {
      s = { labels, figures: new Array<number>(FIGURES).fill(0) };
      series.set(labels, s);
    }
    return s;
  };

  const finished = (outcome: RequestOutcome): void => {
    inFlight.set(outcome.gatewayId, (inFlight.get(outcome.gatewayId) ?? 1) - 1);
    const operation = outcome.operation;
    let s: Series;
    if (operation !== undefined && outcome.api !== undefined) {
      const cached = operation.series as Series | undefined;
      s = cached ?? seriesFor(outcome.gatewayId, outcome.api.workspace, outcome.api.name, operation.name);
      if (cached === undefined) operation.series = s;
    } else {
      s = seriesFor(outcome.gatewayId, outcome.api?.workspace ?? '', outcome.api?.name ?? '', '');
    }
    const cls = Math.min(4, Math.max(0, Math.floor(outcome.status / 100) - 1));
    const figures = s.figures;
    figures[REQUESTS + cls]++;
    if (outcome.error !== null || outcome.status >= 500) figures[ERRORS + cls]++;
    observe(figures, DURATIONS, outcome.responseTimeMs / 1000);
    if (outcome.backendTimeMs !== null) observe(figures, BACKEND_DURATIONS, outcome.backendTimeMs / 1000);
  };

  const renderHistogram = (out: string[], name: string, s: Series, h: Histogram): void => {
    const { labels, figures } = s;
    let cumulative = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      cumulative += figures[h.bucket + 2 * i];
      out.push(`${name}_bucket{${labels},le="${BUCKETS[i]}"} ${cumulative}`);
    }
    const count = figures[h.at + 1];
    out.push(`${name}_bucket{${labels},le="+Inf"} ${count}`, `${name}_sum{${labels}} ${figures[h.at]}`, `${name}_count{${labels}} ${count}`);
  };
  const countOf = (s: Series, h: Histogram): number => s.figures[h.at + 1];

  return {
    started(gatewayId) {
      inFlight.set(gatewayId, (inFlight.get(gatewayId) ?? 0) + 1);
    },
    finished,
    watchGateway(gatewayId, state) {
      gateways.set(gatewayId, state);
      return () => {
        if (gateways.get(gatewayId) === state) gateways.delete(gatewayId);
      };
    },
    render() {
      const out: string[] = [];
      const states = [...gateways].map(([id, state]) => [escape(id), state()] as const).filter((entry): entry is readonly [string, GatewayState] => entry[1] !== undefined);
      const gauge = (name: string, help: string, value: (s: GatewayState) => number): void => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
        for (const [id, s] of states) out.push(`${name}{gateway="${id}"} ${value(s)}`);
      };
      gauge('atrium_gateway_config_revision', 'Store revision of the configuration the gateway serves.', (s) => s.revision);
      gauge('atrium_gateway_apis', 'APIs in the route table.', (s) => s.apis);
      gauge('atrium_gateway_failing_apis', 'APIs whose configuration could not be compiled.', (s) => s.failing);
      gauge('atrium_gateway_store_reachable', 'Whether the last read of the store succeeded (0: serving the last good configuration).', (s) => (s.storeReachable ? 1 : 0));
      out.push('# HELP atrium_gateway_requests_total Gateway requests by gateway, workspace, API, operation and status class.', '# TYPE atrium_gateway_requests_total counter');
      for (const s of series.values()) {
        for (let c = 0; c < 5; c++) if (s.figures[REQUESTS + c] > 0) out.push(`atrium_gateway_requests_total{${s.labels},status_class="${STATUS_CLASSES[c]}"} ${s.figures[REQUESTS + c]}`);
      }
      out.push('# HELP atrium_gateway_errors_total Gateway requests that failed (gateway or backend errors).', '# TYPE atrium_gateway_errors_total counter');
      for (const s of series.values()) {
        for (let c = 0; c < 5; c++) if (s.figures[ERRORS + c] > 0) out.push(`atrium_gateway_errors_total{${s.labels},status_class="${STATUS_CLASSES[c]}"} ${s.figures[ERRORS + c]}`);
      }
      out.push('# HELP atrium_gateway_request_duration_seconds Time from request to response end.', '# TYPE atrium_gateway_request_duration_seconds histogram');
      for (const s of series.values()) if (countOf(s, DURATIONS) > 0) renderHistogram(out, 'atrium_gateway_request_duration_seconds', s, DURATIONS);
      out.push('# HELP atrium_gateway_backend_duration_seconds Time until the backend answered with headers.', '# TYPE atrium_gateway_backend_duration_seconds histogram');
      for (const s of series.values()) if (countOf(s, BACKEND_DURATIONS) > 0) renderHistogram(out, 'atrium_gateway_backend_duration_seconds', s, BACKEND_DURATIONS);
      out.push('# HELP atrium_gateway_requests_in_flight Requests being served.', '# TYPE atrium_gateway_requests_in_flight gauge');
      for (const [gateway, n] of inFlight) out.push(`atrium_gateway_requests_in_flight{gateway="${escape(gateway)}"} ${n}`);
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      out.push(
        '# HELP process_cpu_user_seconds_total User CPU time of the process.',
        '# TYPE process_cpu_user_seconds_total counter',
        `process_cpu_user_seconds_total ${cpu.user / 1e6}`,
        '# HELP process_cpu_system_seconds_total System CPU time of the process.',
        '# TYPE process_cpu_system_seconds_total counter',
        `process_cpu_system_seconds_total ${cpu.system / 1e6}`,
        '# HELP process_cpu_seconds_total Total CPU time of the process.',
        '# TYPE process_cpu_seconds_total counter',
        `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
        '# HELP process_resident_memory_bytes Resident memory of the process.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${memory.rss}`,
        '# HELP nodejs_heap_used_bytes V8 heap in use.',
        '# TYPE nodejs_heap_used_bytes gauge',
        `nodejs_heap_used_bytes ${memory.heapUsed}`,
        '# HELP process_start_time_seconds Start time of the process since the Unix epoch.',
        '# TYPE process_start_time_seconds gauge',
        `process_start_time_seconds ${Math.floor(Date.now() / 1000 - process.uptime())}`,
      );
      return `${out.join('\n')}\n`;
    },
  };
}

/** Several observers as one (request logs and metrics). */
export function combineObservers(...observers: RequestObserver[]): RequestObserver {
  return {
    started(gatewayId) {
      for (const o of observers) o.started(gatewayId);
    },
    finished(outcome) {
      for (const o of observers) o.finished(outcome);
    },
  };
}

/** `GET /metrics` on its own internal port (ATRIUM_METRICS_PORT). */
export async function startMetricsServer(options: { host: string; port: number; metrics: GatewayMetrics }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      const body = options.metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
