import { appendHeader, hasHeader, removeHeader, setHeader } from '../../policy/runtime/headers.ts';
import { targetHeaders, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';

/**
 * Adds, replaces, appends to or deletes a header of the request (inbound, backend) or of the
 * response (outbound, on-error, inside return-response). Several `<value>`s make one
 * comma-separated value, as in Azure. The action is fixed when the document is compiled: each
 * gives its own step.
 */
export const runtime: PolicyFactory = function compileSetHeader(input) {
  const nameOf = input.value('name')!;
  const fixedName = input.isExpression('name') ? undefined : input.constant('name');
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => '')) as Value[];
  const target = targetOf(input);
  const touched = target === 'request' ? 'headers' : 'response-headers';
  const joined: Value = values.length === 1 ? values[0] : (pc) => values.map((v) => v(pc)).join(',');
  const name = (pc: PolicyContext): string => fixedName ?? nameOf(pc);
  switch (action) {
    case 'delete':
      return function deleteHeader(pc) {
        removeHeader(targetHeaders(pc, target), name(pc));
        pc.touch(touched);
        return undefined;
      };
    case 'skip':
      return function addMissingHeader(pc) {
        const headers = targetHeaders(pc, target);
        const header = name(pc);
        if (!hasHeader(headers, header)) appendHeader(headers, header, joined(pc));
        pc.touch(touched);
        return undefined;
      };
    case 'append':
      return function appendHeaderValues(pc) {
        const headers = targetHeaders(pc, target);
        const header = name(pc);
        for (const v of values) appendHeader(headers, header, v(pc));
        pc.touch(touched);
        return undefined;
      };
    default:
      return function setHeaderPolicy(pc) {
        const headers = targetHeaders(pc, target);
        const header = name(pc);
        setHeader(headers, header, joined(pc));
        pc.touch(touched);
        return undefined;
      };
  }
};
