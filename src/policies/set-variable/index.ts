import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Stores the value (an expression's result keeps its type: bool, int, JObject…) in context.Variables. */
export const runtime: PolicyFactory = function compileSetVariable(input) {
  const name = input.constant('name')!;
  const value = input.raw('value')!;
  return function setVariable(pc) {
    pc.variables.set(name, value(pc));
    return undefined;
  };
};
