import { getHeader, setHeader } from '../../policy/runtime/headers.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * When the request names a callback in the `callback-parameter-name` query parameter, wraps the
 * JSON response as `callback(body)` with content type application/javascript.
 */
export const runtime: PolicyFactory = function compileJsonp(input) {
  const parameter = input.value('callback-parameter-name')!;
  return async function jsonp(pc) {
    const name = parameter(pc);
    const callback = new URLSearchParams(pc.gateway.request.query).get(name);
    if (callback === null || callback === '') return undefined;
    if (!IDENTIFIER.test(callback)) {
      const message = `Value of ${name} parameter ${callback} is not a valid JavaScript identifier.`;
      return { kind: 'error', reason: 'CallbackParameterInvalid', message, response: errorState(400, message) };
    }
    const response = pc.ensureResponse();
    const type = getHeader(response.headers, 'content-type') ?? '';
    if (!/json/i.test(type)) return undefined;
    const body = await pc.responseBody();
    pc.setResponseBody(`${callback}(${body.toString('utf8')})`);
    setHeader(response.headers, 'content-type', 'application/javascript; charset=utf-8');
    return undefined;
  };
};
