import { getHeader } from '../../policy/runtime/headers.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import type { MessageTarget } from '../../policy/runtime/target.ts';
import type { Value } from '../../policy/runtime/types.ts';

/**
 * The part of Liquid that Atrium's set-body runs: output tags `{{ path }}` over `body.…` (the
 * JSON body of the message), `context.Request.Headers["name"]`, `context.Request.MatchedParameters["name"]`,
 * `context.Request.Url.Query["name"]`, `context.Variables["name"]`, `context.Request.Method`,
 * with the `Default: "x"` filter. Control tags (`{% … %}`) are rejected when the pipeline is
 * compiled, with a message naming the tag. The template is split once; a request only walks paths.
 */
type Part = string | ((pc: PolicyContext, json: unknown) => string);

export function compileLiquid(template: string, target: MessageTarget, fail: (message: string) => never): Value {
  const tag = /\{%\s*(\w+)/.exec(template);
  if (tag) fail(`the Liquid tag '{% ${tag[1]} %}' is not supported by Atrium (only output tags {{ … }} are)`);
  const parts: Part[] = [];
  let readsBody = false;
  let at = 0;
  for (const m of template.matchAll(/\{\{(.*?)\}\}/gs)) {
    if (m.index > at) parts.push(template.slice(at, m.index));
    at = m.index + m[0].length;
    const [expression, ...filters] = m[1].split('|').map((s) => s.trim());
    const fallback = filters.map((f) => /^default\s*:\s*["']?(.*?)["']?$/i.exec(f)?.[1]).find((v) => v !== undefined);
    const path = splitPath(expression);
    if (path[0] === 'body') readsBody = true;
    parts.push((pc, json) => {
      const v = resolve(pc, json, path, target);
      return v === undefined || v === null || v === '' ? (fallback ?? '') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (at < template.length) parts.push(template.slice(at));
  return function liquid(pc) {
    let json: unknown;
    if (readsBody) {
      const body = target === 'request' ? pc.gateway.request.body : pc.response?.body;
      const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(pc, json);
    return out;
  };
}

function splitPath(expression: string): string[] {
  const out: string[] = [];
  for (const m of expression.matchAll(/([A-Za-z_$][\w$-]*)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]/g)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

function resolve(pc: PolicyContext, json: unknown, path: readonly string[], target: MessageTarget): unknown {
  if (path[0] === 'body') return walk(json, path, 1);
  if (path[0] !== 'context') return undefined;
  const request = pc.gateway.request;
  const [, a, b, c] = path;
  if (a === 'Variables') return walk(pc.variables.get(b), path, 3);
  if (a === 'Request' && b === 'Method') return request.method;
  if (a === 'Request' && b === 'Headers') return c === undefined ? undefined : getHeader(request.headers, c);
  if (a === 'Request' && b === 'MatchedParameters') return c === undefined ? undefined : (pc.gateway.matchedParameters as Record<string, string>)[c];
  if (a === 'Request' && b === 'Url' && c === 'Query') return new URLSearchParams(request.query).get(path[4] ?? '') ?? undefined;
  if (a === 'Response' && b === 'StatusCode') return pc.response?.status;
  if (a === 'Response' && b === 'Headers') return c === undefined ? undefined : getHeader(pc.response?.headers ?? [], c);
  void target;
  return undefined;
}

function walk(value: unknown, path: readonly string[], from: number): unknown {
  let v = value;
  for (let i = from; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[path[i]];
  }
  return v;
}
