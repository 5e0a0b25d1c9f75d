/**
 * Finds where a policy expression ends. Expressions `@(…)` and `@{…}` are C# and may contain
 * `"`, `<`, `>`, `&` and quotes unescaped (Azure's `rawxml` format), so an XML tokenizer cannot
 * see their end; this scanner can, by tracking balanced brackets through C# string, char,
 * verbatim and interpolated literals and comments. It does not check the C# itself — the
 * expression compiler does.
 */

/** Thrown with the offset (into the scanned string) of the construct that is not closed. */
export class ExpressionScanError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ExpressionScanError';
    this.offset = offset;
  }
}

export interface ExpressionScan {
  /** The expression text from `@` to the closing bracket, with entities decoded when asked. */
  readonly text: string;
  /** Offset just after the closing bracket. */
  readonly end: number;
  readonly kind: 'inline' | 'block';
}

const entityPattern = /&(?:(quot|amp|lt|gt|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const namedEntities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/**
 * Reads one XML character reference or predefined entity at `offset`, if there is one.
 * Returns the decoded text and the length of the reference.
 */
export function readEntity(source: string, offset: number): { text: string; length: number } | undefined {
  entityPattern.lastIndex = offset;
  const m = entityPattern.exec(source);
  if (!m) return undefined;
  let text: string;
  if (m[1] !== undefined) text = namedEntities[m[1]];
  else {
    const code = m[2] !== undefined ? Number.parseInt(m[2], 10) : Number.parseInt(m[3], 16);
    if (code > 0x10ffff || code === 0) return undefined;
    text = String.fromCodePoint(code);
  }
  return { text, length: m[0].length };
}

/** True when `source` has `@(` or `@{` at `offset`. */
export function startsExpression(source: string, offset: number): boolean {
  return source.charCodeAt(offset) === 64 /* @ */ && (source[offset + 1] === '(' || source[offset + 1] === '{');
}

const closerOf: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class Scanner {
  private readonly source: string;
  private readonly decode: boolean;
  private index: number;
  private text = '';
  /** [start, end) offsets of text that is not code: literals, interpolated text outside holes, comments. */
  readonly literals: [number, number][] = [];

  constructor(source: string, start: number, decode: boolean) {
    this.source = source;
    this.index = start;
    this.decode = decode;
  }

  get offset(): number {
    return this.index;
  }

  get result(): string {
    return this.text;
  }

  /** The decoded character `ahead` characters from here, without consuming it. */
  peek(ahead = 0): string | undefined {
    let i = this.index;
    for (let n = 0; ; n++) {
      if (i >= this.source.length) return undefined;
      const [ch, length] = this.charAt(i);
      if (n === ahead) return ch;
      i += length;
    }
  }

  next(): string | undefined {
    if (this.index >= this.source.length) return undefined;
    const [ch, length] = this.charAt(this.index);
    this.index += length;
    this.text += ch;
    return ch;
  }

  private charAt(i: number): [string, number] {
    const ch = this.source[i];
    if (ch === '&' && this.decode) {
      const entity = readEntity(this.source, i);
      if (entity) return [entity.text, entity.length];
    }
    return [ch, 1];
  }

  /** Scans code up to and including `closer`, which matches the bracket opened at `openOffset`. */
  code(closer: string, openOffset: number): void {
    const stack: { closer: string; offset: number }[] = [{ closer, offset: openOffset }];
    while (stack.length > 0) {
      const at = this.index;
      const ch = this.next();
      if (ch === undefined) {
        const open = stack[stack.length - 1];
        throw new ExpressionScanError(`'${openerOf(open.closer)}' is never closed`, open.offset);
      }
      switch (ch) {
        case '(':
        case '[':
        case '{':
          stack.push({ closer: closerOf[ch], offset: at });
          break;
        case ')':
        case ']':
        case '}': {
          const open = stack[stack.length - 1];
          if (open.closer !== ch) {
            throw new ExpressionScanError(`unexpected '${ch}': '${openerOf(open.closer)}' is still open`, at);
          }
          stack.pop();
          break;
        }
        case '"':
          this.string(at);
          break;
        case "'":
          this.char(at);
          break;
        case '@':
          if (this.peek() === '"') {
            this.next();
            this.verbatim(at);
          } else if (this.peek() === '$' && this.peek(1) === '"') {
            this.next();
            this.next();
            this.interpolated(true, at);
          }
          break;
        case '$':
          if (this.peek() === '"') {
            this.next();
            this.interpolated(false, at);
          } else if (this.peek() === '@' && this.peek(1) === '"') {
            this.next();
            this.next();
            this.interpolated(true, at);
          }
          break;
        case '/':
          if (this.peek() === '/') {
            while (this.peek() !== undefined && this.peek() !== '\n') this.next();
            this.literals.push([at, this.index]);
          } else if (this.peek() === '*') {
            this.next();
            for (;;) {
              const c = this.next();
              if (c === undefined) throw new ExpressionScanError('comment is never closed', at);
              if (c === '*' && this.peek() === '/') {
                this.next();
                break;
              }
            }
            this.literals.push([at, this.index]);
          }
          break;
      }
    }
  }

  private string(start: number): void {
    for (;;) {
      const c = this.next();
      if (c === undefined || c === '\n' || c === '\r') throw new ExpressionScanError('string literal is never closed', start);
      if (c === '\\') this.next();
      else if (c === '"') return void this.literals.push([start, this.index]);
    }
  }

  private char(start: number): void {
    for (;;) {
      const c = this.next();
      if (c === undefined || c === '\n' || c === '\r') throw new ExpressionScanError('character literal is never closed', start);
      if (c === '\\') this.next();
      else if (c === "'") return void this.literals.push([start, this.index]);
    }
  }

  private verbatim(start: number): void {
    for (;;) {
      const c = this.next();
      if (c === undefined) throw new ExpressionScanError('verbatim string literal is never closed', start);
      if (c === '"') {
        if (this.peek() === '"') this.next();
        else return void this.literals.push([start, this.index]);
      }
    }
  }

  private interpolated(verbatim: boolean, start: number): void {
    let segment = start;
    for (;;) {
      const at = this.index;
      const c = this.next();
      if (c === undefined || (!verbatim && (c === '\n' || c === '\r'))) {
        throw new ExpressionScanError('interpolated string literal is never closed', start);
      }
      if (c === '\\' && !verbatim) this.next();
      else if (c === '"') {
        if (verbatim && this.peek() === '"') this.next();
        else return void this.literals.push([segment, this.index]);
      } else if (c === '{') {
        if (this.peek() === '{') this.next();
        else {
          this.literals.push([segment, at]);
          this.code('}', at);
          segment = this.index;
        }
      } else if (c === '}' && this.peek() === '}') this.next();
    }
  }
}

function openerOf(closer: string): string {
  return closer === ')' ? '(' : closer === ']' ? '[' : '{';
}

/**
 * Scans the expression whose `@` is at `start`. With `decodeEntities`, XML entity and character
 * references are read as the characters they stand for (so `&quot;`-escaped strings are seen as
 * strings) and decoded in the returned text.
 */
/**
 * The [start, end) ranges of `expression` (an expression's text, `@(…)`/`@{…}`) that are not
 * code: string and character literals, the text of interpolated strings outside their holes,
 * and comments. Empty when the expression does not scan.
 */
export function literalRanges(expression: string): readonly (readonly [number, number])[] {
  if (!startsExpression(expression, 0)) return [];
  const scanner = new Scanner(expression, 0, false);
  scanner.next();
  const open = scanner.next() as string;
  try {
    scanner.code(closerOf[open], 1);
  } catch (error) {
    if (error instanceof ExpressionScanError) return [];
    throw error;
  }
  return scanner.literals;
}

export function scanExpression(source: string, start: number, options: { decodeEntities: boolean }): ExpressionScan {
  if (!startsExpression(source, start)) throw new ExpressionScanError('expected @( or @{', start);
  const scanner = new Scanner(source, start, options.decodeEntities);
  scanner.next();
  const open = scanner.next() as string;
  scanner.code(closerOf[open], start + 1);
  return { text: scanner.result, end: scanner.offset, kind: open === '(' ? 'inline' : 'block' };
}
