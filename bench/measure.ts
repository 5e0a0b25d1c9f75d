// Measuring one scenario: warm-up, then repetitions, each a wrk run with the measured process's
// CPU time, RSS and event-loop delay read around it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEventLoop } from './event-loop.ts';
import { readCpuSeconds, readRssMb } from './proc.ts';
import type { RunContext, Scenario, Target } from './scenarios.ts';
import { runWrk, wrkScript } from './wrk.ts';
import type { WrkErrors } from './wrk.ts';

export interface Plan {
  /** Warm-up before the first measured run: Node needs far longer than nginx to reach steady state. */
  warmUpSeconds: { node: number; native: number };
  measureSeconds: number;
  repetitions: number;
  connections: number;
}

export const fullPlan: Plan = { warmUpSeconds: { node: 10, native: 3 }, measureSeconds: 10, repetitions: 3, connections: 64 };
export const quickPlan: Plan = { warmUpSeconds: { node: 2, native: 1 }, measureSeconds: 3, repetitions: 1, connections: 64 };

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
  /** Share of one core the measured process used during the run (1 = fully busy). */
  busy: number;
  eventLoopMaxMs: number | null;
}

export type Outcome =
  | { status: 'measured'; repetitions: Repetition[]; node: boolean; ownCore: boolean; stalledRuns: number }
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

async function measureOnce(context: RunContext, target: Target, scriptFile: string, seconds: number, connections: number): Promise<Repetition> {
  const pid = target.process.pid;
  if (target.node) await readEventLoop(target.process); // starts the event-loop window
  const cpuBefore = readCpuSeconds(pid);
  const result = await runWrk({
    wrkPath: context.tools.wrk,
    tasksetPath: context.tools.taskset,
    cpu: context.loadCpu,
    url: target.url,
    scriptFile,
    connections,
    seconds,
  });
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
    busy: result.durationSeconds > 0 ? cpuSeconds / result.durationSeconds : 0,
    eventLoopMaxMs: eventLoop?.maxMs ?? null,
  };
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
    const scriptFile = join(context.dir, `${scenario.name}.lua`);
    writeFileSync(scriptFile, wrkScript(target.load));
    const warmUp = (target.node ? plan.warmUpSeconds.node : plan.warmUpSeconds.native) * (target.node && target.fresh ? 3 : 1);
    log(`  ${scenario.name}: warm-up ${warmUp} s`);
    await runWrk({
      wrkPath: context.tools.wrk,
      tasksetPath: context.tools.taskset,
      cpu: context.loadCpu,
      url: target.url,
      scriptFile,
      connections: plan.connections,
      seconds: warmUp,
    });
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
      } else if (++stalledRuns > 1) {
        throw new Error(`no request completed in ${stalledRuns} runs of ${plan.measureSeconds} s`);
      } else {
        log(`  ${scenario.name}: no request completed (stalled run), running it again`);
      }
    }
    return { status: 'measured', repetitions, node: target.node, ownCore: target.ownCore, stalledRuns };
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message.split('\n')[0] };
  } finally {
    await target.stop();
  }
}
