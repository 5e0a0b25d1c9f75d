// The sandbox's budgets: steps (loop iterations, calls, elements enumerated), wall time, call depth
// and the sizes of strings and collections. Exhausting one is not catchable by the expression.

import { BudgetExceeded } from '../errors.ts';
import type { RunState } from '../types.ts';

export const MAX_STRING_LENGTH = 4 * 1024 * 1024;
export const MAX_COLLECTION_LENGTH = 1024 * 1024;
export const MAX_CALL_DEPTH = 200;
export const DEFAULT_MAX_STEPS = 100_000;
export const DEFAULT_TIME_BUDGET_MS = 250;

export function tick(r: RunState): void {
  if (++r.steps > r.maxSteps) throw new BudgetExceeded(`The expression exceeded its budget of ${r.maxSteps} steps.`);
  if ((r.steps & 1023) === 0) checkTime(r);
}

/** The wall clock is read every 1024 steps; the deadline is set on the first reading. */
function checkTime(r: RunState): void {
  const now = performance.now();
  if (r.deadline === 0) r.deadline = now + r.timeBudgetMs;
  else if (now > r.deadline) throw new BudgetExceeded('The expression exceeded its time budget.');
}

/** Charges `n` steps at once (bulk operations such as copying a large array). */
export function charge(r: RunState, n: number): void {
  r.steps += n;
  if (r.steps > r.maxSteps) throw new BudgetExceeded(`The expression exceeded its budget of ${r.maxSteps} steps.`);
}

export function checkString(s: string): string {
  if (s.length > MAX_STRING_LENGTH) throw new BudgetExceeded(`The expression built a string longer than ${MAX_STRING_LENGTH} characters.`);
  return s;
}

export function checkLength(n: number): number {
  if (n > MAX_COLLECTION_LENGTH) throw new BudgetExceeded(`The expression allocated a collection larger than ${MAX_COLLECTION_LENGTH} elements.`);
  return n;
}
