import { errorResponse } from '../../gateway/context.ts';
import { ExpressionError } from '../expressions/index.ts';
import { BodyTooLargeError, type PolicyContext } from './context.ts';
import { type LastError, type Outcome, type PolicyFailure, type ResponseState, type Step } from './types.ts';

/**
 * Runs steps in order; stops at the first outcome that is not "continue". Synchronous while the
 * steps are (header and variable policies, limits on memory counters): a promise is made only
 * from the first step that returns one, or that needs a body read first.
 */
export function runSteps(steps: readonly Step[], pc: PolicyContext): Outcome | Promise<Outcome> {
  return runFrom(steps, pc, 0);
}

function runFrom(steps: readonly Step[], pc: PolicyContext, start: number): Outcome | Promise<Outcome> {
  for (let i = start; i < steps.length; i++) {
    const step = steps[i];
    if (step.needsBody) return runAsyncFrom(steps, pc, i);
    let result: Outcome | Promise<Outcome>;
    try {
      result = step.run(pc);
    } catch (error) {
      result = exceptionFailure(step, error);
    }
    if (result instanceof Promise) {
      const next = i + 1;
      return result
        .then(
          (outcome) => settle(step, outcome, pc),
          (error: unknown) => settle(step, exceptionFailure(step, error), pc),
        )
        .then((outcome) => (outcome !== undefined ? outcome : runFrom(steps, pc, next)));
    }
    const outcome = settle(step, result, pc);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

async function runAsyncFrom(steps: readonly Step[], pc: PolicyContext, start: number): Promise<Outcome> {
  for (let i = start; i < steps.length; i++) {
    const step = steps[i];
    let outcome: Outcome;
    try {
      if (step.needsBody) await pc.bufferBodies();
      const result = step.run(pc);
      outcome = result instanceof Promise ? await result : result;
    } catch (error) {
      outcome = exceptionFailure(step, error);
    }
    outcome = settle(step, outcome, pc);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

/** Locates a failure (context.LastError) and shows the step to the observer (policy test). */
function settle(step: Step, outcome: Outcome, pc: PolicyContext): Outcome {
  if (outcome !== undefined && typeof outcome !== 'string' && outcome.lastError === undefined) outcome.lastError = locate(outcome, step);
  const observe = pc.services.onStep;
  if (observe !== undefined) observe(step, outcome, pc);
  return outcome;
}

export function locate(outcome: PolicyFailure, step: Step): LastError {
  return {
    source: step.name,
    reason: outcome.reason,
    message: outcome.message,
    scope: step.scope,
    section: step.section,
    path: step.path,
    policyId: step.policyId,
  };
}

export function exceptionFailure(step: Step, error: unknown): PolicyFailure {
  if (error instanceof BodyTooLargeError) {
    const response = error.which === 'request' ? errorResponse(413, 'Request entity too large') : errorResponse(502, 'Bad gateway');
    return { kind: 'error', reason: 'BodyTooLarge', message: error.message, response: { status: response.status, reason: '', headers: [...response.headers], body: response.body } };
  }
  if (error instanceof ExpressionError) {
    return { kind: 'error', reason: 'ExpressionValueEvaluationFailure', message: `Expression evaluation failed. ${error.message}` };
  }
  return { kind: 'error', reason: 'PolicyException', message: `The ${step.name} policy failed: ${(error as Error)?.message ?? String(error)}` };
}

export const internalError = (): ResponseState => {
  const r = errorResponse(500, 'Internal server error');
  return { status: r.status, reason: 'Internal Server Error', headers: [...r.headers], body: r.body };
};

/**
 * Calls the backend with the request as the policies left it. Failures (unreachable, timeout)
 * come back from the gateway as responses with `lastError` set: they become failures, so
 * on-error runs, with the gateway's 502/504 as the response.
 */
export async function forward(pc: PolicyContext, options: { bufferRequestBody?: boolean } = {}): Promise<Outcome> {
  const ctx = pc.gateway;
  const body = ctx.request.body;
  const streaming = body !== null && !Buffer.isBuffer(body) && typeof body !== 'string';
  if (streaming && (options.bufferRequestBody || pc.keepRequestBody)) await pc.requestBody();
  const before = ctx.lastError;
  ctx.lastError = undefined;
  const response = await ctx.forward();
  pc.forwarded = true;
  if (streaming && !Buffer.isBuffer(ctx.request.body)) ctx.request.body = null;
  const error = ctx.lastError as { source: string; reason: string; message: string } | undefined;
  const state: ResponseState = { status: response.status, reason: '', headers: response.headers as string[], body: response.body };
  if (error !== undefined) {
    return { kind: 'error', reason: error.reason, message: error.message, response: state };
  }
  ctx.lastError = before;
  pc.setResponse(state);
  return undefined;
}

