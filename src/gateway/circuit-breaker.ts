/**
 * Backend circuit breakers (Azure's `circuitBreaker.rules` on a backend resource). Failures — a
 * status in the rule's ranges, or a forwarding error whose reason the rule lists (any reason when
 * it lists none) — are counted in a fixed window of `interval`; when they reach `count` (or
 * `percentage` of at least ten requests) the circuit opens for `tripDuration`, or for the
 * backend's Retry-After when the rule accepts it. While open, requests to that backend are
 * answered 503 without calling it, and a pool skips it. State is per process and survives
 * configuration swaps (keyed by backend and rule).
 */

export interface BreakerRule {
  /** Backend key and rule: the state's identity. */
  readonly id: string;
  readonly count: number | undefined;
  readonly percentage: number | undefined;
  readonly intervalMs: number;
  readonly ranges: readonly (readonly [number, number])[];
  readonly reasons: ReadonlySet<string> | undefined;
  readonly tripMs: number;
  readonly acceptRetryAfter: boolean;
}

interface BreakerState {
  windowStart: number;
  failures: number;
  total: number;
  openUntil: number;
}

export interface CircuitBreakers {
  /** Milliseconds the circuit stays open, 0 when closed. */
  openFor(rule: BreakerRule): number;
  record(rule: BreakerRule, outcome: { status?: number; reason?: string; retryAfter?: string }): void;
}

const MIN_SAMPLE_FOR_PERCENTAGE = 10;

export function createCircuitBreakers(now: () => number = Date.now): CircuitBreakers {
  const states = new Map<string, BreakerState>();
  const stateOf = (rule: BreakerRule): BreakerState => {
    let state = states.get(rule.id);
    if (!state) states.set(rule.id, (state = { windowStart: now(), failures: 0, total: 0, openUntil: 0 }));
    return state;
  };
  return {
    openFor(rule) {
      const state = states.get(rule.id);
      if (!state) return 0;
      const remaining = state.openUntil - now();
      return remaining > 0 ? remaining : 0;
    },
    record(rule, outcome) {
      const state = stateOf(rule);
      const at = now();
      if (at - state.windowStart >= rule.intervalMs) {
        state.windowStart = at;
        state.failures = 0;
        state.total = 0;
      }
      state.total++;
      const failed =
        outcome.status !== undefined
          ? rule.ranges.some(([min, max]) => outcome.status! >= min && outcome.status! <= max)
          : outcome.reason !== undefined && (rule.reasons === undefined || rule.reasons.has(outcome.reason.toLowerCase()));
      if (!failed) return;
      state.failures++;
      const tripped =
        (rule.count !== undefined && state.failures >= rule.count) ||
        (rule.percentage !== undefined && state.total >= MIN_SAMPLE_FOR_PERCENTAGE && (state.failures * 100) / state.total >= rule.percentage);
      if (!tripped) return;
      let trip = rule.tripMs;
      if (rule.acceptRetryAfter && outcome.retryAfter !== undefined) {
        const seconds = Number(outcome.retryAfter);
        const date = Date.parse(outcome.retryAfter);
        if (Number.isFinite(seconds)) trip = seconds * 1000;
        else if (!Number.isNaN(date)) trip = Math.max(0, date - at);
      }
      state.openUntil = at + trip;
      state.failures = 0;
      state.total = 0;
      state.windowStart = at;
    },
  };
}

/** ISO 8601 durations as Azure writes them (`PT1M`, `PT30S`, `P1DT2H`); undefined when unreadable. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!match || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase() === 'PT') return undefined;
  const [, d, h, m, s] = match.map((v) => (v === undefined ? 0 : Number(v)));
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}

/** The first rule of a backend's `circuitBreaker`, compiled; undefined when there is none or it is unusable. */
export function compileBreakerRule(backendKey: string, circuitBreaker: unknown): BreakerRule | undefined {
  const rules = (circuitBreaker as { rules?: unknown[] } | undefined)?.rules;
  const rule = rules?.[0] as
    | {
        name?: string;
        failureCondition?: { count?: number; percentage?: number; interval?: string; statusCodeRanges?: { min?: number; max?: number }[]; errorReasons?: string[] };
        tripDuration?: string;
        acceptRetryAfter?: boolean;
      }
    | undefined;
  const condition = rule?.failureCondition;
  if (!rule || !condition || (condition.count === undefined && condition.percentage === undefined)) return undefined;
  const intervalMs = parseDuration(condition.interval) ?? 60_000;
  const tripMs = parseDuration(rule.tripDuration) ?? 60_000;
  return {
    id: `${backendKey}#${rule.name ?? '0'}#${JSON.stringify(rule)}`,
    count: condition.count,
    percentage: condition.percentage,
    intervalMs,
    ranges: (condition.statusCodeRanges ?? []).map((r) => [r.min ?? 500, r.max ?? r.min ?? 599] as const),
    reasons: condition.errorReasons && condition.errorReasons.length > 0 ? new Set(condition.errorReasons.map((r) => r.toLowerCase())) : undefined,
    tripMs,
    acceptRetryAfter: rule.acceptRetryAfter === true,
  };
}
