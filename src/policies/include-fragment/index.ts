import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Composition expands fragments before compiling; a document compiled without composing cannot include one. */
export const runtime: PolicyFactory = function compileIncludeFragment(input) {
  return input.fail(`fragment '${input.constant('fragment-id') ?? ''}' was not expanded: compile the composed document (composePolicies)`);
};
