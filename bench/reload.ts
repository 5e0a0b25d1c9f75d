// The reload step: one API change under paced load. While a steady 500 requests/s go to an
// existing API of the `small` deployment, an API is added through the management API (its
// operation being the last write); the figures are the time from that write's response until
// the gateway answers 200 on the new API, the failed steady requests, and the gateway's largest
// event-loop delay around the change. The management plane runs beside the gateway on the load
// core, on the same store, as an operator's would.
//
// The event-loop figure is the longest block in a window of about a second, and on a shared host
// that is often the host's: an idle Node process on the same core sees blocks of several
// milliseconds too. So the step reads two more figures in the same windows: the longest block the
// gateway's own CPU time accounts for (the probe's attribution, probe-lines.ts `ownBlockMs`),
// on which the goal is judged, and the longest block of an idle Node process pinned beside the
// gateway (the floor: what the host alone does to a loop).

import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { AtriumRun } from './atrium.ts';
import { startManagement } from './atrium.ts';
import { readEventLoop, startAttribution } from './probes.ts';
import type { Plan } from './measure.ts';
import { freePort } from './processes.ts';
import type { OwnedChild } from './processes.ts';
import { startNodeReference } from './scenarios.ts';
import type { RunContext } from './scenarios.ts';
import type { GoalOutcome } from './stats.ts';
import { summarize } from './stats.ts';

/** Steady load while the change happens: low enough that the gateway is never saturated. */
export const reloadLoadRate = 500;

export interface ReloadRepetition {
  liveMs: number | null;
  errors: number;
  /** The gateway's longest event-loop block in the window, wall time. */
  eventLoopMaxMs: number | null;
  /** The gateway's longest block counted in its own CPU time. */
  eventLoopOwnMaxMs: number | null;
  /** The longest block of an idle Node process on the gateway's core, same window. */
  floorMaxMs: number | null;
}

export interface ReloadReport {
  status: 'measured' | 'unavailable' | 'failed';
  reason?: string;
  /** Steady load during the change, requests per second. */
  loadRate: number;
  /** Median time from the last write's response to the first 200 on the new API. */
  liveMs: number | null;
  liveRange?: [number, number];
  /** Failed steady requests (status ≥ 400 or socket errors), all repetitions. */
  errors: number | null;
  /** Largest event-loop delay of the gateway around a change, over all repetitions (wall time). */
  eventLoopMaxMs: number | null;
  /** Largest block the gateway's own CPU time accounts for, over all repetitions: the goal's figure. */
  eventLoopOwnMaxMs: number | null;
  /** Largest block of an idle Node process on the gateway's core in the same windows: the host's floor. */
  floorEventLoopMaxMs: number | null;
  repetitions: ReloadRepetition[];
}

interface PacedLoad {
  counts(): { sent: number; failed: number };
  stop(): Promise<void>;
}

/** `rate` GET requests per second to `origin + path`, sent in 10 ms ticks, whatever the answers. */
function startPacedLoad(origin: string, path: string, rate: number): PacedLoad {
  const pool = new Pool(origin, { connections: 32 });
  const perTick = Math.max(1, Math.round(rate / 100));
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  const send = () => {
    sent++;
    inFlight++;
    pool.request({ method: 'GET', path }).then(
      async (response) => {
        await response.body.dump();
        if (response.statusCode >= 400) failed++;
      },
      () => failed++,
    ).finally(() => inFlight--);
  };
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) send();
  }, 10);
  return {
    counts: () => ({ sent, failed }),
    async stop() {
      clearInterval(timer);
      for (let waited = 0; inFlight > 0 && waited < 5000; waited += 20) await sleep(20);
      await pool.close();
    },
  };
}

async function put(managementUrl: string, adminKey: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${managementUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${text.slice(0, 300)}`);
}

/** Polls `url` every 2 ms until it answers 200; the milliseconds that took, or null after 10 s. */
async function timeUntilLive(url: string, since: number): Promise<number | null> {
  while (performance.now() - since < 10000) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // not yet
    }
    await sleep(2);
  }
  return null;
}

export async function measureReload(context: RunContext, atrium: AtriumRun, plan: Plan, log: (line: string) => void): Promise<ReloadReport> {
  const empty = { loadRate: reloadLoadRate, liveMs: null, errors: null, eventLoopMaxMs: null, eventLoopOwnMaxMs: null, floorEventLoopMaxMs: null, repetitions: [] };
  let running: Awaited<ReturnType<AtriumRun['acquire']>>;
  try {
    running = await atrium.acquire(context, 'small');
  } catch (error) {
    return { ...empty, status: 'failed', reason: `could not start: ${(error as Error).message}` };
  }
  if ('unavailable' in running) return { ...empty, status: 'unavailable', reason: running.unavailable };
  const deployment = running;
  const env: NodeJS.ProcessEnv = {
    ...deployment.env,
    ATRIUM_MANAGEMENT_PORT: String(await freePort()),
    ATRIUM_GATEWAY_PORT: String(await freePort()),
    ATRIUM_PORTAL_PORT: String(await freePort()),
    ATRIUM_METRICS_PORT: String(await freePort()),
  };
  const adminKey = env.ATRIUM_ADMIN_KEY!;
  const gatewayUrl = `http://127.0.0.1:${deployment.port}`;
  const steady = deployment.plan.targets.passthrough[0];
  let management: Awaited<ReturnType<typeof startManagement>> | undefined;
  let load: PacedLoad | undefined;
  let floor: OwnedChild | undefined;
  try {
    management = await startManagement(context, env, context.loadCpu);
    // The floor: an idle Node server with the probe, on the gateway's core, never sent a request.
    floor = (await startNodeReference(context, 'node-hello', {})).process;
    startAttribution(deployment.gateway);
    startAttribution(floor);
    const readWindows = async () => {
      const [gateway, idle] = await Promise.all([readEventLoop(deployment.gateway), readEventLoop(floor!)]);
      return { gateway, idle };
    };
    load = startPacedLoad(gatewayUrl, `${steady.path}/hello`, reloadLoadRate);
    await sleep(plan.warmUpSeconds.native * 1000);
    const repetitions: ReloadRepetition[] = [];
    for (let i = 0; i < plan.repetitions; i++) {
      log(`  reload: change ${i + 1}/${plan.repetitions} under ${reloadLoadRate} req/s`);
      await readWindows(); // starts the event-loop windows
      const before = load.counts();
      await sleep(500);
      const api = `reload-${Date.now().toString(36)}-${i + 1}`;
      const base = `/workspaces/bench-basic/apis/${api}`;
      const serviceUrl = `http://127.0.0.1:${context.backendPort}`;
      await put(management.url, adminKey, base, { properties: { displayName: api, path: api, serviceUrl, protocols: ['http', 'https'], subscriptionRequired: false } });
      await put(management.url, adminKey, `${base}/operations/get-any`, { properties: { displayName: 'GET /*', method: 'GET', urlTemplate: '/*' } });
      const liveMs = await timeUntilLive(`${gatewayUrl}/${api}/hello`, performance.now());
      await sleep(500);
      const windows = await readWindows();
      const after = load.counts();
      repetitions.push({
        liveMs,
        errors: after.failed - before.failed,
        eventLoopMaxMs: windows.gateway?.maxMs ?? null,
        eventLoopOwnMaxMs: windows.gateway?.ownMaxMs ?? null,
        floorMaxMs: windows.idle?.maxMs ?? null,
      });
    }
    const live = repetitions.map((r) => r.liveMs).filter((v): v is number => v !== null);
    const spread = live.length > 0 ? summarize(live) : undefined;
    const largest = (figure: 'eventLoopMaxMs' | 'eventLoopOwnMaxMs' | 'floorMaxMs'): number | null => {
      const values = repetitions.map((r) => r[figure]).filter((v): v is number => v !== null);
      return values.length === repetitions.length && values.length > 0 ? Math.max(...values) : null;
    };
    return {
      status: 'measured',
      loadRate: reloadLoadRate,
      liveMs: live.length === repetitions.length && spread ? spread.median : null,
      liveRange: spread ? [spread.min, spread.max] : undefined,
      errors: repetitions.reduce((sum, r) => sum + r.errors, 0),
      eventLoopMaxMs: largest('eventLoopMaxMs'),
      eventLoopOwnMaxMs: largest('eventLoopOwnMaxMs'),
      floorEventLoopMaxMs: largest('floorMaxMs'),
      repetitions,
      ...(live.length < repetitions.length ? { reason: `${repetitions.length - live.length} change(s) not live within 10 s` } : {}),
    };
  } catch (error) {
    return { ...empty, status: 'failed', reason: (error as Error).message };
  } finally {
    await load?.stop();
    await floor?.stop();
    await management?.management.stop();
  }
}

/**
 * The reload goals: live within 100 ms, no event-loop block over 10 ms of the gateway's own work
 * (the wall-time figure, which carries the host's blocks, is printed beside it), no failed request.
 */
export function reloadGoals(report: ReloadReport): GoalOutcome[] {
  const measured = report.status === 'measured';
  /** `whenMissing`: the verdict when the run measured but has no value (a change never went live). */
  const goal = (name: string, target: string, value: number | null, met: (v: number) => boolean, whenMissing: boolean | null): GoalOutcome => ({
    name,
    target,
    value: measured ? value : null,
    met: !measured ? null : value === null ? whenMissing : met(value),
  });
  return [
    goal('reload: one API change live (ms)', '≤ 100', report.liveMs, (v) => v <= 100, false),
    goal('reload: max event-loop block, own work (ms)', '≤ 10', report.eventLoopOwnMaxMs, (v) => v <= 10, null),
    goal('reload: failed requests during the change', '= 0', report.errors, (v) => v === 0, null),
  ];
}

export function formatReload(report: ReloadReport): string {
  if (report.status !== 'measured') {
    const label = report.status === 'unavailable' ? 'not available yet' : 'FAILED';
    return `reload  ${label}: ${(report.reason ?? '').split('\n')[0]}`;
  }
  const fixed = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));
  const range = report.liveRange && report.repetitions.length > 1 ? ` (${report.liveRange[0].toFixed(1)}–${report.liveRange[1].toFixed(1)})` : '';
  return `reload  one API added under ${report.loadRate} req/s: live in ${fixed(report.liveMs, 1)} ms${range}, ` +
    `${report.errors} failed requests, gateway event-loop max ${fixed(report.eventLoopMaxMs, 1)} ms ` +
    `(its own work ${fixed(report.eventLoopOwnMaxMs, 1)} ms; an idle Node process on its core ${fixed(report.floorEventLoopMaxMs, 1)} ms)` +
    (report.reason ? ` — ${report.reason}` : '');
}
