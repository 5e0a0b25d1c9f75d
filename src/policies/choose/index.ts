import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import { runSteps } from '../../policy/runtime/run.ts';
import type { PolicyFactory, RawValue, Step } from '../../policy/runtime/types.ts';

/** Runs the policies of the first `when` whose condition holds, else those of `otherwise`. */
export const runtime: PolicyFactory = function compileChoose(input) {
  const branches: { condition: RawValue; steps: readonly Step[] }[] = [];
  let otherwise: readonly Step[] = [];
  let index = 0;
  for (const child of input.element.children) {
    if (child.type !== 'element') continue;
    index++;
    if (child.name === 'when') branches.push({ condition: input.raw('condition', child)!, steps: input.steps(child.children, `when[${index}]`) });
    else if (child.name === 'otherwise') otherwise = input.steps(child.children, `otherwise[${index}]`);
  }
  return function choose(pc) {
    for (const branch of branches) if (toPolicyBoolean(branch.condition(pc))) return runSteps(branch.steps, pc);
    return otherwise.length > 0 ? runSteps(otherwise, pc) : undefined;
  };
};
