import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Rewrites the backend request URL (relative to the backend's base URL) from a template whose
 * `{name}` parameters take the operation's matched path and query parameters. Query parameters
 * of the original request that the template does not use are kept unless
 * `copy-unmatched-params="false"`.
 */
export const runtime: PolicyFactory = function compileRewriteUri(input) {
  const template = input.value('template')!;
  const copy = input.raw('copy-unmatched-params');
  return function rewriteUri(pc) {
    const request = pc.gateway.request;
    const original = new URLSearchParams(request.query);
    const matched = pc.gateway.matchedParameters as Record<string, string>;
    const used = new Set<string>();
    const text = template(pc).replace(/\{([^{}]+)\}/g, (_m, name: string) => {
      used.add(name.toLowerCase());
      const value = matched[name] ?? original.get(name) ?? '';
      return encodeURIComponent(value).replace(/%2F/gi, '/');
    });
    const q = text.indexOf('?');
    let path = q === -1 ? text : text.slice(0, q);
    if (!path.startsWith('/')) path = `/${path}`;
    const query = new URLSearchParams(q === -1 ? '' : text.slice(q + 1));
    const copyUnmatched = copy === undefined ? true : String(copy(pc)).toLowerCase() !== 'false';
    if (copyUnmatched) {
      for (const [name, value] of original) if (!used.has(name.toLowerCase()) && !query.has(name)) query.append(name, value);
    }
    request.path = path === '/' && text === '' ? '' : path;
    request.query = query.toString();
    pc.touch('url');
    return undefined;
  };
};
