import { STATUS_CODES } from 'node:http';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Sets the status code and reason of the response (created empty when there is none yet). */
export const runtime: PolicyFactory = function compileSetStatus(input) {
  const code = input.value('code')!;
  const reason = input.value('reason');
  return function setStatus(pc) {
    const status = Number.parseInt(code(pc), 10);
    if (!(status >= 100 && status <= 599)) return { kind: 'error', reason: 'InvalidStatusCode', message: `'${code(pc)}' is not a valid status code.` };
    const response = pc.ensureResponse();
    response.status = status;
    response.reason = reason ? reason(pc) : (STATUS_CODES[status] ?? '');
    pc.touch('status');
    return undefined;
  };
};
