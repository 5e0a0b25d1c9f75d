import { createPolicyResponse, type PolicyResponse } from '../expressions/index.ts';
import type { ResponseState } from './types.ts';

/**
 * A response kept in `context.Variables` (send-request's `response-variable-name`): expressions
 * see it as Azure's IResponse, and return-response can send it. Its body is in memory.
 */
const states = new WeakMap<object, ResponseState>();

export function responseVariable(state: ResponseState & { body: Buffer | string | null }): PolicyResponse {
  const body = state.body;
  const wrapped = createPolicyResponse({
    statusCode: state.status,
    statusReason: state.reason,
    headers: state.headers,
    body: body === null ? null : { load: () => body },
  });
  states.set(wrapped, state);
  return wrapped;
}

export function responseOfVariable(value: unknown): ResponseState | undefined {
  return typeof value === 'object' && value !== null ? states.get(value) : undefined;
}
