import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Adds, replaces, appends to or deletes a query parameter of the backend request. */
export const runtime: PolicyFactory = function compileSetQueryParameter(input) {
  const name = input.value('name')!;
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => ''));
  return function setQueryParameter(pc) {
    const request = pc.gateway.request;
    const query = new URLSearchParams(request.query);
    const parameter = name(pc);
    switch (action) {
      case 'delete':
        query.delete(parameter);
        break;
      case 'skip':
        if (!query.has(parameter)) for (const v of values) query.append(parameter, v(pc));
        break;
      case 'append':
        for (const v of values) query.append(parameter, v(pc));
        break;
      default:
        query.delete(parameter);
        for (const v of values) query.append(parameter, v(pc));
    }
    request.query = query.toString();
    pc.touch();
    return undefined;
  };
};
