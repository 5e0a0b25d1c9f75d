// Turning outcomes into the stdout table and the JSON document of bench/results/latest.json.

import type { Outcome, Repetition } from './measure.ts';
import { pairedMedians, unsteadyPair } from './pairs.ts';
import type { PairReport } from './pairs.ts';
import type { ReloadReport } from './reload.ts';
import { isHarnessBound } from './measure.ts';
import { computeRatios, evaluateGoals, evaluateHeapGoals, goals as ratioGoals, summarize } from './stats.ts';
import type { GoalOutcome, HeapInput, Ratio, RatioInput, Spread } from './stats.ts';

type Figure = 'rps' | 'p50Ms' | 'p99Ms' | 'p999Ms' | 'cpuUsPerReq' | 'rssMb' | 'eventLoopMaxMs' | 'busy' | 'bytesPerResponse';
const spreadFigures: readonly Figure[] = ['rps', 'p50Ms', 'p99Ms', 'p999Ms', 'cpuUsPerReq', 'rssMb', 'eventLoopMaxMs', 'busy', 'bytesPerResponse'];

/** One scenario in latest.json: medians at the top level, min–max under `range`. */
export interface ScenarioReport {
  name: string;
  description: string;
  status: Outcome['status'];
  /** Why there are no figures (`unavailable` or `failed`). */
  reason?: string;
  rps: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  /** CPU time of the measured process per request: the headline figure. */
  cpuUsPerReq: number | null;
  /** Total over the measured repetitions: non-2xx/3xx responses plus socket errors. */
  errors: number | null;
  /** The errors by kind: `status` counts responses ≥ 400, the others socket errors and timeouts. */
  errorKinds?: Record<string, number>;
  rssMb: number | null;
  /** Node processes only: the largest event-loop delay seen in a measured run (median of runs). */
  eventLoopMaxMs: number | null;
  /** Share of its core the measured process used (median). */
  gatewayBusy: number | null;
  /** Bytes read per response, headers included (median): a check that the intended resource was served. */
  bytesPerResponse: number | null;
  /** True when the process under test had its own core and was under 95% busy in some run. */
  harnessBound: boolean | null;
  /** Node processes only: V8 heap in use after full collections, read once after the last run (MB of 2^20 bytes). */
  heapMb: number | null;
  /** The APIs the gateway served (Atrium scenarios). */
  apis: number | null;
  /** Whether every target of the load (every API, for the chain scenarios) was answered before the heap reading. */
  everyTargetServed: boolean | null;
  repetitions: number;
  /** Runs in which no request completed, repeated once (see measure.ts). */
  stalledRuns?: number;
  range?: Partial<Record<Figure, [number, number]>>;
}

export interface ResultsDocument {
  generatedAt: string;
  mode: 'full' | 'quick';
  machine: Record<string, string | number>;
  plan: Record<string, unknown>;
  scenarios: ScenarioReport[];
  variants: ScenarioReport[];
  /** The reload step (reload.ts); null when not run. */
  reload: ReloadReport | null;
  /** Ratios of the scenarios' medians (measured one scenario after another). */
  ratios: Record<string, Ratio>;
  /** The paired phase (pairs.ts), keyed like `ratios`; empty when not run. */
  paired: Record<string, PairReport>;
  goals: GoalOutcome[];
}

function spreadOf(repetitions: readonly Repetition[], figure: Figure): Spread | null {
  const values = repetitions.map((r) => r[figure]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length > 0 ? summarize(values) : null;
}

function sumErrorKinds(repetitions: readonly Repetition[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const repetition of repetitions) {
    for (const [kind, count] of Object.entries(repetition.errorKinds)) sums[kind] = (sums[kind] ?? 0) + count;
  }
  return sums;
}

export function scenarioReport(name: string, description: string, outcome: Outcome): ScenarioReport {
  const empty = {
    name, description, status: outcome.status,
    rps: null, p50Ms: null, p99Ms: null, p999Ms: null, cpuUsPerReq: null, errors: null, rssMb: null,
    eventLoopMaxMs: null, gatewayBusy: null, bytesPerResponse: null, harnessBound: null,
    heapMb: null, apis: null, everyTargetServed: null, repetitions: 0,
  };
  if (outcome.status !== 'measured') return { ...empty, reason: outcome.reason };
  const reps = outcome.repetitions;
  const range: Partial<Record<Figure, [number, number]>> = {};
  const median: Partial<Record<Figure, number | null>> = {};
  for (const figure of spreadFigures) {
    const spread = spreadOf(reps, figure);
    median[figure] = spread ? spread.median : null;
    if (spread) range[figure] = [spread.min, spread.max];
  }
  return {
    ...empty,
    rps: median.rps ?? null,
    p50Ms: median.p50Ms ?? null,
    p99Ms: median.p99Ms ?? null,
    p999Ms: median.p999Ms ?? null,
    cpuUsPerReq: median.cpuUsPerReq ?? null,
    errors: reps.reduce((sum, r) => sum + r.errors, 0),
    errorKinds: sumErrorKinds(reps),
    rssMb: median.rssMb ?? null,
    eventLoopMaxMs: outcome.node ? median.eventLoopMaxMs ?? null : null,
    gatewayBusy: median.busy ?? null,
    bytesPerResponse: median.bytesPerResponse === null || median.bytesPerResponse === undefined ? null : Math.round(median.bytesPerResponse),
    harnessBound: outcome.ownCore ? reps.some((r) => isHarnessBound(r.busy)) : null,
    heapMb: outcome.heap?.usedMb ?? null,
    apis: outcome.apis,
    everyTargetServed: outcome.heap?.everyTargetServed ?? null,
    repetitions: reps.length,
    stalledRuns: outcome.stalledRuns,
    range,
  };
}

/**
 * Sequential ratios, and the goals: a ratio goal on its paired measurement when `paired` has one.
 * Marks a pair whose gateway ran far slower than in its scenarios (`unsteady`, see
 * `unsteadyPair`); its goal is then not measured.
 */
export function ratiosAndGoals(reports: readonly ScenarioReport[], paired: Record<string, PairReport> = {}): { ratios: Record<string, Ratio>; goals: GoalOutcome[] } {
  const figures = new Map<string, RatioInput>();
  const heaps = new Map<string, HeapInput>();
  for (const report of reports) {
    if (report.status !== 'measured') continue;
    figures.set(report.name, { rps: report.rps, cpuUsPerReq: report.cpuUsPerReq });
    heaps.set(report.name, { heapMb: report.heapMb, apis: report.apis, everyTargetServed: report.everyTargetServed });
  }
  const ratios = computeRatios(figures);
  const unusable: Record<string, string> = {};
  for (const [key, report] of Object.entries(paired)) {
    report.unsteady ??= unsteadyPair(report, (name) => figures.get(name)?.cpuUsPerReq);
    if (report.unsteady !== undefined) unusable[key] = 'pair not counted: the gateway ran far slower than in its scenarios';
  }
  return { ratios, goals: [...evaluateGoals(ratios, pairedMedians(paired), ratioGoals, unusable), ...evaluateHeapGoals(heaps)] };
}

// --- the table ---------------------------------------------------------------------------------

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function withRange(report: ScenarioReport, figure: Figure, digits: number): string {
  const value = fixed(report[figure === 'busy' ? 'gatewayBusy' : figure] as number | null, digits);
  const range = report.range?.[figure];
  if (!range || report.repetitions < 2) return value;
  return `${value} (${range[0].toFixed(digits)}–${range[1].toFixed(digits)})`;
}

function row(report: ScenarioReport): string[] {
  if (report.status !== 'measured') {
    const label = report.status === 'unavailable' ? 'not available yet' : 'FAILED';
    return [report.name, `${label}: ${(report.reason ?? '').split('\n')[0]}`];
  }
  const notes: string[] = [];
  if (report.harnessBound) notes.push('harness-bound');
  if (report.stalledRuns) notes.push(`${report.stalledRuns} stalled run repeated`);
  if (report.everyTargetServed === false) notes.push('heap read before every API was served');
  if (report.errors) {
    const kinds = Object.entries(report.errorKinds ?? {}).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
    notes.push(`ERRORS (${kinds.join(', ')})`);
  }
  return [
    report.name,
    withRange(report, 'rps', 0),
    fixed(report.p50Ms, 2),
    fixed(report.p99Ms, 2),
    fixed(report.p999Ms, 2),
    withRange(report, 'cpuUsPerReq', 1),
    String(report.errors ?? '–'),
    fixed(report.rssMb, 1),
    fixed(report.eventLoopMaxMs, 1),
    fixed(report.heapMb, 1),
    report.gatewayBusy === null ? '–' : `${Math.round(report.gatewayBusy * 100)}%`,
    notes.join(', '),
  ];
}

const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU µs/req', 'errors', 'RSS MB', 'EL max ms', 'heap MB', 'busy', 'note'];

export function formatTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map(row);
  const full = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...(i === 0 ? rows : full).map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.length === header.length
      ? cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
      : `${cells[0].padEnd(widths[0])}  ${cells[1]}`;
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatRatios(ratios: Record<string, Ratio>): string {
  const lines: string[] = [];
  for (const [key, ratio] of Object.entries(ratios)) {
    lines.push(`  ${key.padEnd(52)} req/s ${fixed(ratio.rps, 2)}×   CPU/req ${fixed(ratio.cpuUsPerReq, 2)}×   efficiency ${fixed(ratio.efficiency, 2)}×`);
  }
  if (lines.length === 0) lines.push('  (none: too few scenarios measured)');
  return lines.join('\n');
}

/** One line per goal; a goal met on a paired ratio shows the sequential one beside it, and a goal with a floor that floor's ratio. */
export function formatGoals(goals: readonly GoalOutcome[]): string {
  return goals.map((goal) => {
    const verdict = goal.met === null ? 'not measured' : goal.met ? 'met' : 'NOT MET';
    const source = goal.note !== undefined ? `  ${goal.note}; sequential ${fixed(goal.sequentialValue, 2)}` : goal.source === 'paired' ? `  paired; sequential ${fixed(goal.sequentialValue, 2)}` : '';
    const floor = goal.floor === undefined ? '' : `${source === '' ? '  ' : '; '}${goal.floor.label} ${fixed(goal.floor.value, 2)}`;
    return `  ${goal.name.padEnd(60)} ${goal.target.padEnd(8)} ${fixed(goal.value, 2).padStart(6)}  ${verdict.padEnd(12)}${source}${floor}`.trimEnd();
  }).join('\n');
}
