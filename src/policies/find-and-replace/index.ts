import { setTargetBody, targetBody, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Replaces every occurrence of `from` with `to` in the body of the request or response. */
export const runtime: PolicyFactory = function compileFindAndReplace(input) {
  const from = input.value('from')!;
  const to = input.value('to')!;
  const target = targetOf(input);
  return async function findAndReplace(pc) {
    const body = await targetBody(pc, target);
    const needle = from(pc);
    if (body.length === 0 || needle === '') return undefined;
    const text = body.toString('utf8');
    if (!text.includes(needle)) return undefined;
    setTargetBody(pc, target, text.replaceAll(needle, to(pc)));
    return undefined;
  };
};
