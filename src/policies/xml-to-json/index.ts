import { getHeader, setHeader } from '../../policy/runtime/headers.ts';
import { setTargetBody, targetBody, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { parseXml, type XmlElement } from './xml.ts';

/**
 * Converts an XML body to JSON: `{ "root": { "child": "text", "@attribute": "v" } }`, repeated
 * children as arrays (every child as an array with `always-array-child-elements`), text next to
 * children as `#text`. Both `kind`s produce this form. `apply="content-type-xml"` converts only
 * XML bodies; outbound, `consider-accept-header` (default true) converts only when the caller
 * accepts JSON.
 */
export const runtime: PolicyFactory = function compileXmlToJson(input) {
  const target = targetOf(input);
  const onlyXml = (input.constant('apply') ?? 'always').toLowerCase() === 'content-type-xml';
  const considerAccept = (input.constant('consider-accept-header') ?? 'true').toLowerCase() !== 'false';
  const alwaysArray = input.constant('always-array-child-elements')?.toLowerCase() === 'true';
  return async function xmlToJson(pc) {
    const headers = target === 'request' ? pc.gateway.request.headers : pc.ensureResponse().headers;
    if (onlyXml && !/xml/i.test(getHeader(headers, 'content-type') ?? '')) return undefined;
    if (target === 'response' && considerAccept && !/json/i.test(getHeader(pc.gateway.request.headers, 'accept') ?? '')) return undefined;
    const body = await targetBody(pc, target);
    let root: XmlElement;
    try {
      root = parseXml(body.toString('utf8'));
    } catch {
      return undefined;
    }
    setTargetBody(pc, target, JSON.stringify({ [root.name]: convert(root, alwaysArray) }));
    setHeader(headers, 'content-type', 'application/json');
    return undefined;
  };
};

function convert(element: XmlElement, alwaysArray: boolean): unknown {
  const attributes = Object.entries(element.attributes);
  const text = element.text.trim();
  if (element.children.length === 0 && attributes.length === 0) return text === '' ? null : text;
  const out: Record<string, unknown> = {};
  for (const [k, v] of attributes) out[`@${k}`] = v;
  for (const child of element.children) {
    const value = convert(child, alwaysArray);
    const existing = out[child.name];
    if (existing === undefined) out[child.name] = alwaysArray ? [value] : value;
    else if (Array.isArray(existing) && (alwaysArray || (existing as unknown[] & { repeated?: true }).repeated)) existing.push(value);
    else {
      const list = [existing, value] as unknown[] & { repeated?: true };
      Object.defineProperty(list, 'repeated', { value: true });
      out[child.name] = list;
    }
  }
  if (text !== '') out['#text'] = text;
  return out;
}
