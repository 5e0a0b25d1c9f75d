// Summaries of repeated measurements and the ratios between scenarios measured in the same run.
// Pure functions: the self-test covers them.

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median with min and max; the median of an even count is the mean of the middle two. */
export function summarize(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The figures a ratio is computed from: medians of one scenario. */
export interface RatioInput {
  rps: number | null;
  cpuUsPerReq: number | null;
}

/**
 * One comparison, always "subject relative to reference":
 * - `rps`: subject's throughput ÷ reference's (higher is better for the subject);
 * - `cpuUsPerReq`: subject's CPU per request ÷ reference's (lower is better);
 * - `efficiency`: reference's CPU per request ÷ subject's, the inverse of `cpuUsPerReq`
 *   (how the goals against nginx are phrased: 0.2× means five times nginx's CPU per request).
 */
export interface Ratio {
  subject: string;
  reference: string;
  rps: number | null;
  cpuUsPerReq: number | null;
  efficiency: number | null;
}

/** The comparisons reported in every run; pairs with a scenario not measured are left out. */
export const ratioPairs: ReadonlyArray<readonly [subject: string, reference: string]> = [
  ['bare-undici-proxy', 'nginx-proxy'],
  ['node-hello', 'nginx-proxy'],
  ['atrium-passthrough', 'bare-undici-proxy'],
  ['atrium-passthrough', 'nginx-proxy'],
  ['atrium-key', 'bare-undici-proxy'],
  ['atrium-key', 'nginx-proxy'],
  ['atrium-limits', 'bare-undici-proxy'],
  ['atrium-limits', 'nginx-proxy'],
  ['atrium-full-chain', 'bare-undici-proxy'],
  ['atrium-full-chain', 'nginx-proxy'],
  ['atrium-ten-policies', 'atrium-key'],
  ['atrium-ten-policies-open', 'atrium-passthrough'],
  ['atrium-full-chain-redis', 'atrium-full-chain'],
  ['atrium-full-chain-1k', 'atrium-full-chain'],
  ['atrium-full-chain-10k', 'atrium-full-chain'],
  ['lean-gateway-10k', 'lean-gateway'],
  ['atrium-64k', 'bare-undici-proxy-64k'],
  ['atrium-64k', 'nginx-proxy-64k'],
  ['atrium-post-4k', 'bare-undici-proxy-post-4k'],
  ['atrium-post-4k', 'nginx-proxy-post-4k'],
];

export function ratioKey(subject: string, reference: string): string {
  return `${subject} vs ${reference}`;
}

function divide(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

export function computeRatio(subject: string, a: RatioInput, reference: string, b: RatioInput): Ratio {
  return {
    subject,
    reference,
    rps: divide(a.rps, b.rps),
    cpuUsPerReq: divide(a.cpuUsPerReq, b.cpuUsPerReq),
    efficiency: divide(b.cpuUsPerReq, a.cpuUsPerReq),
  };
}

/** Ratios for every pair of `pairs` whose two scenarios both have figures. */
export function computeRatios(
  figures: ReadonlyMap<string, RatioInput>,
  pairs: ReadonlyArray<readonly [string, string]> = ratioPairs,
): Record<string, Ratio> {
  const ratios: Record<string, Ratio> = {};
  for (const [subject, reference] of pairs) {
    const a = figures.get(subject);
    const b = figures.get(reference);
    if (!a || !b) continue;
    const ratio = computeRatio(subject, a, reference, b);
    if (ratio.rps === null && ratio.cpuUsPerReq === null) continue;
    ratios[ratioKey(subject, reference)] = ratio;
  }
  return ratios;
}

/** A goal the figures are held to (issue "Goals the numbers are held to"). */
export interface Goal {
  name: string;
  ratio: string;
  field: 'rps' | 'cpuUsPerReq' | 'efficiency';
  atLeast?: number;
  atMost?: number;
  /**
   * A ratio reported beside the goal's, of the same field: what a gateway doing only the work the
   * goal's scenarios require reaches in the same run (the lean gateway's pair).
   */
  floor?: { label: string; ratio: string };
}

export interface GoalOutcome {
  name: string;
  target: string;
  value: number | null;
  met: boolean | null;
  /**
   * Ratio goals only: `paired` when `value` comes from the paired phase (subject and reference
   * measured in alternation, pairs.ts), `sequential` when from the medians of the two scenarios.
   */
  source?: 'paired' | 'sequential';
  /** Ratio goals only: the ratio of the sequential medians, reported beside a paired value. */
  sequentialValue?: number | null;
  /** Why a goal has no value although its ratio was measured (an unsteady pair). */
  note?: string;
  /** Goals with a `floor`: its label and value (paired when measured so, else sequential; null when not measured). */
  floor?: { label: string; value: number | null };
}

export const goals: readonly Goal[] = [
  { name: 'full chain efficiency vs nginx (moonshot 0.22×)', ratio: 'atrium-full-chain vs nginx-proxy', field: 'efficiency', atLeast: 0.18 },
  { name: 'full chain CPU/request vs the lean bare proxy', ratio: 'atrium-full-chain vs bare-undici-proxy', field: 'cpuUsPerReq', atMost: 1.1 },
  {
    name: 'full chain throughput at 10,000 APIs vs 10',
    ratio: 'atrium-full-chain-10k vs atrium-full-chain',
    field: 'rps',
    atLeast: 0.98,
    floor: { label: 'lean gateway', ratio: 'lean-gateway-10k vs lean-gateway' },
  },
  { name: 'Redis-backed counters throughput vs in-memory', ratio: 'atrium-full-chain-redis vs atrium-full-chain', field: 'rps', atLeast: 0.8 },
  // "A ten-policy inbound chain costs ≤ 10% of throughput": ≥ 0.9× the requests, i.e. ≤ 1.11× the CPU per request.
  { name: 'ten-policy inbound chain CPU/request vs the key check alone', ratio: 'atrium-ten-policies vs atrium-key', field: 'cpuUsPerReq', atMost: 1.11 },
  { name: 'ten-policy chain on an open API, CPU/request vs passthrough', ratio: 'atrium-ten-policies-open vs atrium-passthrough', field: 'cpuUsPerReq', atMost: 1.11 },
];

/**
 * The ratios measured in the paired phase (pairs.ts), subject and reference in alternation, so
 * that the host's drift over minutes weighs on both alike: every goal between two Atrium
 * scenarios. The pairs across deployments (10,000 APIs and Redis against the small deployment's
 * chain) come first, while the 10,000-API gateway the scenarios end on is still up: their two
 * gateways are both pinned to the gateway core, and the one not being loaded is paused, so that
 * nothing it does lands on the measured core. Last, the lean gateway's two sizes: the same
 * comparison for a gateway doing the chain's per-API work and nothing else (the floor beside the
 * 10,000-API goal).
 */
export const pairedRatioPairs: ReadonlyArray<readonly [subject: string, reference: string]> = [
  ['atrium-full-chain-10k', 'atrium-full-chain'],
  ['atrium-full-chain-redis', 'atrium-full-chain'],
  ['atrium-ten-policies', 'atrium-key'],
  ['atrium-ten-policies-open', 'atrium-passthrough'],
  ['lean-gateway-10k', 'lean-gateway'],
];

/**
 * Each goal against its ratio: the paired one (`paired`, by ratio key) when that has the figure,
 * else the sequential one, which is reported beside it either way.
 */
export function evaluateGoals(ratios: Record<string, Ratio>, paired: Record<string, Ratio> = {}, list: readonly Goal[] = goals, unusable: Record<string, string> = {}): GoalOutcome[] {
  const valueOf = (ratio: string, field: Goal['field']): number | null => (unusable[ratio] === undefined ? paired[ratio]?.[field] : undefined) ?? ratios[ratio]?.[field] ?? null;
  return list.map((goal) => {
    const sequentialValue = ratios[goal.ratio]?.[goal.field] ?? null;
    const target = goal.atLeast !== undefined ? `≥ ${goal.atLeast}×` : `≤ ${goal.atMost}×`;
    const floor = goal.floor === undefined ? {} : { floor: { label: goal.floor.label, value: valueOf(goal.floor.ratio, goal.field) } };
    const note = unusable[goal.ratio];
    // A pair that was measured but does not count: the goal is not measured (its sequential ratio carries the drift the pair is there to remove).
    if (note !== undefined) return { name: goal.name, target, value: null, met: null, source: 'paired', sequentialValue, note, ...floor };
    const pairedValue = paired[goal.ratio]?.[goal.field] ?? null;
    const value = pairedValue ?? sequentialValue;
    let met: boolean | null = null;
    if (value !== null) {
      met = (goal.atLeast === undefined || value >= goal.atLeast) && (goal.atMost === undefined || value <= goal.atMost);
    }
    return { name: goal.name, target, value, met, source: pairedValue !== null ? 'paired' : 'sequential', sequentialValue, ...floor };
  });
}

/**
 * A goal on the heap each API adds: the heap of `large` less the heap of `small` (each read after
 * full collections once the scenario's load stopped), per 1,000 APIs of difference between them.
 */
export interface HeapGoal {
  name: string;
  small: string;
  large: string;
  atMostMb: number;
}

/** A scenario's heap reading, as the heap goals use it. */
export interface HeapInput {
  heapMb: number | null;
  /** APIs the process served. */
  apis: number | null;
  /** Every API of the scenario's load was answered before the reading. */
  everyTargetServed: boolean | null;
}

export const heapGoals: readonly HeapGoal[] = [
  { name: 'heap per 1,000 APIs, every API served (MB)', small: 'atrium-full-chain', large: 'atrium-full-chain-10k', atMostMb: 5 },
];

/**
 * MB of heap per 1,000 APIs between two readings; null unless both have a heap and an API count,
 * served every API of their load, and differ in APIs.
 */
export function heapPerThousandApis(small: HeapInput, large: HeapInput): number | null {
  if (small.heapMb === null || large.heapMb === null || small.apis === null || large.apis === null) return null;
  if (small.everyTargetServed !== true || large.everyTargetServed !== true || large.apis === small.apis) return null;
  return (large.heapMb - small.heapMb) / ((large.apis - small.apis) / 1000);
}

export function evaluateHeapGoals(figures: ReadonlyMap<string, HeapInput>, list: readonly HeapGoal[] = heapGoals): GoalOutcome[] {
  return list.map((goal) => {
    const small = figures.get(goal.small);
    const large = figures.get(goal.large);
    const value = small && large ? heapPerThousandApis(small, large) : null;
    return { name: goal.name, target: `≤ ${goal.atMostMb}`, value, met: value === null ? null : value <= goal.atMostMb };
  });
}
