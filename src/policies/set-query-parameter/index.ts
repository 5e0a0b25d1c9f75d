import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Adds, replaces, appends to or deletes a query parameter of the backend request. Parameters the
 * policy does not touch keep their text exactly as the client sent it.
 */
export const runtime: PolicyFactory = function compileSetQueryParameter(input) {
  const name = input.value('name')!;
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => ''));
  return function setQueryParameter(pc) {
    const request = pc.gateway.request;
    const parameter = name(pc);
    const encodedName = encodeURIComponent(parameter);
    const added = () => values.map((v) => `${encodedName}=${encodeURIComponent(v(pc))}`);
    if (request.query === '') {
      // Nothing to keep or replace: the parameter is the whole query, unless it is deleted.
      if (action === 'delete') return undefined;
      request.query = added().join('&');
      pc.touch('url');
      return undefined;
    }
    const parts = request.query.split('&');
    const isIt = (part: string): boolean => {
      const eq = part.indexOf('=');
      const raw = eq === -1 ? part : part.slice(0, eq);
      return raw === encodedName || decode(raw) === parameter;
    };
    const exists = parts.some(isIt);
    let next: string[];
    switch (action) {
      case 'delete':
        next = parts.filter((p) => !isIt(p));
        break;
      case 'skip':
        next = exists ? parts : [...parts, ...added()];
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
    request.query = next.join('&');
    pc.touch('url');
    return undefined;
  };
};

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
