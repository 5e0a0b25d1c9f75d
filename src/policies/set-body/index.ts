import { serializePolicyDocument } from '../../policy/document/serializer.ts';
import { elementText, type PolicyElement } from '../../policy/document/tree.ts';
import { setTargetBody, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';
import { compileLiquid } from './liquid.ts';

/**
 * Sets the body of the request (inbound, backend) or of the response (outbound, on-error,
 * inside return-response): literal text, literal markup, a policy expression, or a Liquid
 * template (`template="liquid"`, Atrium runs its output tags; see liquid.ts).
 */
export const runtime: PolicyFactory = function compileSetBody(input) {
  const target = targetOf(input);
  const liquid = (input.constant('template') ?? 'none').toLowerCase() === 'liquid';
  const body: Value = liquid ? compileLiquid(literal(input.element), target, (m) => input.fail(m)) : (input.text() ?? constantOf(literal(input.element)));
  return function setBody(pc) {
    setTargetBody(pc, target, body(pc));
    return undefined;
  };
};

function literal(element: PolicyElement): string {
  if (element.children.every((c) => c.type === 'text')) return elementText(element);
  return element.children
    .map((c) => (c.type === 'text' ? c.value : serializePolicyDocument(c, { format: 'xml', indent: '', revealSecrets: true }).replace(/\n/g, '')))
    .join('');
}

function constantOf(text: string): Value {
  return () => text;
}
