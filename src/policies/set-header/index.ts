import { appendHeader, hasHeader, removeHeader, setHeader } from '../../policy/runtime/headers.ts';
import { targetHeaders, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import type { PolicyFactory, StepRun, Value } from '../../policy/runtime/types.ts';

/**
 * Adds, replaces, appends to or deletes a header of the request (inbound, backend) or of the
 * response (outbound, on-error, inside return-response). Several `<value>`s make one
 * comma-separated value, as in Azure. The action is chosen when the document is compiled.
 */
export const runtime: PolicyFactory = function compileSetHeader(input) {
  const nameOf = input.value('name')!;
  const fixedName = input.isExpression('name') ? undefined : input.constant('name');
  const action = (input.constant('exists-action') ?? 'override').toLowerCase();
  const values = input.children('value').map((v) => input.text(v) ?? (() => '')) as Value[];
  const target = targetOf(input);
  const touched = target === 'request' ? 'headers' : 'response-headers';
  const joined: Value = values.length === 1 ? values[0] : (pc) => values.map((v) => v(pc)).join(',');
  /** A step that applies `edit` to the target's headers under the header's name. */
  const headerStep = (edit: (headers: string[], header: string, pc: PolicyContext) => void): StepRun =>
    function setHeaderPolicy(pc) {
      edit(targetHeaders(pc, target), fixedName ?? nameOf(pc), pc);
      pc.touch(touched);
      return undefined;
    };
  switch (action) {
    case 'delete':
      return headerStep((headers, header) => removeHeader(headers, header));
    case 'skip':
      return headerStep((headers, header, pc) => {
        if (!hasHeader(headers, header)) appendHeader(headers, header, joined(pc));
      });
    case 'append':
      return headerStep((headers, header, pc) => {
        for (const v of values) appendHeader(headers, header, v(pc));
      });
    default:
      return headerStep((headers, header, pc) => setHeader(headers, header, joined(pc)));
  }
};
