import { getHeader, setHeader } from '../../policy/runtime/headers.ts';
import { setTargetBody, targetBody, targetOf } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Converts a JSON body to XML under a `<Document>` root: object members become elements, array
 * items repeat their member's element. `apply="content-type-json"` converts only JSON bodies;
 * outbound, `consider-accept-header` (default true) converts only when the caller accepts XML.
 */
export const runtime: PolicyFactory = function compileJsonToXml(input) {
  const target = targetOf(input);
  const onlyJson = (input.constant('apply') ?? 'always').toLowerCase() === 'content-type-json';
  const considerAccept = (input.constant('consider-accept-header') ?? 'true').toLowerCase() !== 'false';
  return async function jsonToXml(pc) {
    const headers = target === 'request' ? pc.gateway.request.headers : pc.ensureResponse().headers;
    if (onlyJson && !/json/i.test(getHeader(headers, 'content-type') ?? '')) return undefined;
    if (target === 'response' && considerAccept && !/xml/i.test(getHeader(pc.gateway.request.headers, 'accept') ?? '')) return undefined;
    const body = await targetBody(pc, target);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
    setTargetBody(pc, target, `<?xml version="1.0" encoding="utf-8"?>${element('Document', value)}`);
    setHeader(headers, 'content-type', 'application/xml');
    return undefined;
  };
};

function element(name: string, value: unknown): string {
  const tag = xmlName(name);
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (value === null) return `<${tag} />`;
  if (typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) inner += element(k, v);
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escape(String(value))}</${tag}>`;
}

function xmlName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
