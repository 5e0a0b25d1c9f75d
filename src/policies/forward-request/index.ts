import { forward } from '../../policy/runtime/run.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Calls the backend with the request as the policies left it. `timeout` (seconds) or
 * `timeout-ms` bound the call (Azure's 504 beyond it); `buffer-request-body` (and any enclosing
 * retry) reads the request body into memory first so that it can be sent again;
 * `fail-on-error-status-code` turns 4xx/5xx answers into errors handled by on-error.
 * `follow-redirects` and `http-version` keep undici's behaviour: redirects are returned to the
 * caller, HTTP/1.1 is used.
 */
export const runtime: PolicyFactory = function compileForwardRequest(input) {
  const timeout = input.value('timeout');
  const timeoutMs = input.value('timeout-ms');
  const buffer = input.constant('buffer-request-body')?.toLowerCase() === 'true' || input.ancestors.some((a) => a.startsWith('retry['));
  const failOnError = input.constant('fail-on-error-status-code')?.toLowerCase() === 'true';
  return async function forwardRequest(pc) {
    if (timeout) pc.gateway.timeoutMs = Number(timeout(pc)) * 1000;
    else if (timeoutMs) pc.gateway.timeoutMs = Number(timeoutMs(pc));
    const outcome = await forward(pc, { bufferRequestBody: buffer });
    if (outcome === undefined && failOnError && pc.response !== undefined && pc.response.status >= 400) {
      return { kind: 'error', reason: 'BackendErrorStatusCode', message: `The backend responded with status code ${pc.response.status}.`, response: pc.response };
    }
    return outcome;
  };
};
