import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Changes the method of the backend request. */
export const runtime: PolicyFactory = function compileSetMethod(input) {
  const method = input.text() ?? input.fail('a method is required');
  return function setMethod(pc) {
    pc.gateway.request.method = method(pc).trim().toUpperCase();
    pc.touch('method');
    return undefined;
  };
};
