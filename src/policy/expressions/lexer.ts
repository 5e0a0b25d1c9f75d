// Lexer for the C# 7 subset of policy expressions. Positions are offsets into the full expression
// text (including the leading `@`), so errors can be placed in the policy document.

import { CompileError } from './errors.ts';

export type TokenKind = 'id' | 'kw' | 'int' | 'real' | 'str' | 'char' | 'interp' | 'op' | 'eof';

export interface InterpolationHole {
  tokens: Token[];
  alignment: Token[] | undefined;
  format: string | undefined;
  pos: number;
}

export interface Token {
  kind: TokenKind;
  /** Identifier/keyword/operator text, string value, or the digits of a number (without suffix). */
  value: string;
  pos: number;
  end: number;
  /** Numeric suffix, lower-cased (`u`, `l`, `ul`, `f`, `d`, `m`), or '' ; radix for integers. */
  suffix?: string;
  radix?: number;
  /** Interpolated string parts: literal strings and holes, alternating as they appear. */
  parts?: (string | InterpolationHole)[];
}

export const KEYWORDS = new Set(
  (
    'abstract as base bool break byte case catch char checked class const continue decimal default delegate do double ' +
    'else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface internal is ' +
    'lock long namespace new null object operator out override params private protected public readonly ref return ' +
    'sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint ulong unchecked ' +
    'unsafe ushort using virtual void volatile while'
  ).split(' '),
);

const OPERATORS = [
  '<<=', '??=', '=>', '==', '!=', '<=', '>=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '<<', '??', '::',
  '{', '}', '(', ')', '[', ']', '.', ',', ':', ';', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '=', '<', '>', '?',
];

const isIdStart = (c: string): boolean => /[A-Za-z_\p{L}]/u.test(c);
const isIdPart = (c: string): boolean => /[A-Za-z0-9_\p{L}\p{Nd}\p{Mn}\p{Mc}\p{Pc}]/u.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

export class Lexer {
  private readonly src: string;
  pos: number;
  private readonly end: number;

  constructor(src: string, start = 0, end = src.length) {
    this.src = src;
    this.pos = start;
    this.end = end;
  }

  private err(msg: string, pos = this.pos): never {
    throw new CompileError('EXPRESSION_SYNTAX', msg, pos);
  }

  private skipTrivia(): void {
    const s = this.src;
    while (this.pos < this.end) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
        this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '/') {
        while (this.pos < this.end && s[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0 || close + 2 > this.end) this.err('Unterminated comment');
        this.pos = close + 2;
      } else if (c === '#' && this.atLineStart()) {
        this.err('Preprocessor directives are not allowed in policy expressions');
      } else break;
    }
  }

  private atLineStart(): boolean {
    for (let i = this.pos - 1; i >= 0; i--) {
      const c = this.src[i];
      if (c === '\n') return true;
      if (c !== ' ' && c !== '\t') return false;
    }
    return true;
  }

  /** Lexes everything up to `end`. */
  all(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      out.push(t);
      if (t.kind === 'eof') return out;
    }
  }

  next(): Token {
    this.skipTrivia();
    const s = this.src;
    const start = this.pos;
    if (this.pos >= this.end) return { kind: 'eof', value: '', pos: start, end: start };
    const c = s[this.pos];
    const c1 = s[this.pos + 1];

    // interpolated and verbatim strings
    if (c === '$' && c1 === '"') return this.interpolated(start, this.pos + 2, false);
    if ((c === '$' && c1 === '@' && s[this.pos + 2] === '"') || (c === '@' && c1 === '$' && s[this.pos + 2] === '"'))
      return this.interpolated(start, this.pos + 3, true);
    if (c === '@' && c1 === '"') return this.verbatim(start);
    if (c === '@' && c1 !== undefined && isIdStart(c1)) {
      // @identifier: an identifier that may be a keyword
      this.pos++;
      const t = this.identifier();
      return { kind: 'id', value: t, pos: start, end: this.pos };
    }
    if (c === '"') return this.regularString(start);
    if (c === "'") return this.charLiteral(start);
    if (isDigit(c) || (c === '.' && c1 !== undefined && isDigit(c1))) return this.number(start);
    if (isIdStart(c) || c === '\\') {
      const name = this.identifier();
      return { kind: KEYWORDS.has(name) ? 'kw' : 'id', value: name, pos: start, end: this.pos };
    }
    if (c === '{' && c1 === '{') {
      const close = s.indexOf('}}', this.pos);
      const name = close > 0 ? s.slice(this.pos + 2, close) : '';
      if (close > 0 && /^[A-Za-z_][\w.\- ]*$/.test(name))
        throw new CompileError(
          'EXPRESSION_NAMED_VALUE',
          `Named value {{${name}}} must be substituted before the expression is compiled`,
          start,
        );
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, this.pos) && this.pos + op.length <= this.end) {
        this.pos += op.length;
        return { kind: 'op', value: op, pos: start, end: this.pos };
      }
    }
    this.err(`Unexpected character '${c}'`);
  }

  private identifier(): string {
    const s = this.src;
    let out = '';
    while (this.pos < this.end) {
      const c = s[this.pos];
      if (c === '\\' && s[this.pos + 1] === 'u') {
        const hex = s.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.err('Invalid unicode escape in identifier');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (isIdPart(c)) {
        out += c;
        this.pos++;
      } else break;
    }
    if (out === '') this.err('Identifier expected');
    return out;
  }

  private number(start: number): Token {
    const s = this.src;
    let digits = '';
    let radix = 10;
    let real = false;
    const take = (re: RegExp): string => {
      let out = '';
      while (this.pos < this.end && (re.test(s[this.pos]) || (s[this.pos] === '_' && out !== ''))) {
        if (s[this.pos] !== '_') out += s[this.pos];
        this.pos++;
      }
      return out;
    };
    if (s[this.pos] === '0' && (s[this.pos + 1] === 'x' || s[this.pos + 1] === 'X')) {
      this.pos += 2;
      digits = take(/[0-9a-fA-F]/);
      radix = 16;
      if (!digits) this.err('Invalid hexadecimal literal', start);
    } else if (s[this.pos] === '0' && (s[this.pos + 1] === 'b' || s[this.pos + 1] === 'B')) {
      this.pos += 2;
      digits = take(/[01]/);
      radix = 2;
      if (!digits) this.err('Invalid binary literal', start);
    } else {
      digits = take(/[0-9]/);
      if (s[this.pos] === '.' && isDigit(s[this.pos + 1] ?? '')) {
        this.pos++;
        digits += '.' + take(/[0-9]/);
        real = true;
      }
      if (s[this.pos] === 'e' || s[this.pos] === 'E') {
        let p = this.pos + 1;
        let exp = 'e';
        if (s[p] === '+' || s[p] === '-') exp += s[p++];
        if (isDigit(s[p] ?? '')) {
          this.pos = p;
          digits += exp + take(/[0-9]/);
          real = true;
        }
      }
    }
    let suffix = '';
    const sc = (s[this.pos] ?? '').toLowerCase();
    if (radix === 10 && (sc === 'f' || sc === 'd' || sc === 'm')) {
      suffix = sc;
      this.pos++;
      real = true;
    } else if (sc === 'u' || sc === 'l') {
      suffix = sc;
      this.pos++;
      const sc2 = (s[this.pos] ?? '').toLowerCase();
      if ((sc2 === 'u' || sc2 === 'l') && sc2 !== sc) {
        suffix = 'ul';
        this.pos++;
      }
      if (real) this.err('Invalid suffix on a real literal', start);
    }
    if (this.pos < this.end && isIdPart(s[this.pos])) this.err('Invalid numeric literal', start);
    return { kind: real ? 'real' : 'int', value: digits, pos: start, end: this.pos, suffix, radix };
  }

  private escape(): string {
    const s = this.src;
    const e = s[this.pos + 1];
    const at = this.pos;
    this.pos += 2;
    switch (e) {
      case "'": return "'";
      case '"': return '"';
      case '\\': return '\\';
      case '0': return '\0';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'v': return '\v';
      case 'u': {
        const hex = s.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.err('Unrecognized escape sequence', at);
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case 'U': {
        const hex = s.slice(this.pos, this.pos + 8);
        if (!/^[0-9a-fA-F]{8}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.err('Unrecognized escape sequence', at);
        this.pos += 8;
        return String.fromCodePoint(parseInt(hex, 16));
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{1,4}/.exec(s.slice(this.pos, this.pos + 4));
        if (!m) this.err('Unrecognized escape sequence', at);
        this.pos += m[0].length;
        return String.fromCharCode(parseInt(m[0], 16));
      }
      default:
        this.err('Unrecognized escape sequence', at);
    }
  }

  private regularString(start: number): Token {
    const s = this.src;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.end || s[this.pos] === '\n') this.err('Newline in constant', start);
      const c = s[this.pos];
      if (c === '"') break;
      if (c === '\\') out += this.escape();
      else {
        out += c;
        this.pos++;
      }
    }
    this.pos++;
    return { kind: 'str', value: out, pos: start, end: this.pos };
  }

  private verbatim(start: number): Token {
    const s = this.src;
    this.pos += 2;
    let out = '';
    for (;;) {
      if (this.pos >= this.end) this.err('Unterminated string literal', start);
      const c = s[this.pos];
      if (c === '"') {
        if (s[this.pos + 1] === '"') {
          out += '"';
          this.pos += 2;
          continue;
        }
        break;
      }
      out += c;
      this.pos++;
    }
    this.pos++;
    return { kind: 'str', value: out, pos: start, end: this.pos };
  }

  private charLiteral(start: number): Token {
    const s = this.src;
    this.pos++;
    let v: string;
    if (s[this.pos] === '\\') v = this.escape();
    else {
      v = s[this.pos] ?? '';
      this.pos++;
    }
    if (v.length !== 1 || s[this.pos] !== "'" || v === '\n') this.err('Invalid character literal', start);
    this.pos++;
    return { kind: 'char', value: v, pos: start, end: this.pos };
  }

  private interpolated(start: number, bodyStart: number, verbatim: boolean): Token {
    const s = this.src;
    this.pos = bodyStart;
    const parts: (string | InterpolationHole)[] = [];
    let lit = '';
    for (;;) {
      if (this.pos >= this.end) this.err('Unterminated interpolated string', start);
      const c = s[this.pos];
      if (c === '"') {
        if (verbatim && s[this.pos + 1] === '"') {
          lit += '"';
          this.pos += 2;
          continue;
        }
        this.pos++;
        break;
      }
      if (!verbatim && c === '\n') this.err('Newline in constant', start);
      if (c === '{') {
        if (s[this.pos + 1] === '{') {
          lit += '{';
          this.pos += 2;
          continue;
        }
        if (lit) parts.push(lit);
        lit = '';
        parts.push(this.hole());
        continue;
      }
      if (c === '}') {
        if (s[this.pos + 1] === '}') {
          lit += '}';
          this.pos += 2;
          continue;
        }
        this.err("A '}' character must be escaped (by doubling) in an interpolated string", this.pos);
      }
      if (!verbatim && c === '\\') {
        lit += this.escape();
        continue;
      }
      lit += c;
      this.pos++;
    }
    if (lit || parts.length === 0) parts.push(lit);
    return { kind: 'interp', value: '', pos: start, end: this.pos, parts };
  }

  /** Lexes `{ expr [, alignment] [: format] }` starting at the `{`. */
  private hole(): InterpolationHole {
    const holeStart = this.pos;
    this.pos++;
    const tokens: Token[] = [];
    let alignment: Token[] | undefined;
    let format: string | undefined;
    let depth = 0;
    let target = tokens;
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') this.err('Unterminated interpolation hole', holeStart);
      if (t.kind === 'op') {
        if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
        else if (t.value === ')' || t.value === ']') depth--;
        else if (t.value === '}') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && t.value === ',' && alignment === undefined) {
          alignment = [];
          target = alignment;
          continue;
        } else if (depth === 0 && (t.value === ':' || t.value === '::')) {
          // the format runs, raw, up to the closing brace
          const close = this.src.indexOf('}', t.pos + 1);
          if (close < 0 || close >= this.end) this.err('Unterminated interpolation hole', holeStart);
          format = this.src.slice(t.pos + 1, close);
          this.pos = close + 1;
          break;
        }
      }
      target.push(t);
    }
    const endTok: Token = { kind: 'eof', value: '', pos: this.pos - 1, end: this.pos - 1 };
    tokens.push(endTok);
    if (alignment) alignment.push(endTok);
    if (tokens.length === 1) this.err('Empty expression in interpolation hole', holeStart);
    return { tokens, alignment, format, pos: holeStart };
  }
}

/**
 * Finds the end (exclusive) of an expression that starts with `@(` or `@{` at `start`, skipping
 * strings, chars and comments the way C# does. Returns -1 when the brackets never close.
 */
export function scanExpressionEnd(text: string, start: number): number {
  const open = text[start + 1];
  if (text[start] !== '@' || (open !== '(' && open !== '{')) return -1;
  const lx = new Lexer(text, start + 1);
  let depth = 0;
  try {
    for (;;) {
      const t = lx.next();
      if (t.kind === 'eof') return -1;
      if (t.kind !== 'op') continue;
      if (t.value === '(' || t.value === '{' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === '}' || t.value === ']') {
        depth--;
        if (depth === 0) return t.end;
      }
    }
  } catch {
    return -1;
  }
}
