import { runSteps } from '../../policy/runtime/run.ts';
import { responseOfVariable } from '../../policy/runtime/responses.ts';
import { RESPOND, type PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Ends the pipeline with a response: the one held in `response-variable-name` (from
 * send-request) or an empty 200, changed by the enclosed set-status, set-header and set-body.
 * Outbound does not run.
 */
export const runtime: PolicyFactory = function compileReturnResponse(input) {
  const variable = input.constant('response-variable-name');
  const steps = input.steps(input.element.children, '');
  return async function returnResponse(pc) {
    const from = variable !== undefined ? responseOfVariable(pc.variables.get(variable)) : undefined;
    pc.setResponse(from ? { status: from.status, reason: from.reason, headers: [...from.headers], body: from.body } : { status: 200, reason: 'OK', headers: [], body: null });
    if (pc.response!.body === null) pc.response!.headers.push('content-length', '0');
    const outcome = await runSteps(steps, pc);
    return outcome ?? RESPOND;
  };
};
