import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import { runSteps } from '../../policy/runtime/run.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Runs the enclosed policies, then again while `condition` holds, at most `count` more times.
 * Intervals (seconds): `interval` alone is fixed, with `delta` it grows linearly, with `delta`
 * and `max-interval` exponentially (capped); `first-fast-retry` makes the first retry
 * immediate. A failure inside counts as an attempt whose response is the failure's; when no
 * retry is left the failure goes to on-error. Waiting stops when the client goes away.
 */
export const runtime: PolicyFactory = function compileRetry(input) {
  const condition = input.raw('condition')!;
  const count = input.value('count')!;
  const interval = input.value('interval')!;
  const maxInterval = input.value('max-interval');
  const delta = input.value('delta');
  const firstFast = input.value('first-fast-retry');
  const steps = input.steps(input.element.children, '');
  return async function retry(pc) {
    const retries = Number(count(pc));
    const base = Number(interval(pc));
    const step = delta ? Number(delta(pc)) : 0;
    const max = maxInterval ? Number(maxInterval(pc)) : Infinity;
    const fast = firstFast ? firstFast(pc).toLowerCase() === 'true' : false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await runSteps(steps, pc);
      if (typeof outcome === 'string') return outcome;
      if (outcome !== undefined && outcome.response) pc.setResponse(outcome.response);
      if (attempt >= retries || !toPolicyBoolean(condition(pc))) return outcome;
      let seconds = base;
      if (step > 0) seconds = maxInterval ? Math.min(max, base + (2 ** attempt - 1) * step) : base + attempt * step;
      if (fast && attempt === 0) seconds = 0;
      if (seconds > 0 && !(await sleep(seconds * 1000, pc.gateway.signal))) return outcome;
    }
  };
};

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
