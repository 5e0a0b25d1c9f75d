// The paired phase. The goals between two Atrium scenarios are ratios, and on a shared host the
// CPU time per request drifts by 10–50% over minutes: two scenarios measured minutes apart differ
// by the drift as much as by what they cost. Here subject and reference are measured in
// alternation, round after round in the order R S, S R, R S …, each round giving one ratio: a
// drift slower than a round cancels out of it, and a steady one weighs on both sides alike over
// the rounds. The two sides are served by one gateway process (two scenarios of one deployment)
// or by two (a pair across deployments), of which only the side being loaded runs: the other is
// paused (SIGSTOP), so that nothing it does lands on the measured core. The pairs are listed in
// stats.ts (`pairedRatioPairs`), beside the goals.

import { isHarnessBound, measureOnce, runLoad, warmUpSeconds, writeScript } from './measure.ts';
import type { Plan, Repetition } from './measure.ts';
import type { RunContext, Scenario, Target } from './scenarios.ts';
import { computeRatio, summarize } from './stats.ts';
import type { Ratio } from './stats.ts';

export type Side = 'subject' | 'reference';

/** The sides in the order round `index` (from 0) measures them: the reference first in the first round, then alternating. */
export function roundOrder(index: number): readonly [Side, Side] {
  return index % 2 === 0 ? ['reference', 'subject'] : ['subject', 'reference'];
}

/** One side's run in a round. */
export interface RoundFigures {
  rps: number;
  cpuUsPerReq: number;
  p99Ms: number;
  /** Non-2xx/3xx responses plus socket errors. */
  errors: number;
  /** Share of its core the gateway used during the run. */
  busy: number;
}

export function roundFigures(repetition: Repetition): RoundFigures {
  const { rps, cpuUsPerReq, p99Ms, errors, busy } = repetition;
  return { rps, cpuUsPerReq, p99Ms, errors, busy };
}

/** One round: both sides' figures and the subject ÷ reference ratios between them (as in `Ratio`). */
export interface PairRound {
  /** The side measured first in this round. */
  first: Side;
  subject: RoundFigures;
  reference: RoundFigures;
  rps: number | null;
  cpuUsPerReq: number | null;
  efficiency: number | null;
}

export function pairRound(first: Side, subject: RoundFigures, reference: RoundFigures): PairRound {
  const { rps, cpuUsPerReq, efficiency } = computeRatio('subject', subject, 'reference', reference);
  return { first, subject, reference, rps, cpuUsPerReq, efficiency };
}

type RatioField = 'rps' | 'cpuUsPerReq' | 'efficiency';
const ratioFields: readonly RatioField[] = ['rps', 'cpuUsPerReq', 'efficiency'];

/**
 * One pair in latest.json (`paired`, keyed like `ratios`): at the top level the median over the
 * rounds of each per-round ratio, so that it reads as a `Ratio`; their min–max under `range`.
 */
export interface PairReport extends Ratio {
  status: 'measured' | 'unavailable' | 'failed';
  /** Why there are no figures (`unavailable` or `failed`). */
  reason?: string;
  range?: Partial<Record<RatioField, [number, number]>>;
  rounds: PairRound[];
  /** Runs in which no request completed, repeated once (as in measure.ts). */
  stalledRuns?: number;
  /**
   * Pairs across two gateway processes: each check of whether they run alike, in order, the
   * last one passed unless the pair is `unavailable` (see `MATCH_TOLERANCE`).
   */
  calibration?: CalibrationCheck[];
  /**
   * Set when a side's CPU per request over the rounds was far above its own scenario's figure
   * (`unsteadyPair`): the gateway was not in the state its scenarios measured, and the pair's
   * ratios do not count for a goal.
   */
  unsteady?: string;
}

/**
 * One check that the two gateway processes of a pair across deployments run alike: the same
 * request (each deployment's open passthrough API) measured on both in alternation, and the
 * subject's CPU per request ÷ the reference's over the rounds.
 */
export interface CalibrationCheck {
  /** Median over the rounds. */
  cpuUsPerReq: number;
  range: [number, number];
  /** The side whose process was started again after this check, when it failed. */
  restarted?: Side;
}

/**
 * Two processes of the same code whose CPU per request for the same request differs by more
 * than this factor (either way) are not compared: one of them is in a state its scenarios did
 * not measure, and a ratio across the two would measure that, not the deployments. (A gateway
 * started on a corrupt store, which could not write its request logs, ran the same request at
 * 2.2–5.2× another's: docs/performance.md, seventh session.)
 */
export const MATCH_TOLERANCE = 1.15;

/** Restarts of one side or the other before a pair across deployments gives up. */
export const MAX_RESTARTS = 3;

export function processesMatch(cpuRatio: number): boolean {
  return cpuRatio <= MATCH_TOLERANCE && cpuRatio >= 1 / MATCH_TOLERANCE;
}

/** A side of a pair whose median CPU per request over the rounds is above this many times its scenario's. */
export const UNSTEADY_FACTOR = 1.5;

/**
 * Why a measured pair's gateway was not in its scenarios' state, or undefined: a side whose
 * median CPU per request over the rounds is above UNSTEADY_FACTOR times the median of its own
 * scenario (`sequential`, undefined when that scenario has no figure).
 */
export function unsteadyPair(report: PairReport, sequential: (name: string) => number | null | undefined): string | undefined {
  if (report.status !== 'measured' || report.rounds.length === 0) return undefined;
  const reasons: string[] = [];
  for (const side of ['subject', 'reference'] as const) {
    const alone = sequential(report[side]);
    if (alone === null || alone === undefined || alone <= 0) continue;
    const paired = summarize(report.rounds.map((round) => round[side].cpuUsPerReq)).median;
    if (paired > UNSTEADY_FACTOR * alone) reasons.push(`${report[side]} ${paired.toFixed(1)} µs/req against ${alone.toFixed(1)} in its scenario`);
  }
  return reasons.length > 0 ? `the gateway ran far slower than in its scenarios (${reasons.join('; ')})` : undefined;
}

export function pairReport(subject: string, reference: string, rounds: readonly PairRound[], stalledRuns = 0): PairReport {
  const report: PairReport = { subject, reference, status: 'measured', rps: null, cpuUsPerReq: null, efficiency: null, range: {}, rounds: [...rounds], stalledRuns };
  for (const field of ratioFields) {
    const values = rounds.map((round) => round[field]).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const spread = summarize(values);
    report[field] = spread.median;
    report.range![field] = [spread.min, spread.max];
  }
  return report;
}

export function pairNotMeasured(subject: string, reference: string, status: 'unavailable' | 'failed', reason: string): PairReport {
  return { subject, reference, status, reason, rps: null, cpuUsPerReq: null, efficiency: null, rounds: [] };
}

/** The pairs whose two scenarios are both selected for the run; the others are left out. */
export function selectPairs<P extends readonly [string, string]>(pairs: readonly P[], selected: (name: string) => boolean): P[] {
  return pairs.filter(([subject, reference]) => selected(subject) && selected(reference));
}

/** The medians of the measured pairs by ratio key: what the goals are evaluated on (`evaluateGoals`). */
export function pairedMedians(reports: Record<string, PairReport>): Record<string, Ratio> {
  const ratios: Record<string, Ratio> = {};
  for (const [key, report] of Object.entries(reports)) {
    if (report.status !== 'measured' || report.unsteady !== undefined) continue;
    const { subject, reference, rps, cpuUsPerReq, efficiency } = report;
    ratios[key] = { subject, reference, rps, cpuUsPerReq, efficiency };
  }
  return ratios;
}

export interface PairScenarios {
  subject: Scenario;
  reference: Scenario;
}

function firstLine(error: unknown): string {
  return (error as Error).message.split('\n')[0];
}

/**
 * Starts both sides (each told to keep the other's process up), warms each up as
 * `measureScenario` does (a gateway that has served nothing yet three times as long), then
 * measures `plan.rounds` rounds of one run per side, each right after a short lead-in of the
 * same side's load (`plan.leadInSeconds`). When the sides are two processes, the one not being
 * loaded is paused for the other's warm-up, lead-in and run, and both are resumed at the end.
 * Never throws: a side that cannot start, a process that exits, a second stalled run, all end
 * in a report with a reason.
 */
export async function measurePair(context: RunContext, pair: PairScenarios, plan: Plan, log: (line: string) => void): Promise<PairReport> {
  const subject = pair.subject.name;
  const reference = pair.reference.name;
  const started: Partial<Record<Side, Target>> = {};
  try {
    for (const side of ['reference', 'subject'] as const) {
      let result: Awaited<ReturnType<Scenario['start']>>;
      try {
        result = await pair[side].start(context, [pair[other(side)].name]);
      } catch (error) {
        return pairNotMeasured(subject, reference, 'failed', `${pair[side].name} could not start: ${firstLine(error)}`);
      }
      if ('unavailable' in result) return pairNotMeasured(subject, reference, 'unavailable', `${pair[side].name}: ${result.unavailable}`);
      started[side] = result;
    }
    const targets = started as Record<Side, Target>;
    const twoProcesses = targets.subject.process !== targets.reference.process;
    // Only the loaded side's process runs (a no-op when one process serves both sides).
    const runOnly = (side: Side) => {
      if (!twoProcesses) return;
      targets[other(side)].process.pause();
      targets[side].process.resume();
    };
    const checkRunning = () => {
      for (const side of ['subject', 'reference'] as const) {
        const process = targets[side].process;
        if (process.exited()) throw new Error(`${process.name} of ${pair[side].name} exited during the pair`);
      }
    };
    const scripts = { subject: writeScript(context, subject, targets.subject), reference: writeScript(context, reference, targets.reference) };

    // Two scenarios of one deployment share a process: only the first warm-up finds it fresh.
    const warmed = new Set<number>();
    const warmUp = async (side: Side) => {
      const target = targets[side];
      const seconds = warmUpSeconds(plan, target, target.fresh === true && !warmed.has(target.process.pid));
      warmed.add(target.process.pid);
      log(`  ${pair[side].name}: warm-up ${seconds} s`);
      runOnly(side);
      await runLoad(context, target, scripts[side], seconds, plan.connections);
      checkRunning();
    };
    for (const side of ['subject', 'reference'] as const) await warmUp(side);

    let stalledRuns = 0;
    const measureOn = async (side: Side, target: Target, script: string, label: string): Promise<Repetition> => {
      for (;;) {
        // The lead-in: see `measure` below.
        runOnly(side);
        await runLoad(context, target, script, plan.leadInSeconds, plan.connections);
        checkRunning();
        const repetition = await measureOnce(context, target, script, plan.pairSeconds, plan.connections);
        checkRunning();
        if (repetition.rps > 0) return repetition;
        if (++stalledRuns > 1) throw new Error(`no request completed in ${stalledRuns} runs of ${plan.pairSeconds} s`);
        log(`  ${label}: no request completed (stalled run), running it again`);
      }
    };

    // Two processes: first check that they run the same request at the same cost, starting the
    // slower one again while they do not.
    const calibration: CalibrationCheck[] = [];
    if (twoProcesses) {
      const calibrationOf = (side: Side): Target => {
        const load = targets[side].calibration;
        if (!load) throw new Error(`${pair[side].name} has no calibration request`);
        return { ...targets[side], load };
      };
      const calibrationScripts = { subject: writeScript(context, `${subject}-calibration`, calibrationOf('subject')), reference: writeScript(context, `${reference}-calibration`, calibrationOf('reference')) };
      /** The same request on both gateways in alternation: the subject's CPU per request ÷ the reference's, over the rounds. */
      const check = async (): Promise<CalibrationCheck> => {
        const ratios: number[] = [];
        for (let round = 0; round < plan.calibrationRounds; round++) {
          const figures: Partial<Record<Side, Repetition>> = {};
          for (const side of roundOrder(round)) figures[side] = await measureOn(side, calibrationOf(side), calibrationScripts[side], `${pair[side].name} (calibration)`);
          ratios.push(figures.subject!.cpuUsPerReq / figures.reference!.cpuUsPerReq);
          log(`  calibration round ${round + 1}/${plan.calibrationRounds}: ${figures.subject!.cpuUsPerReq.toFixed(1)} vs ${figures.reference!.cpuUsPerReq.toFixed(1)} µs CPU/request`);
        }
        const spread = summarize(ratios);
        log(`  calibration: the same request costs ${spread.median.toFixed(2)}× (${spread.min.toFixed(2)}–${spread.max.toFixed(2)}) on ${subject}'s gateway what it costs on ${reference}'s`);
        return { cpuUsPerReq: spread.median, range: [spread.min, spread.max] };
      };
      let last = await check();
      while (!processesMatch(last.cpuUsPerReq)) {
        calibration.push(last);
        if (calibration.length > MAX_RESTARTS) {
          return { ...pairNotMeasured(subject, reference, 'unavailable', `the two gateway processes did not run alike after ${MAX_RESTARTS} restarts (the same request ${last.cpuUsPerReq.toFixed(2)}× on ${subject}'s)`), calibration };
        }
        const slower: Side = last.cpuUsPerReq > 1 ? 'subject' : 'reference';
        last.restarted = slower;
        log(`  ${pair[slower].name}: starting its gateway again (it ran the same request ${Math.max(last.cpuUsPerReq, 1 / last.cpuUsPerReq).toFixed(2)}× slower)`);
        const restart = targets[slower].restart;
        if (!restart) throw new Error(`${pair[slower].name} cannot be restarted`);
        targets[slower] = await restart();
        await warmUp(slower);
        last = await check();
      }
      calibration.push(last);
    }

    // A scenario's run follows load of its own (the warm-up, the run before); a run here mostly
    // follows the other side's, after its process sat idle (or served the other route) for a
    // while. Measured straight away, the side measured second read two to three times its CPU
    // per request in quick runs, the first one as in its scenario. So each run comes after a
    // lead-in of its own load (`measureOn`), which puts it back in a scenario's state and takes
    // the other run's request-log records still being written (on the same core, or in the same
    // process).
    const measure = (side: Side): Promise<Repetition> => measureOn(side, targets[side], scripts[side], pair[side].name);
    const rounds: PairRound[] = [];
    while (rounds.length < plan.rounds) {
      const order = roundOrder(rounds.length);
      const figures: Partial<Record<Side, RoundFigures>> = {};
      for (const side of order) {
        log(`  round ${rounds.length + 1}/${plan.rounds}: ${pair[side].name} (${side}), lead-in ${plan.leadInSeconds} s, run ${plan.pairSeconds} s`);
        figures[side] = roundFigures(await measure(side));
      }
      const round = pairRound(order[0], figures.subject!, figures.reference!);
      log(`  round ${rounds.length + 1}/${plan.rounds}: req/s ${fixed(round.rps, 3)}×, CPU/req ${fixed(round.cpuUsPerReq, 3)}× (${round.subject.cpuUsPerReq.toFixed(1)} vs ${round.reference.cpuUsPerReq.toFixed(1)} µs)`);
      rounds.push(round);
    }
    const report = pairReport(subject, reference, rounds, stalledRuns);
    return calibration.length > 0 ? { ...report, calibration } : report;
  } catch (error) {
    return pairNotMeasured(subject, reference, 'failed', firstLine(error));
  } finally {
    for (const target of Object.values(started)) {
      target.process.resume();
      await target.stop();
    }
  }
}

function other(side: Side): Side {
  return side === 'subject' ? 'reference' : 'subject';
}

// --- printing ------------------------------------------------------------------------------------

/** How the two gateways of a pair across deployments compared on the same request, and what was restarted. */
export function formatCalibration(report: PairReport): string {
  const checks = report.calibration ?? [];
  const last = checks.at(-1);
  if (!last) return '';
  const restarts = checks.filter((check) => check.restarted !== undefined).map((check) => report[check.restarted!]);
  const restarted = restarts.length > 0 ? `, after restarting ${restarts.join(', ')}'s gateway (checks: ${checks.map((check) => `${check.cpuUsPerReq.toFixed(2)}×`).join(', ')})` : '';
  return `two gateways, the same request ${last.cpuUsPerReq.toFixed(2)}× (${last.range[0].toFixed(2)}–${last.range[1].toFixed(2)}) on the subject's${restarted}`;
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function withRange(report: PairReport, field: RatioField): string {
  const range = report.range?.[field];
  return `${fixed(report[field], 2)}×${range ? ` (${range[0].toFixed(2)}–${range[1].toFixed(2)})` : ''}`;
}

/** One line per pair: the median ratios with their range over the rounds, and the rounds. */
export function formatPaired(reports: Record<string, PairReport>): string {
  const lines: string[] = [];
  for (const [key, report] of Object.entries(reports)) {
    if (report.status !== 'measured') {
      const label = report.status === 'unavailable' ? 'not available' : 'FAILED';
      lines.push(`  ${key.padEnd(52)} ${label}: ${report.reason ?? ''}`);
      continue;
    }
    const sides = report.rounds.flatMap((round) => [round.subject, round.reference]);
    const errors = sides.reduce((sum, figures) => sum + figures.errors, 0);
    const notes: string[] = [];
    if (sides.some((figures) => isHarnessBound(figures.busy))) notes.push('harness-bound');
    if (report.stalledRuns) notes.push(`${report.stalledRuns} stalled run repeated`);
    if (errors > 0) notes.push(`ERRORS ${errors}`);
    const rounds = `${report.rounds.length} round${report.rounds.length === 1 ? '' : 's'}`;
    lines.push(`  ${key.padEnd(52)} req/s ${withRange(report, 'rps').padEnd(20)} CPU/req ${withRange(report, 'cpuUsPerReq').padEnd(20)} ${rounds}${notes.length > 0 ? `, ${notes.join(', ')}` : ''}`);
    if (report.calibration?.length) lines.push(`    ${formatCalibration(report)}`);
    if (report.unsteady !== undefined) lines.push(`    not counted for goals: ${report.unsteady}`);
  }
  if (lines.length === 0) lines.push('  (none: no pair had both of its scenarios selected)');
  return lines.join('\n');
}
