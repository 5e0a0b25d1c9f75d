/**
 * Operation URL templates (`/items/{id}`, `/files/{*path}`, `/*`, `/search?q={q}`), compiled once
 * when the configuration changes and matched per request without allocating unless they match.
 * Literal segments compare case-insensitively, as Azure's gateway does.
 */

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'pattern'; readonly regex: RegExp; readonly names: readonly string[] };

export interface CompiledTemplate {
  readonly source: string;
  readonly segments: readonly Segment[];
  /** `{*name}` or `*` as the last segment: matches the rest of the path (possibly nothing). */
  readonly rest: { readonly name: string | undefined } | undefined;
  /** Query parameters the template names: each must be present. */
  readonly query: readonly { readonly key: string; readonly name: string | undefined; readonly literal: string | undefined }[];
  /** Orders templates from most to least specific. */
  readonly rank: number;
}

export type MatchedParameters = Record<string, string>;

const PARAM = /^\{([^{}*]+)\}$/;
const REST_PARAM = /^\{\*([^{}]*)\}$/;

/** Compiles a template; throws an Error naming the problem when it cannot be used. */
export function compileTemplate(source: string): CompiledTemplate {
  const questionMark = source.indexOf('?');
  const pathPart = questionMark === -1 ? source : source.slice(0, questionMark);
  const queryPart = questionMark === -1 ? '' : source.slice(questionMark + 1);
  const raw = splitPath(pathPart);
  const segments: Segment[] = [];
  let rest: CompiledTemplate['rest'];
  for (let i = 0; i < raw.length; i++) {
    const text = raw[i];
    const last = i === raw.length - 1;
    const restMatch = REST_PARAM.exec(text);
    if (text === '*' || restMatch) {
      if (!last) throw new Error(`'${text}' must be the last segment of the URL template '${source}'.`);
      rest = { name: restMatch ? restMatch[1] || undefined : undefined };
      break;
    }
    const param = PARAM.exec(text);
    if (param) segments.push({ kind: 'param', name: param[1] });
    else if (text.includes('{')) segments.push(compileMixed(text, source));
    else segments.push({ kind: 'literal', text: safeDecode(text).toLowerCase() });
  }
  const query: CompiledTemplate['query'][number][] = [];
  for (const pair of queryPart.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    const param = PARAM.exec(value);
    query.push({ key, name: param ? param[1] : undefined, literal: param || value === '' ? undefined : value });
  }
  let literals = 0;
  let patterns = 0;
  for (const s of segments) {
    if (s.kind === 'literal') literals++;
    else if (s.kind === 'pattern') patterns++;
  }
  // More literal segments first, then partial patterns, then more segments, then query constraints; a rest match last.
  const rank = (rest ? 0 : 1_000_000) + literals * 10_000 + patterns * 1_000 + segments.length * 10 + Math.min(query.length, 9);
  return { source, segments, rest, query, rank };
}

function compileMixed(text: string, source: string): Segment {
  const names: string[] = [];
  let pattern = '^';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open === -1) {
      pattern += escapeRegex(text.slice(i));
      break;
    }
    const close = text.indexOf('}', open);
    if (close === -1) throw new Error(`Unclosed '{' in the URL template '${source}'.`);
    pattern += escapeRegex(text.slice(i, open));
    names.push(text.slice(open + 1, close));
    pattern += '([^/]+?)';
    i = close + 1;
  }
  return { kind: 'pattern', regex: new RegExp(`${pattern}$`, 'i'), names };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Path segments without the empty ones a leading or trailing slash makes. */
export function splitPath(path: string): string[] {
  const parts = path.split('/');
  let start = 0;
  let end = parts.length;
  while (start < end && parts[start] === '') start++;
  while (end > start && parts[end - 1] === '') end--;
  return start === 0 && end === parts.length ? parts : parts.slice(start, end);
}

export function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Matches `segments` (the request path after the API's path, already split) and the query.
 * Returns the matched parameters, or undefined.
 */
export function matchTemplate(
  template: CompiledTemplate,
  segments: readonly string[],
  query: URLSearchParams | undefined,
): MatchedParameters | undefined {
  const count = template.segments.length;
  if (template.rest ? segments.length < count : segments.length !== count) return undefined;
  for (let i = 0; i < count; i++) {
    const s = template.segments[i];
    if (s.kind === 'literal' && safeDecode(segments[i]).toLowerCase() !== s.text) return undefined;
    if (s.kind === 'pattern' && !s.regex.test(segments[i])) return undefined;
  }
  for (const q of template.query) {
    const value = query?.get(q.key);
    if (value === null || value === undefined) return undefined;
    if (q.literal !== undefined && value !== q.literal) return undefined;
  }
  const params: MatchedParameters = {};
  for (let i = 0; i < count; i++) {
    const s = template.segments[i];
    if (s.kind === 'param') params[s.name] = safeDecode(segments[i]);
    else if (s.kind === 'pattern') {
      const m = s.regex.exec(segments[i])!;
      for (let j = 0; j < s.names.length; j++) params[s.names[j]] = safeDecode(m[j + 1]);
    }
  }
  if (template.rest?.name !== undefined) params[template.rest.name] = segments.slice(count).join('/');
  for (const q of template.query) if (q.name !== undefined) params[q.name] = query!.get(q.key)!;
  return params;
}
