import { parseJson } from '../../policy/expressions/index.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { CompileInput, Outcome, Value } from '../../policy/runtime/types.ts';

/** One validation error, in Azure's shape (kept as a JArray in `errors-variable-name`). */
export interface ValidationError {
  readonly Name: string;
  readonly Type: string;
  readonly ValidationRule: string;
  readonly Details: string;
  readonly Action: string;
}

export type Action = 'ignore' | 'detect' | 'prevent';

export function action(value: string | undefined, fallback: Action = 'ignore'): Action {
  const v = value?.trim().toLowerCase();
  return v === 'detect' || v === 'prevent' || v === 'ignore' ? v : fallback;
}

/** An action attribute (a constant or an expression), read per request. */
export function actionValue(input: CompileInput, name: string, of = input.element): Value | undefined {
  return input.value(name, of);
}

const RESPONSE_MESSAGE = 'The request could not be processed due to an internal error. Contact the API owner.';

/**
 * Records the errors the actions ask for (`detect` and `prevent`) in the errors variable, and
 * fails with the first `prevent` one: 400 with its details inbound, 502 with a message that
 * does not leak them outbound — Azure's validation responses.
 */
export function conclude(pc: PolicyContext, errors: readonly ValidationError[], variable: string | undefined, source: string): Outcome {
  const kept = errors.filter((e) => e.Action !== 'ignore');
  if (kept.length === 0) return undefined;
  if (variable) {
    const previous = pc.variables.get(variable);
    const list = previous && typeof (previous as { toString(): string }).toString === 'function' && Array.isArray(safeParse(String(previous))) ? (safeParse(String(previous)) as unknown[]) : [];
    pc.variables.set(variable, parseJson(JSON.stringify([...list, ...kept])));
  }
  const prevented = kept.find((e) => e.Action === 'prevent');
  if (prevented === undefined) return undefined;
  const inbound = pc.section === 'inbound' || pc.section === 'backend';
  return {
    kind: 'error',
    reason: 'ValidationFailed',
    message: `${source}: ${prevented.Details}`,
    response: inbound ? errorState(400, prevented.Details) : errorState(502, RESPONSE_MESSAGE),
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
