import { runSteps } from '../../policy/runtime/run.ts';
import type { Outcome, PolicyFactory } from '../../policy/runtime/types.ts';

/** Runs the enclosed send-request, cache-lookup-value and choose policies at once; waits for all (default) or any. */
export const runtime: PolicyFactory = function compileWait(input) {
  const any = (input.constant('for') ?? 'all').toLowerCase() === 'any';
  const steps = input.steps(input.element.children, '');
  return async function wait(pc) {
    const runs = steps.map((s) => runSteps([s], pc));
    if (any) return Promise.race(runs);
    const outcomes: Outcome[] = await Promise.all(runs);
    return outcomes.find((o) => o !== undefined);
  };
};
