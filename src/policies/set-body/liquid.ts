import type { PolicyContext } from '../../policy/runtime/context.ts';
import { getHeader } from '../../policy/runtime/headers.ts';
import type { MessageTarget } from '../../policy/runtime/target.ts';
import type { Value } from '../../policy/runtime/types.ts';

/**
 * The Liquid that Atrium's set-body runs (`template="liquid"`), parsed once when the pipeline is
 * compiled: output `{{ path | filter: arg }}`; `{% if %}`/`{% elsif %}`/`{% else %}`/`{% endif %}`
 * and `{% unless %}` with ==, !=, <, >, <=, >=, contains, and, or; `{% for x in path %}` (with
 * `forloop.index`, `forloop.first`, `forloop.last`); `{% assign x = path | filters %}`;
 * whitespace control (`{{-`, `-}}`, `{%-`, `-%}`). Paths start at `body` (the JSON or XML-less
 * body of the message) or `context` (Request: Method, Url, Headers, MatchedParameters,
 * IpAddress; Response: StatusCode, StatusReason, Headers; Variables; Subscription; User; Api;
 * Operation; Product; Deployment). Filters: Default, Upcase, Downcase, Size, Append, Prepend,
 * Replace, Strip, Json (names compare case-insensitively). Any other tag is refused when compiling.
 */

type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly value: Expression }
  | { readonly kind: 'if'; readonly branches: readonly { readonly condition: Condition | undefined; readonly body: readonly Node[] }[] }
  | { readonly kind: 'for'; readonly name: string; readonly source: Expression; readonly body: readonly Node[] }
  | { readonly kind: 'assign'; readonly name: string; readonly value: Expression };

interface Expression {
  readonly operand: Operand;
  readonly filters: readonly { readonly name: string; readonly args: readonly Operand[] }[];
}
type Operand = { readonly literal: unknown } | { readonly path: readonly string[] };
type Condition = { readonly op: 'and' | 'or'; readonly left: Condition; readonly right: Condition } | { readonly op: string; readonly left: Operand; readonly right?: Operand };

/** A case-insensitive name → value list (headers, query), iterable as `{ Key, Value }`. */
class LiquidMap {
  readonly entries: readonly (readonly [string, string])[];
  constructor(entries: readonly (readonly [string, string])[]) {
    this.entries = entries;
  }
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    const values = this.entries.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
    return values.length === 0 ? undefined : values.join(',');
  }
  items(): { Key: string; Value: string }[] {
    const seen = new Map<string, string[]>();
    for (const [k, v] of this.entries) {
      const list = seen.get(k.toLowerCase());
      if (list) list.push(v);
      else seen.set(k.toLowerCase(), [v]);
    }
    const out: { Key: string; Value: string }[] = [];
    const named = new Set<string>();
    for (const [k] of this.entries) {
      if (named.has(k.toLowerCase())) continue;
      named.add(k.toLowerCase());
      out.push({ Key: k, Value: seen.get(k.toLowerCase())!.join(',') });
    }
    return out;
  }
}

export function compileLiquid(template: string, target: MessageTarget, fail: (message: string) => never): Value {
  const tokens = tokenize(template);
  let at = 0;
  const parseNodes = (until: readonly string[]): { nodes: Node[]; end: string | undefined; rest: string } => {
    const nodes: Node[] = [];
    while (at < tokens.length) {
      const token = tokens[at++];
      if (token.kind === 'text') nodes.push({ kind: 'text', text: token.text });
      else if (token.kind === 'output') nodes.push({ kind: 'output', value: parseExpression(token.text, fail) });
      else {
        const word = token.text.trim().split(/\s+/)[0];
        const rest = token.text.trim().slice(word.length).trim();
        if (until.includes(word)) return { nodes, end: word, rest };
        switch (word) {
          case 'if':
          case 'unless': {
            const branches: { condition: Condition | undefined; body: Node[] }[] = [];
            let condition: Condition | undefined = parseCondition(rest, fail);
            if (word === 'unless') condition = { op: 'not', left: { literal: condition } };
            for (;;) {
              const part = parseNodes(['elsif', 'else', 'endif', 'endunless']);
              branches.push({ condition, body: part.nodes });
              if (part.end === 'elsif') condition = parseCondition(part.rest, fail);
              else if (part.end === 'else') condition = undefined;
              else if (part.end === 'endif' || part.end === 'endunless') break;
              else fail(`the Liquid tag '{% ${word} %}' is not closed`);
              if (part.end === 'else') {
                const last = parseNodes(['endif', 'endunless']);
                if (last.end === undefined) fail(`the Liquid tag '{% ${word} %}' is not closed`);
                branches.push({ condition: undefined, body: last.nodes });
                break;
              }
            }
            nodes.push({ kind: 'if', branches });
            break;
          }
          case 'for': {
            const m = /^(\w+)\s+in\s+(.+)$/.exec(rest);
            if (!m) fail(`'{% for ${rest} %}' is not a Liquid for tag`);
            const body = parseNodes(['endfor']);
            if (body.end === undefined) fail("the Liquid tag '{% for %}' is not closed");
            nodes.push({ kind: 'for', name: m[1], source: parseExpression(m[2], fail), body: body.nodes });
            break;
          }
          case 'assign': {
            const m = /^(\w+)\s*=\s*(.+)$/.exec(rest);
            if (!m) fail(`'{% assign ${rest} %}' is not a Liquid assign tag`);
            nodes.push({ kind: 'assign', name: m[1], value: parseExpression(m[2], fail) });
            break;
          }
          case 'comment':
            parseNodes(['endcomment']);
            break;
          default:
            fail(`the Liquid tag '{% ${word} %}' is not supported by Atrium`);
        }
      }
    }
    return { nodes, end: undefined, rest: '' };
  };
  const root = parseNodes([]).nodes;
  const readsBody = /\bbody\b/.test(template);
  return function liquid(pc) {
    let body: unknown;
    if (readsBody) {
      const raw = target === 'request' ? pc.gateway.request.body : pc.response?.body;
      const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    const scope = new Map<string, unknown>();
    scope.set('body', body);
    let context: unknown;
    scope.set('context', { lazy: () => (context ??= contextObject(pc)) });
    return render(root, scope);
  };
}

interface Token {
  readonly kind: 'text' | 'output' | 'tag';
  readonly text: string;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const re = /\{\{(-?)([\s\S]*?)(-?)\}\}|\{%(-?)([\s\S]*?)(-?)%\}/g;
  let at = 0;
  let trimNext = false;
  for (const m of template.matchAll(re)) {
    let text = template.slice(at, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    const trimBefore = (m[1] ?? m[4]) === '-';
    if (trimBefore) text = text.replace(/\s+$/, '');
    if (text !== '') tokens.push({ kind: 'text', text });
    if (m[2] !== undefined) tokens.push({ kind: 'output', text: m[2] });
    else tokens.push({ kind: 'tag', text: m[5] });
    trimNext = (m[3] ?? m[6]) === '-';
    at = m.index + m[0].length;
  }
  let tail = template.slice(at);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (tail !== '') tokens.push({ kind: 'text', text: tail });
  return tokens;
}

function splitOutside(text: string, separator: string): string[] {
  const out: string[] = [];
  let quote = '';
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      out.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  out.push(text.slice(start));
  return out;
}

function parseExpression(text: string, fail: (message: string) => never): Expression {
  const [head, ...filters] = splitOutside(text.trim(), '|');
  return {
    operand: parseOperand(head.trim(), fail),
    filters: filters.map((f) => {
      const colon = f.indexOf(':');
      const name = (colon === -1 ? f : f.slice(0, colon)).trim().toLowerCase();
      const args = colon === -1 ? [] : splitOutside(f.slice(colon + 1), ',').map((a) => parseOperand(a.trim(), fail));
      return { name, args };
    }),
  };
}

function parseOperand(text: string, fail: (message: string) => never): Operand {
  if (/^(["']).*\1$/s.test(text)) return { literal: text.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { literal: Number(text) };
  if (text === 'true' || text === 'false') return { literal: text === 'true' };
  if (text === 'nil' || text === 'null' || text === 'empty' || text === '') return { literal: null };
  const path: string[] = [];
  for (const m of text.matchAll(/([A-Za-z_$][\w$-]*)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]/g)) path.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  if (path.length === 0) fail(`'${text}' is not a Liquid value`);
  return { path };
}

function parseCondition(text: string, fail: (message: string) => never): Condition {
  const or = splitOutside(text, ' or ');
  if (or.length > 1) return or.map((t) => parseCondition(t, fail)).reduce((left, right) => ({ op: 'or', left, right }));
  const and = splitOutside(text, ' and ');
  if (and.length > 1) return and.map((t) => parseCondition(t, fail)).reduce((left, right) => ({ op: 'and', left, right }));
  const m = /^(.+?)\s*(==|!=|<>|>=|<=|>|<|\bcontains\b)\s*(.+)$/.exec(text.trim());
  if (!m) return { op: 'truthy', left: parseOperand(text.trim(), fail) };
  return { op: m[2], left: parseOperand(m[1].trim(), fail), right: parseOperand(m[3].trim(), fail) };
}

function render(nodes: readonly Node[], scope: Map<string, unknown>): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'output':
        out += show(evaluate(node.value, scope));
        break;
      case 'assign':
        scope.set(node.name, evaluate(node.value, scope));
        break;
      case 'if':
        for (const branch of node.branches) {
          if (branch.condition === undefined || test(branch.condition, scope)) {
            out += render(branch.body, scope);
            break;
          }
        }
        break;
      case 'for': {
        const items = list(evaluate(node.source, scope));
        items.forEach((item, i) => {
          scope.set(node.name, item);
          scope.set('forloop', { index: i + 1, index0: i, first: i === 0, last: i === items.length - 1, length: items.length });
          out += render(node.body, scope);
        });
        break;
      }
    }
  }
  return out;
}

function list(value: unknown): unknown[] {
  if (value instanceof LiquidMap) return value.items();
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([Key, Value]) => ({ Key, Value }));
  return [];
}

function test(condition: Condition, scope: Map<string, unknown>): boolean {
  if (condition.op === 'and') return test(condition.left as Condition, scope) && test(condition.right as Condition, scope);
  if (condition.op === 'or') return test(condition.left as Condition, scope) || test(condition.right as Condition, scope);
  if (condition.op === 'not') return !test((condition.left as { literal: Condition }).literal, scope);
  const left = operand(condition.left as Operand, scope);
  if (condition.op === 'truthy') return left !== undefined && left !== null && left !== false && left !== '';
  const right = operand(condition.right as Operand, scope);
  const l = plain(left);
  const r = plain(right);
  switch (condition.op) {
    case '==':
      return l == r || (l === undefined && r === null);
    case '!=':
    case '<>':
      return !(l == r || (l === undefined && r === null));
    case '>':
      return Number(l) > Number(r);
    case '<':
      return Number(l) < Number(r);
    case '>=':
      return Number(l) >= Number(r);
    case '<=':
      return Number(l) <= Number(r);
    case 'contains':
      return Array.isArray(l) ? l.map(String).includes(String(r)) : String(l ?? '').includes(String(r));
  }
  return false;
}

function plain(value: unknown): unknown {
  return value instanceof LiquidMap ? value.items() : value;
}

function evaluate(expression: Expression, scope: Map<string, unknown>): unknown {
  let value = operand(expression.operand, scope);
  for (const filter of expression.filters) {
    const args = filter.args.map((a) => operand(a, scope));
    const text = () => show(value);
    switch (filter.name) {
      case 'default':
        if (value === undefined || value === null || value === '' || value === false) value = args[0];
        break;
      case 'upcase':
        value = text().toUpperCase();
        break;
      case 'downcase':
        value = text().toLowerCase();
        break;
      case 'size':
        value = Array.isArray(value) ? value.length : value instanceof LiquidMap ? value.items().length : text().length;
        break;
      case 'append':
        value = text() + show(args[0]);
        break;
      case 'prepend':
        value = show(args[0]) + text();
        break;
      case 'replace':
        value = text().replaceAll(show(args[0]), show(args[1]));
        break;
      case 'strip':
        value = text().trim();
        break;
      case 'json':
        value = JSON.stringify(value instanceof LiquidMap ? Object.fromEntries(value.items().map((i) => [i.Key, i.Value])) : (value ?? null));
        break;
      default:
        break;
    }
  }
  return value;
}

function operand(op: Operand, scope: Map<string, unknown>): unknown {
  if ('literal' in op) return op.literal;
  const [head, ...rest] = op.path;
  let value: unknown = scope.get(head);
  if (head === 'context') value = (value as { lazy: () => unknown }).lazy();
  for (const segment of rest) value = member(value, segment);
  return value;
}

function member(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof LiquidMap) return name === 'size' ? value.items().length : value.get(name);
  if (Array.isArray(value)) {
    if (name === 'size') return value.length;
    if (name === 'first') return value[0];
    if (name === 'last') return value[value.length - 1];
    return value[Number(name)];
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (name in record) return typeof record[name] === 'function' ? (record[name] as () => unknown)() : record[name];
    const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : record[key];
  }
  if (typeof value === 'string' && name === 'size') return value.length;
  return undefined;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof LiquidMap) return value.items().map((i) => `${i.Key}: ${i.Value}`).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** Azure's Liquid `context`, read from the request as it is now; members are computed when read. */
function contextObject(pc: PolicyContext): Record<string, unknown> {
  const g = pc.gateway;
  const request = g.request;
  const response = pc.response;
  return {
    Request: {
      Method: request.method,
      Headers: () => new LiquidMap(pairs(request.headers)),
      Url: () => ({ Path: request.path, Query: new LiquidMap([...new URLSearchParams(request.query)]), QueryString: request.query ? `?${request.query}` : '', Host: getHeader(request.headers, 'x-forwarded-host') ?? '' }),
      OriginalUrl: () => ({ Path: request.path, Query: new LiquidMap([...new URLSearchParams(request.query)]) }),
      MatchedParameters: () => new LiquidMap(Object.entries(g.matchedParameters as Record<string, string>)),
      IpAddress: g.clientIp,
    },
    Response: response ? { StatusCode: response.status, StatusReason: response.reason, Headers: () => new LiquidMap(pairs(response.headers)) } : undefined,
    Variables: () => Object.fromEntries(pc.variables),
    Subscription: g.subscription ? { Id: g.subscription.name, Name: g.subscription.name } : undefined,
    User: g.subscription?.ownerId ? { Id: g.subscription.ownerId.split('/').pop() } : undefined,
    Api: { Id: g.api.name, Name: g.api.name, Path: g.api.pathSegments.join('/') },
    Operation: { Id: g.operation.name, Name: g.operation.name, Method: g.operation.method, UrlTemplate: g.operation.template.source },
    Deployment: { GatewayId: g.gatewayId },
  };
}
