import { modelError } from './errors.ts';

/**
 * The `$filter` subset of Azure's list operations: `eq`, `ne`, `gt`, `ge`, `lt`, `le`,
 * `startswith(f, 'x')`, `endswith(f, 'x')`, `contains(f, 'x')`, `and`, `or`, `not`, parentheses.
 * Fields are `name` or a property (`displayName`, `properties/displayName`, `a/b` for nested ones).
 * String comparisons ignore case, as Azure's do.
 */
export type FilterPredicate = (name: string, properties: Readonly<Record<string, unknown>>) => boolean;

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number }
  | { kind: 'end'; pos: number };

const MAX_FILTER_LENGTH = 2000;

export function compileFilter(source: string): FilterPredicate {
  if (source.length > MAX_FILTER_LENGTH) fail(`$filter is longer than ${MAX_FILTER_LENGTH} characters.`, 0);
  const tokens = tokenize(source);
  let i = 0;
  const peek = (): Token => tokens[i];
  const next = (): Token => tokens[i++];
  const isWord = (t: Token, word: string): boolean => t.kind === 'ident' && t.text.toLowerCase() === word;

  const parseOr = (): FilterPredicate => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      next();
      const a = left;
      const b = parseAnd();
      left = (n, p) => a(n, p) || b(n, p);
    }
    return left;
  };
  const parseAnd = (): FilterPredicate => {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      next();
      const a = left;
      const b = parseUnary();
      left = (n, p) => a(n, p) && b(n, p);
    }
    return left;
  };
  const parseUnary = (): FilterPredicate => {
    if (isWord(peek(), 'not')) {
      next();
      const inner = parseUnary();
      return (n, p) => !inner(n, p);
    }
    return parsePrimary();
  };
  const expectPunct = (text: '(' | ')' | ','): void => {
    const t = next();
    if (t.kind !== 'punct' || t.text !== text) fail(`expected '${text}'`, t.pos);
  };
  const parseLiteral = (): unknown => {
    const t = next();
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (isWord(t, 'true')) return true;
    if (isWord(t, 'false')) return false;
    if (isWord(t, 'null')) return null;
    return fail('expected a literal value', t.pos);
  };
  const parseField = (): ((name: string, properties: Readonly<Record<string, unknown>>) => unknown) => {
    const t = next();
    if (t.kind !== 'ident') return fail('expected a field name', t.pos);
    return fieldReader(t.text);
  };
  const parsePrimary = (): FilterPredicate => {
    const t = peek();
    if (t.kind === 'punct' && t.text === '(') {
      next();
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    if (t.kind === 'ident' && tokens[i + 1]?.kind === 'punct' && (tokens[i + 1] as { text: string }).text === '(') {
      const fn = t.text.toLowerCase();
      next();
      next();
      if (fn !== 'startswith' && fn !== 'endswith' && fn !== 'contains') fail(`unsupported function '${t.text}'`, t.pos);
      const field = parseField();
      expectPunct(',');
      const value = parseLiteral();
      expectPunct(')');
      if (typeof value !== 'string') fail(`${fn} needs a string`, t.pos);
      const needle = (value as string).toLowerCase();
      return (n, p) => {
        const v = field(n, p);
        if (typeof v !== 'string') return false;
        const hay = v.toLowerCase();
        return fn === 'startswith' ? hay.startsWith(needle) : fn === 'endswith' ? hay.endsWith(needle) : hay.includes(needle);
      };
    }
    const field = parseField();
    const opToken = next();
    if (opToken.kind !== 'ident') return fail('expected an operator (eq, ne, gt, ge, lt, le)', opToken.pos);
    const op = opToken.text.toLowerCase();
    const value = parseLiteral();
    const compare = comparator(op, opToken.pos);
    return (n, p) => compare(field(n, p), value);
  };

  const predicate = parseOr();
  if (peek().kind !== 'end') fail('unexpected text', peek().pos);
  return predicate;
}

function fieldReader(path: string): (name: string, properties: Readonly<Record<string, unknown>>) => unknown {
  const parts = path.split('/');
  if (parts[0] === 'properties') parts.shift();
  if (parts.length === 1 && parts[0] === 'name') return (name) => name;
  return (_name, properties) => {
    let value: unknown = properties;
    for (const part of parts) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
    }
    return value;
  };
}

function comparator(op: string, pos: number): (a: unknown, b: unknown) => boolean {
  const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v === undefined ? null : v);
  switch (op) {
    case 'eq':
      return (a, b) => norm(a) === norm(b);
    case 'ne':
      return (a, b) => norm(a) !== norm(b);
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return (a, b) => {
        const x = norm(a);
        const y = norm(b);
        if (x === null || y === null || typeof x !== typeof y) return false;
        const c = (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
        return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
      };
    default:
      return fail(`unsupported operator '${op}'`, pos);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i++;
    } else if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail('unterminated string', start);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i++];
      }
      tokens.push({ kind: 'string', value, pos: start });
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!match) fail('invalid number', i);
      tokens.push({ kind: 'number', value: Number(match![0]), pos: i });
      i += match![0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$/.]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: match[0], pos: i });
      i += match[0].length;
    } else {
      fail(`unexpected character '${c}'`, i);
    }
  }
  tokens.push({ kind: 'end', pos: source.length });
  return tokens;
}

function fail(message: string, pos: number): never {
  throw modelError('INVALID_FILTER', `Invalid $filter: ${message} at position ${pos + 1}.`, [
    { code: 'InvalidFilter', target: '$filter', message: `${message} at position ${pos + 1}` },
  ]);
}
