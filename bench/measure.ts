// Measuring one scenario: warm-up, then repetitions, each a wrk run with the measured process's
// CPU time, RSS and event-loop delay read around it; after the last run, a Node process's heap.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeapFigures } from './probe-lines.ts';
import { readEventLoop, readHeap } from './probes.ts';
import { readCpuSeconds, readRssMb } from './proc.ts';
import type { RunContext, Scenario, Target } from './scenarios.ts';
import { runWrk, wrkScript } from './wrk.ts';
import type { WrkErrors, WrkResult } from './wrk.ts';

export interface Plan {
  /** Warm-up before the first measured run: Node needs far longer than nginx to reach steady state. */
  warmUpSeconds: { node: number; native: number };
  measureSeconds: number;
  repetitions: number;
  /** Rounds of the paired phase (pairs.ts): each measures subject and reference once. */
  rounds: number;
  /** Length of each measured run of the paired phase: short, so that many rounds fit. */
  pairSeconds: number;
  /** Unmeasured load of the same side right before each run of the paired phase. */
  leadInSeconds: number;
  /** Rounds of the check that a pair's two gateway processes run alike (pairs across deployments). */
  calibrationRounds: number;
  connections: number;
}

export const fullPlan: Plan = { warmUpSeconds: { node: 10, native: 3 }, measureSeconds: 10, repetitions: 3, rounds: 10, pairSeconds: 4, leadInSeconds: 2, calibrationRounds: 3, connections: 64 };
export const quickPlan: Plan = { warmUpSeconds: { node: 2, native: 1 }, measureSeconds: 3, repetitions: 1, rounds: 1, pairSeconds: 3, leadInSeconds: 2, calibrationRounds: 1, connections: 64 };

/** Figures of one measured repetition. */
export interface Repetition {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  cpuUsPerReq: number;
  /** Non-2xx/3xx responses plus socket errors. */
  errors: number;
  errorKinds: WrkErrors;
  bytesPerResponse: number;
  rssMb: number | null;
  /** Requests completed in the run. */
  requests: number;
  /** Share of one core the measured process used during the run (1 = fully busy). */
  busy: number;
  eventLoopMaxMs: number | null;
}

/** A Node process's heap after a scenario (see `readHeapAfter`). */
export interface HeapReading extends HeapFigures {
  /** Requests completed in the scenario (warm-up included) before the reading. */
  requests: number;
  /** Distinct requests the load cycles through (APIs, for the chain scenarios); 1 for a fixed request. */
  targets: number;
  /**
   * Every target was answered before the reading: one wrk run (each shuffles anew and cycles
   * through all targets) completed a full round plus the requests still in flight at its end.
   */
  everyTargetServed: boolean;
}

export type Outcome =
  | { status: 'measured'; repetitions: Repetition[]; node: boolean; ownCore: boolean; stalledRuns: number; heap: HeapReading | null; apis: number | null }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; reason: string };

/** Below this share of its core the measured process was waiting on the harness, not saturated. */
export const busyThreshold = 0.95;

export function isHarnessBound(busy: number): boolean {
  return busy < busyThreshold;
}

/** CPU microseconds per request from a CPU-seconds delta and a request count. */
export function cpuMicrosPerRequest(cpuSeconds: number, requests: number): number {
  return requests > 0 ? (cpuSeconds * 1e6) / requests : Number.NaN;
}

/** One measured wrk run against `target`, with its process's CPU time, RSS and event-loop delay read around it. */
export async function measureOnce(context: RunContext, target: Target, scriptFile: string, seconds: number, connections: number): Promise<Repetition> {
  const pid = target.process.pid;
  if (target.node) await readEventLoop(target.process); // starts the event-loop window
  const cpuBefore = readCpuSeconds(pid);
  const result = await runLoad(context, target, scriptFile, seconds, connections);
  const cpuSeconds = readCpuSeconds(pid) - cpuBefore;
  const rssMb = readRssMb(pid) ?? null;
  const eventLoop = target.node ? await readEventLoop(target.process) : undefined;
  return {
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    p999Ms: result.p999Ms,
    cpuUsPerReq: cpuMicrosPerRequest(cpuSeconds, result.requests),
    errors: result.errorCount,
    errorKinds: result.errors,
    bytesPerResponse: result.bytesPerResponse,
    rssMb,
    requests: result.requests,
    busy: result.durationSeconds > 0 ? cpuSeconds / result.durationSeconds : 0,
    eventLoopMaxMs: eventLoop?.maxMs ?? null,
  };
}

/** The request log writes its queue every second: after this pause it holds no request of the run. */
const settleMs = 1500;

/**
 * The heap a scenario leaves in the process, read after full collections once its load has
 * stopped and the request log has written its queue: what serving the scenario's APIs keeps alive.
 */
async function readHeapAfter(target: Target, runs: readonly number[], connections: number, name: string, log: (line: string) => void): Promise<HeapReading | null> {
  await sleep(settleMs);
  const figures = await readHeap(target.process);
  if (figures === undefined) {
    log(`  ${name}: no heap reading (the probe did not answer)`);
    return null;
  }
  const targets = target.load.targetsFile ? readFileSync(target.load.targetsFile, 'utf8').split('\n').filter((line) => line !== '').length : 1;
  const requests = runs.reduce((sum, n) => sum + n, 0);
  const everyTargetServed = Math.max(...runs) >= targets + connections;
  log(`  ${name}: heap ${figures.usedMb.toFixed(1)} MB after full collections (${figures.gcMs.toFixed(0)} ms)${everyTargetServed ? '' : `; not every one of the ${targets} targets was answered in one run (at most ${Math.max(...runs)} requests)`}`);
  return { ...figures, requests, targets, everyTargetServed };
}

/**
 * Warm-up before a target's first measured run: Node processes longer than nginx, and a Node
 * process that has served nothing yet (`fresh`) three times as long.
 */
export function warmUpSeconds(plan: Plan, target: Target, fresh = target.fresh === true): number {
  return (target.node ? plan.warmUpSeconds.node : plan.warmUpSeconds.native) * (target.node && fresh ? 3 : 1);
}

/** The scenario's wrk script, written once into the run's folder. */
export function writeScript(context: RunContext, name: string, target: Target): string {
  const scriptFile = join(context.dir, `${name}.lua`);
  writeFileSync(scriptFile, wrkScript(target.load));
  return scriptFile;
}

/** A wrk run of `seconds` against `target` (a warm-up or lead-in as is; `measureOnce` reads the process around it). */
export function runLoad(context: RunContext, target: Target, scriptFile: string, seconds: number, connections: number): Promise<WrkResult> {
  return runWrk({
    wrkPath: context.tools.wrk,
    tasksetPath: context.tools.taskset,
    cpu: context.loadCpu,
    url: target.url,
    scriptFile,
    connections,
    seconds,
  });
}

export async function measureScenario(context: RunContext, scenario: Scenario, plan: Plan, log: (line: string) => void): Promise<Outcome> {
  let started: Awaited<ReturnType<Scenario['start']>>;
  try {
    started = await scenario.start(context);
  } catch (error) {
    return { status: 'failed', reason: `could not start: ${(error as Error).message}` };
  }
  if ('unavailable' in started) return { status: 'unavailable', reason: started.unavailable };
  const target = started;
  try {
    const scriptFile = writeScript(context, scenario.name, target);
    const seconds = warmUpSeconds(plan, target);
    log(`  ${scenario.name}: warm-up ${seconds} s`);
    const warmUpResult = await runLoad(context, target, scriptFile, seconds, plan.connections);
    const repetitions: Repetition[] = [];
    // A run in which not one request completed says nothing about the subject (on a shared machine
    // it has been seen when the whole machine stalled); it is counted, and run again once.
    let stalledRuns = 0;
    while (repetitions.length < plan.repetitions) {
      log(`  ${scenario.name}: run ${repetitions.length + 1}/${plan.repetitions}, ${plan.measureSeconds} s`);
      const repetition = await measureOnce(context, target, scriptFile, plan.measureSeconds, plan.connections);
      if (target.process.exited()) throw new Error(`${target.process.name} exited during the run`);
      if (repetition.rps > 0) {
        repetitions.push(repetition);
        log(`  ${scenario.name}: ${Math.round(repetition.rps)} req/s, ${repetition.cpuUsPerReq.toFixed(1)} µs CPU/request`);
      } else if (++stalledRuns > 1) {
        throw new Error(`no request completed in ${stalledRuns} runs of ${plan.measureSeconds} s`);
      } else {
        log(`  ${scenario.name}: no request completed (stalled run), running it again`);
      }
    }
    const runs = [warmUpResult.requests, ...repetitions.map((r) => r.requests)];
    const heap = target.node ? await readHeapAfter(target, runs, plan.connections, scenario.name, log) : null;
    return { status: 'measured', repetitions, node: target.node, ownCore: target.ownCore, stalledRuns, heap, apis: target.apis ?? null };
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message.split('\n')[0] };
  } finally {
    await target.stop();
  }
}
