import { STATUS_CODES } from 'node:http';
import { responseVariable } from '../../policy/runtime/responses.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { compileRequest, DestinationRefusedError, managedIdentityFailure, send } from './client.ts';

/**
 * Sends a request and keeps its response (body in memory) in `response-variable-name`, where
 * expressions read it as an IResponse and return-response can send it. A failure (unreachable,
 * `timeout` seconds, 60 by default) goes to on-error, or with `ignore-error="true"` leaves the
 * variable null.
 */
export const runtime: PolicyFactory = function compileSendRequest(input) {
  const build = compileRequest(input);
  const unsupported = managedIdentityFailure(input);
  const variable = input.constant('response-variable-name');
  const timeout = input.value('timeout');
  const ignoreError = input.raw('ignore-error');
  return async function sendRequest(pc) {
    if (unsupported) return { ...unsupported };
    const request = await build(pc);
    const timeoutMs = (timeout ? Number(timeout(pc)) : 60) * 1000;
    try {
      const response = await send(pc.services, request, timeoutMs, pc.gateway.signal);
      if (variable) pc.variables.set(variable, responseVariable({ status: response.status, reason: STATUS_CODES[response.status] ?? '', headers: response.headers, body: response.body }));
      return undefined;
    } catch (error) {
      if (ignoreError && String(ignoreError(pc)).toLowerCase() === 'true') {
        if (variable) pc.variables.set(variable, null);
        return undefined;
      }
      const code = (error as { code?: string }).code;
      if (error instanceof DestinationRefusedError) return { kind: 'error', reason: 'RequestNotAllowed', message: `The request to '${request.url}' was not sent: ${error.message}.` };
      const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
      return { kind: 'error', reason: timedOut ? 'Timeout' : 'RequestFailed', message: `The request to '${request.url}' failed: ${code ?? (error as Error).message}.` };
    }
  };
};
