import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Composition replaces `<base/>` with the parent scope's policies; one left over (a level without a parent) does nothing. */
export const runtime: PolicyFactory = function compileBase() {
  return function base() {
    return undefined;
  };
};
