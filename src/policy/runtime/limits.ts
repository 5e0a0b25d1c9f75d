import { counterOp, CountersUnavailableError, type CounterOp, type CounterResult, type CounterWindow } from '../../counters/index.ts';
import type { PolicyContext } from './context.ts';
import { exceptionFailure, locate } from './run.ts';
import { errorState } from './target.ts';
import type { Outcome, PolicyFailure, Step, StepRun } from './types.ts';

/**
 * What a limit policy counts in one request, and what the counts mean. Adjacent limit policies
 * (rate-limit, rate-limit-by-key, quota, quota-by-key) send their operations in one counter
 * call: one Redis round trip for all of them, and no promise at all on in-memory counters.
 */
export interface LimitPlan {
  readonly ops: readonly CounterOp[];
  /**
   * The policy's outcome from the results of its `ops`, which start at `results[from]` (the
   * results of one counter call, for every policy of the call): they run up to and including the
   * first refused operation, so there may be fewer than its ops. Called only when no earlier
   * policy of the call refused.
   */
  settle(results: readonly CounterResult[], from: number): Outcome;
}

export interface LimitPolicy {
  /** The policy's name, as `services.failClosed` lists it. */
  readonly source: string;
  /** The plan for this request; undefined when the policy counts nothing (no subscription). */
  plan(pc: PolicyContext): LimitPlan | undefined;
  /** Whether `plan` evaluates expressions (they could read what an earlier policy set). */
  readonly readsContext: boolean;
  /** Whether `settle` sets context variables (that later expressions could read). */
  readonly setsVariables: boolean;
}

/** A limit policy's step runner, which carries its policy so that adjacent ones can share a call. */
export type LimitRun = StepRun & { readonly limit: LimitPolicy };

interface Member {
  readonly limit: LimitPolicy;
  /** Where the member's failures are located; undefined when the runner locates them. */
  readonly step?: Step;
}

/**
 * An operation that only checks: refused once the count of `key` has reached `reached` (a limit
 * one below it, adding nothing). For limits checked before the call and counted after it.
 */
export function reachedCheck(key: string, reached: number, window: CounterWindow): CounterOp {
  return counterOp(key, 0, Math.ceil(reached) - 1, window);
}

/**
 * What a limit policy makes of a counter-key value (its counter keys, its limits), kept by value
 * for every limit policy of the process under `id`, which names everything `make` depends on: a
 * value seen before gives the same objects. So a request makes no keys or limits of its own, and
 * the counters' map finds keys whose hashes it has already computed (a key built per request is
 * a new string hashed each time).
 *
 * Bounded, second-chance style: at most KEPT_VALUES values are kept in all. A value found again
 * is marked used — one lookup and a field write, nothing moves. When a new value finds the
 * bound reached, a sweep drops every value not found again since the sweep before and marks the
 * others unused; if more than three quarters of the bound remain, the oldest go too, so that
 * each sweep makes room for a quarter of the bound at least and its cost is spread over the
 * values made after it. So values used once (a scan of client addresses) leave at the next
 * sweep, and a working set within three quarters of the bound, each value found again before
 * a quarter of the bound of new values has passed, stays kept however it is visited. (Two
 * generations, where a value found in the older one was copied into the newer, made a gateway
 * visiting 20,000 values in turn — 10,000 keyed APIs, two limits each — write a map on every
 * lookup and make a fifth of its values again.)
 *
 * A value that is the name of the holder given with it (the request's subscription: the usual
 * `counter-key="@(context.Subscription.Id)"`) is kept on the holder as well, for as long as the
 * holder lives: a request finds it there without a lookup among every value, which at 10,000
 * subscriptions is memory the processor no longer holds in its caches. Such values still count
 * against the bound only while they are in the map.
 *
 * The map of an id stays for the life of the process (ids are made of policy constants: a
 * handful), so that every closure for an id keeps using the same one.
 */
export function keptPerValue<T>(id: string, make: (value: string) => T): KeptValues<T> {
  let space = spaces.get(id);
  if (space === undefined) {
    space = { values: new Map(), slot: spaces.size };
    spaces.set(id, space);
  }
  const { values, slot } = space;
  const kept = (value: string): T => {
    const found = values.get(value);
    if (found !== undefined) {
      found.used = true;
      return found.made as T;
    }
    const made = make(value);
    if (keptCount >= KEPT_VALUES) sweep();
    values.set(value, { made, used: false });
    keptCount++;
    return made;
  };
  return function keptValue(value, holder) {
    if (holder === undefined || holder.name !== value) return kept(value);
    // The value is the holder's name (a subscription's, the usual counter key): kept on the
    // holder too, where the request finds it without a lookup among every value.
    // Made at the size of the ids known (a handful): a subscription holds one per id at most.
    const onHolder = (holder.keptValues ??= new Array(spaces.size));
    const made = onHolder[slot];
    if (made !== undefined) return made as T;
    return (onHolder[slot] = kept(value));
  };
}

/** The made value of a counter-key value; with `holder`, kept on it too when the value is its name. */
export type KeptValues<T> = (value: string, holder?: ValueHolder) => T;

/**
 * An object whose name is often a counter-key value: the request's subscription. What is made of
 * its name is kept on it, for as long as the object lives (a subscription's entry lives until the
 * subscriptions change), besides the bounded map.
 */
export interface ValueHolder {
  readonly name: string;
  keptValues: unknown[] | undefined;
}

interface KeptSlot {
  readonly made: unknown;
  /** Found again since the last sweep. */
  used: boolean;
}

/** Kept values by id, then by value, in the order they were made; `slot` is the id's index in a holder's `keptValues`. */
const spaces = new Map<string, { readonly values: Map<string, KeptSlot>; readonly slot: number }>();
let keptCount = 0;
export const KEPT_VALUES = 32_768;

/** How many values are kept now, for every id. */
export function keptValueCount(): number {
  return keptCount;
}

function sweep(): void {
  for (const { values } of spaces.values()) {
    for (const [value, slot] of values) {
      if (slot.used) slot.used = false;
      else {
        values.delete(value);
        keptCount--;
      }
    }
  }
  const most = (KEPT_VALUES * 3) / 4;
  if (keptCount <= most) return;
  // More than three quarters were in use: each id gives up its oldest values, in proportion
  // to what it holds.
  const share = (keptCount - most) / keptCount;
  for (const { values } of spaces.values()) {
    let drop = Math.ceil(values.size * share);
    for (const value of values.keys()) {
      if (drop-- <= 0) break;
      values.delete(value);
      keptCount--;
    }
  }
}

/** The runner of one limit policy. */
export function limitStep(limit: LimitPolicy): LimitRun {
  const members: readonly Member[] = [{ limit }];
  return Object.assign((pc: PolicyContext) => runLimits(pc, members), { limit });
}

/**
 * Joins each run of adjacent limit steps into one step making one counter call, where that does
 * not change what the policies see: a policy that sets variables ends a run before a policy whose
 * plan evaluates expressions. Observed runs (`atrium policy test`) keep every step apart.
 */
export function joinLimits(steps: readonly Step[], observed: boolean): Step[] {
  const out: Step[] = [];
  let group: Step[] = [];
  const flush = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) out.push(joined(group));
    group = [];
  };
  for (const step of steps) {
    const limit = limitOf(step);
    if (limit === undefined || observed) {
      flush();
      out.push(step);
      continue;
    }
    if (limit.readsContext && group.some((s) => limitOf(s)!.setsVariables)) flush();
    group.push(step);
  }
  flush();
  return out;
}

function limitOf(step: Step): LimitPolicy | undefined {
  return (step.run as Partial<LimitRun>).limit;
}

function joined(steps: readonly Step[]): Step {
  const members: readonly Member[] = steps.map((step) => ({ limit: limitOf(step)!, step }));
  return {
    ...steps[0],
    needsBody: steps.some((s) => s.needsBody),
    run: function limits(pc) {
      return runLimits(pc, members);
    },
  };
}

/**
 * Plans every member, makes one counter call, and settles the members in order until one refuses.
 * A member whose plan fails (an expression error) ends the call there: the members before it are
 * counted and settled, as they would have been one by one, then its failure is the outcome.
 * Counters that cannot answer let the call through (fail open) with a warning, unless the
 * gateway makes a member's policy fail closed (`services.failClosed`: 503).
 */
function runLimits(pc: PolicyContext, members: readonly Member[]): Outcome | Promise<Outcome> {
  // The plans of the members planned (all of them unless one failed); arrays made at their size.
  const plans: (LimitPlan | undefined)[] = new Array(members.length);
  let planned = 0;
  let operations = 0;
  let planFailure: PolicyFailure | undefined;
  for (const member of members) {
    let plan: LimitPlan | undefined;
    try {
      plan = member.limit.plan(pc);
    } catch (error) {
      if (member.step === undefined) throw error;
      planFailure = exceptionFailure(member.step, error);
      planFailure.lastError = locate(planFailure, member.step);
      break;
    }
    plans[planned++] = plan;
    if (plan !== undefined) operations += plan.ops.length;
  }
  plans.length = planned;
  if (operations === 0) return settleAll(members, plans, [], planFailure);
  let ops: readonly CounterOp[];
  if (planned === 1) ops = plans[0]!.ops;
  else {
    const all: CounterOp[] = new Array(operations);
    let at = 0;
    for (const plan of plans) if (plan !== undefined) for (const op of plan.ops) all[at++] = op;
    ops = all;
  }
  let results: readonly CounterResult[] | Promise<readonly CounterResult[]>;
  try {
    results = pc.services.counters.apply(ops);
  } catch (error) {
    return unavailable(pc, members, plans, error, planFailure);
  }
  if (results instanceof Promise) {
    return results.then(
      (r) => settleAll(members, plans, r, planFailure),
      (error: unknown) => unavailable(pc, members, plans, error, planFailure),
    );
  }
  return settleAll(members, plans, results, planFailure);
}

function settleAll(members: readonly Member[], plans: readonly (LimitPlan | undefined)[], results: readonly CounterResult[], planFailure: PolicyFailure | undefined): Outcome {
  let offset = 0;
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i];
    if (plan === undefined) continue;
    const outcome = plan.settle(results, offset);
    offset += plan.ops.length;
    if (outcome !== undefined) return located(outcome, members[i].step);
  }
  return planFailure;
}

/** Counters that cannot answer: each member in turn lets the call through or refuses it. */
function unavailable(pc: PolicyContext, members: readonly Member[], plans: readonly (LimitPlan | undefined)[], error: unknown, planFailure: PolicyFailure | undefined): Outcome {
  if (!(error instanceof CountersUnavailableError)) throw error;
  for (let i = 0; i < plans.length; i++) {
    if (plans[i] === undefined) continue;
    const refused = countersUnavailable(pc, members[i].limit.source, error);
    if (refused !== undefined) return located(refused, members[i].step);
  }
  return planFailure;
}

function located(outcome: Outcome, step: Step | undefined): Outcome {
  if (step !== undefined && outcome !== undefined && typeof outcome !== 'string' && outcome.lastError === undefined) outcome.lastError = locate(outcome, step);
  return outcome;
}

/**
 * What a limit policy does when its counters cannot answer: a failure answering 503 when the
 * gateway makes it fail closed, otherwise undefined (the call goes on) after a warning.
 */
export function countersUnavailable(pc: PolicyContext, source: string, error: Error): PolicyFailure | undefined {
  if (pc.services.failClosed?.includes(source)) {
    pc.services.log(`${source}: ${error.message}; the call is refused`);
    return { kind: 'error', reason: 'CountersUnavailable', message: error.message, response: errorState(503, 'Service unavailable') };
  }
  pc.services.log(`${source}: ${error.message}; the call is let through`);
  return undefined;
}
