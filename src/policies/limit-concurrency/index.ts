import { runSteps } from '../../policy/runtime/run.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Requests running per key, shared by every pipeline of a gateway process (its services). */
const runningByGateway = new WeakMap<object, Map<string, number>>();

/**
 * Runs the enclosed policies for at most `max-count` requests at a time per key (across the
 * operations of the gateway process); beyond, 429. Counted per gateway process: a replica holds
 * its own slots.
 */
export const runtime: PolicyFactory = function compileLimitConcurrency(input) {
  const key = input.value('key')!;
  const maxCount = Number(input.constant('max-count'));
  const steps = input.steps(input.element.children, '');
  let running = runningByGateway.get(input.services);
  if (running === undefined) runningByGateway.set(input.services, (running = new Map()));
  const slots = running;
  return async function limitConcurrency(pc) {
    const running = slots;
    const k = key(pc);
    const current = running.get(k) ?? 0;
    if (current >= maxCount) {
      return { kind: 'error', reason: 'ConcurrencyLimitExceeded', message: 'Too many concurrent requests.', response: errorState(429, 'Too many requests') };
    }
    running.set(k, current + 1);
    try {
      return await runSteps(steps, pc);
    } finally {
      const left = (running.get(k) ?? 1) - 1;
      if (left <= 0) running.delete(k);
      else running.set(k, left);
    }
  };
};
