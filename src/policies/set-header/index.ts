import { appendHeader, hasHeader, removeHeader, setHeader } from '../../policy/runtime/headers.ts';
import { targetHeaders, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';

/**
 * Adds, replaces, appends to or deletes a header of the request (inbound, backend) or of the
 * response (outbound, on-error, inside return-response). Several `<value>`s make one
 * comma-separated value, as in Azure.
 */
export const runtime: PolicyFactory = function compileSetHeader(input) {
  const name = input.value('name')!;
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => '')) as Value[];
  const target = targetOf(input);
  const joined = (pc: Parameters<Value>[0]): string => (values.length === 1 ? values[0](pc) : values.map((v) => v(pc)).join(','));
  return function setHeaderPolicy(pc) {
    const headers = targetHeaders(pc, target);
    const header = name(pc);
    switch (action) {
      case 'delete':
        removeHeader(headers, header);
        break;
      case 'skip':
        if (!hasHeader(headers, header)) appendHeader(headers, header, joined(pc));
        break;
      case 'append':
        for (const v of values) appendHeader(headers, header, v(pc));
        break;
      default:
        setHeader(headers, header, joined(pc));
    }
    pc.touch(target === 'request' ? 'headers' : 'response-headers');
    return undefined;
  };
};
