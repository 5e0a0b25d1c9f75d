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
  // A template's `body` is the message being changed; inside return-response in inbound, the request's.
  const source = input.section === 'inbound' || input.section === 'backend' ? 'request' : target;
  const template = liquid ? literal(input.element) : '';
  const body: Value = liquid ? compileLiquid(template, source, (m) => input.fail(m)) : (input.text() ?? constantOf(literal(input.element)));
  if (liquid && /\bbody\b/.test(template)) {
    return async function setBody(pc) {
      if (source === 'request') await pc.requestBody();
      else await pc.responseBody();
      setTargetBody(pc, target, body(pc));
      return undefined;
    };
  }
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
