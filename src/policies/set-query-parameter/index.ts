import type { PolicyContext } from '../../policy/runtime/context.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';

/**
 * Adds, replaces, appends to or deletes a query parameter of the backend request. Parameters the
 * policy does not touch keep their text exactly as the client sent it.
 */
export const runtime: PolicyFactory = function compileSetQueryParameter(input) {
  const name = input.value('name')!;
  const fixedName = input.isExpression('name') ? undefined : input.constant('name');
  const fixedEncodedName = fixedName === undefined ? undefined : encodeURIComponent(fixedName);
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => ''));
  const single = values.length === 1 ? values[0] : undefined;
  return function setQueryParameter(pc) {
    const request = pc.gateway.request;
    const parameter = fixedName ?? name(pc);
    const encodedName = fixedEncodedName ?? encodeURIComponent(parameter);
    if (request.query === '') {
      // Nothing to keep or replace: the parameter is the whole query, unless it is deleted.
      if (action === 'delete') return undefined;
      request.query = single !== undefined ? `${encodedName}=${encodeValue(single(pc))}` : added(pc, encodedName, values).join('&');
    } else request.query = edited(request.query.split('&'), action, parameter, encodedName, () => added(pc, encodedName, values));
    pc.touch('url');
    return undefined;
  };
};

function added(pc: PolicyContext, encodedName: string, values: readonly Value[]): string[] {
  return values.map((v) => `${encodedName}=${encodeURIComponent(v(pc))}`);
}

/** The query's parts after the action, joined. */
function edited(parts: string[], action: string, parameter: string, encodedName: string, added: () => string[]): string {
  const isIt = (part: string): boolean => {
    const eq = part.indexOf('=');
    const raw = eq === -1 ? part : part.slice(0, eq);
    return raw === encodedName || decode(raw) === parameter;
  };
  let next: string[];
  switch (action) {
    case 'delete':
      next = parts.filter((p) => !isIt(p));
      break;
    case 'skip':
      next = parts.some(isIt) ? parts : [...parts, ...added()];
      break;
    case 'append':
      next = [...parts, ...added()];
      break;
    default: {
      // Override: the new values take the place of the first occurrence.
      const at = parts.findIndex(isIt);
      const kept = parts.filter((p) => !isIt(p));
      next = at === -1 ? [...kept, ...added()] : [...kept.slice(0, at), ...added(), ...kept.slice(at)];
    }
  }
  return next.join('&');
}

/** encodeURIComponent, kept for the last value: values are usually constants. */
function encodeValue(value: string): string {
  if (value !== lastValue) {
    lastEncoded = encodeURIComponent(value);
    lastValue = value;
  }
  return lastEncoded;
}

let lastValue = '';
let lastEncoded = '';

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
