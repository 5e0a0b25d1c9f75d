import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { action, conclude } from '../validate-parameters/validation.ts';

/**
 * Checks the response's status code against the responses of the operation's definition: a code
 * not declared there gets `unspecified-status-code-action` (or the action of its `<status-code>`
 * override). `prevent` answers 502 without the backend's response; `detect` only records the
 * error in `errors-variable-name`.
 */
export const runtime: PolicyFactory = function compileValidateStatusCode(input) {
  const declared = new Set(((input.operation?.responses as { statusCode?: number }[] | undefined) ?? []).map((r) => r.statusCode));
  const unspecified = input.value('unspecified-status-code-action')!;
  const overrides = new Map(input.children('status-code').map((e) => [Number(input.constant('code', e)), input.value('action', e)!]));
  const variable = input.constant('errors-variable-name');
  return function validateStatusCode(pc) {
    const status = pc.ensureResponse().status;
    if (declared.has(status)) return undefined;
    const chosen = action((overrides.get(status) ?? unspecified)(pc));
    return conclude(pc, [{ Name: String(status), Type: 'StatusCode', ValidationRule: 'Unspecified', Details: `Unspecified status code ${status} is not allowed.`, Action: chosen }], variable, 'validate-status-code');
  };
};
