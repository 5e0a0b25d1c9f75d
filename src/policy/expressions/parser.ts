// Recursive-descent parser for the C# 7 subset: expressions with C# precedence, and the statements
// allowed inside `@{ ... }`.

import type { Arg, CaseLabel, CatchClause, Expr, Initializer, InterpPart, LiteralType, Stmt, SwitchSection, TypeNode } from './ast.ts';
import { CompileError } from './errors.ts';
import { Lexer, type Token } from './lexer.ts';

export const PREDEFINED_TYPES = new Set([
  'bool', 'byte', 'sbyte', 'char', 'decimal', 'double', 'float', 'int', 'uint', 'long', 'ulong', 'short', 'ushort',
  'object', 'string', 'void',
]);

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '??=']);

/** Tokens after a `>` that make `name<...>` a generic name rather than a comparison. */
const AFTER_TYPE_ARGS = new Set(['(', ')', ']', '}', ':', ';', ',', '.', '?', '==', '!=', '|', '^', '&&', '||', '&', '[']);

export class Parser {
  private toks: Token[];
  private i = 0;

  constructor(tokens: Token[]) {
    this.toks = tokens;
  }

  static fromText(text: string, start: number, end: number): Parser {
    return new Parser(new Lexer(text, start, end).all());
  }

  // ---- token helpers
  private get t(): Token {
    return this.toks[this.i];
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)];
  }
  private is(value: string, tok = this.t): boolean {
    return (tok.kind === 'op' || tok.kind === 'kw') && tok.value === value;
  }
  private isId(tok = this.t, name?: string): boolean {
    return tok.kind === 'id' && (name === undefined || tok.value === name);
  }
  private eat(value: string): boolean {
    if (this.is(value)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(value: string): Token {
    if (!this.is(value)) this.fail(`'${value}' expected`);
    return this.toks[this.i++];
  }
  private ident(): string {
    if (this.t.kind !== 'id') this.fail('Identifier expected');
    return this.toks[this.i++].value;
  }
  fail(msg: string, tok = this.t): never {
    const found = tok.kind === 'eof' ? 'end of expression' : `'${this.describe(tok)}'`;
    throw new CompileError('EXPRESSION_SYNTAX', `${msg}, found ${found}`, tok.pos);
  }
  private describe(tok: Token): string {
    if (tok.kind === 'str') return JSON.stringify(tok.value);
    if (tok.kind === 'interp') return '$"..."';
    return tok.value;
  }
  atEnd(): boolean {
    return this.t.kind === 'eof';
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail('Unexpected token');
  }
  /** Two tokens are adjacent (no whitespace between them): `>>`, `?.`. */
  private adjacent(a: Token, b: Token): boolean {
    return a.end === b.pos;
  }

  // ---- types
  /** Parses a type, or returns null (restoring the position) when the tokens do not form one. */
  tryType(allowNullable = true): TypeNode | null {
    const save = this.i;
    try {
      return this.type(allowNullable);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      this.i = save;
      return null;
    }
  }

  type(allowNullable = true): TypeNode {
    const pos = this.t.pos;
    let name: string;
    let args: TypeNode[] = [];
    if (this.is('(')) {
      // tuple type (T1 a, T2 b, ...)
      this.i++;
      const names: (string | null)[] = [];
      do {
        args.push(this.type());
        names.push(this.t.kind === 'id' ? this.ident() : null);
      } while (this.eat(','));
      this.expect(')');
      if (args.length < 2) this.fail('A tuple type must have at least two elements');
      let nullable = false;
      if (allowNullable && this.is('?') && !this.startsExpressionAfterQuestion()) {
        this.i++;
        nullable = true;
      }
      const ranks: number[] = [];
      while (this.is('[') && this.is(']', this.peek())) {
        this.i += 2;
        ranks.push(1);
      }
      return { name: '(tuple)', args, ranks, nullable, pos, names };
    }
    if (this.t.kind === 'kw' && PREDEFINED_TYPES.has(this.t.value)) {
      name = this.t.value;
      this.i++;
    } else if (this.t.kind === 'id') {
      name = this.ident();
      if (this.is('::')) {
        this.i++;
        name = this.ident(); // global::X
      }
      for (;;) {
        if (this.is('<')) args = this.typeArgs();
        if (this.is('.') && this.peek().kind === 'id') {
          if (args.length) this.fail('Nested generic type names are not supported');
          this.i++;
          name += '.' + this.ident();
          continue;
        }
        break;
      }
    } else this.fail('Type expected');
    let nullable = false;
    if (allowNullable && this.is('?') && !this.startsExpressionAfterQuestion()) {
      this.i++;
      nullable = true;
    }
    const ranks: number[] = [];
    while (this.is('[') && (this.is(']', this.peek()) || this.is(',', this.peek()))) {
      this.i++;
      let rank = 1;
      while (this.eat(',')) rank++;
      this.expect(']');
      ranks.push(rank);
    }
    return { name, args, ranks, nullable, pos };
  }

  /** After `T?`: true when the `?` is rather the start of a conditional expression. */
  private startsExpressionAfterQuestion(): boolean {
    const n = this.peek();
    if (n.kind === 'eof') return false;
    if (n.kind === 'op') return n.value === '(' || n.value === '!' || n.value === '-' || n.value === '$';
    if (n.kind === 'id') {
      // `T? x` (declaration) vs `c ? x : y`
      const n2 = this.peek(2);
      if (n2.kind === 'eof') return false;
      return !(this.is('=', n2) || this.is(';', n2) || this.is(',', n2) || this.is(')', n2) || (n2.kind === 'kw' && n2.value === 'in'));
    }
    return n.kind !== 'kw' || !PREDEFINED_TYPES.has(n.value);
  }

  private typeArgs(): TypeNode[] {
    this.expect('<');
    const args: TypeNode[] = [];
    do args.push(this.type());
    while (this.eat(','));
    this.expect('>');
    return args;
  }

  /** Tries `<T, U>` and keeps it only when a token that may follow type arguments comes next. */
  private tryTypeArgs(): TypeNode[] | null {
    const save = this.i;
    try {
      const args = this.typeArgs();
      if (this.t.kind === 'eof' || (this.t.kind === 'op' && AFTER_TYPE_ARGS.has(this.t.value))) return args;
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
    }
    this.i = save;
    return null;
  }

  // ---- expressions
  expression(): Expr {
    return this.assignment();
  }

  private assignment(): Expr {
    const lam = this.tryLambda();
    if (lam) return lam;
    const query = this.tryQuery();
    if (query) return query;
    const left = this.conditional();
    let op: string | undefined;
    if (this.t.kind === 'op' && ASSIGN_OPS.has(this.t.value)) op = this.t.value;
    else if (this.is('>') && this.is('>=', this.peek()) && this.adjacent(this.t, this.peek())) {
      op = '>>=';
      this.i++;
    }
    if (op) {
      const pos = this.t.pos;
      this.i++;
      if (left.k !== 'name' && left.k !== 'member' && left.k !== 'index' && !(left.k === 'tuple' && op === '='))
        throw new CompileError('EXPRESSION_SYNTAX', 'The left-hand side of an assignment must be a variable, property or indexer', left.pos);
      const value = this.assignment();
      return { k: 'assign', pos, op, target: left, value };
    }
    return left;
  }

  private tryLambda(): Expr | null {
    const pos = this.t.pos;
    if (this.t.kind === 'id' && this.is('=>', this.peek())) {
      const name = this.ident();
      this.i++;
      return { k: 'lambda', pos, params: [{ name, type: null }], body: this.lambdaBody() };
    }
    if (!this.is('(')) return null;
    // find the matching paren and check for =>
    let depth = 0;
    let j = this.i;
    for (; j < this.toks.length; j++) {
      const tk = this.toks[j];
      if (tk.kind === 'eof') return null;
      if (this.is('(', tk)) depth++;
      else if (this.is(')', tk) && --depth === 0) break;
    }
    if (!this.is('=>', this.toks[j + 1])) return null;
    this.i++;
    const params: { name: string; type: TypeNode | null }[] = [];
    if (!this.is(')')) {
      do {
        if (this.t.kind === 'id' && (this.is(',', this.peek()) || this.is(')', this.peek()))) params.push({ name: this.ident(), type: null });
        else {
          const type = this.type();
          params.push({ name: this.ident(), type });
        }
      } while (this.eat(','));
    }
    this.expect(')');
    this.expect('=>');
    return { k: 'lambda', pos, params, body: this.lambdaBody() };
  }

  private lambdaBody(): Expr | Stmt {
    if (this.is('{')) return this.block();
    return this.expression();
  }

  /**
   * LINQ query syntax, translated to method calls as the C# compiler does:
   * `from x in s where c orderby k descending select e` → `s.Where(x => c).OrderByDescending(x => k).Select(x => e)`.
   */
  private tryQuery(): Expr | null {
    if (!(this.isId(this.t, 'from') && this.isId(this.peek()) && this.is('in', this.peek(2)))) return null;
    const pos = this.t.pos;
    this.i++;
    const v = this.ident();
    this.i++;
    let src = this.conditional();
    const lambda = (body: Expr): Expr => ({ k: 'lambda', pos: body.pos, params: [{ name: v, type: null }], body });
    const call = (obj: Expr, name: string, ...args: Expr[]): Expr => ({
      k: 'call',
      pos: obj.pos,
      callee: { k: 'member', pos: obj.pos, obj, name, nullCond: false },
      args: args.map((expr) => ({ expr })),
    });
    for (;;) {
      if (this.isId(this.t, 'where')) {
        this.i++;
        src = call(src, 'Where', lambda(this.conditional()));
      } else if (this.isId(this.t, 'orderby')) {
        this.i++;
        let first = true;
        do {
          const key = this.conditional();
          let desc = false;
          if (this.isId(this.t, 'descending')) {
            this.i++;
            desc = true;
          } else if (this.isId(this.t, 'ascending')) this.i++;
          src = call(src, (first ? 'OrderBy' : 'ThenBy') + (desc ? 'Descending' : ''), lambda(key));
          first = false;
        } while (this.eat(','));
      } else if (this.isId(this.t, 'select')) {
        this.i++;
        return call(src, 'Select', lambda(this.conditional()));
      } else if (this.isId(this.t, 'group')) {
        this.i++;
        const elem = this.conditional();
        if (!this.isId(this.t, 'by')) this.fail("'by' expected");
        this.i++;
        return call(src, 'GroupBy', lambda(this.conditional()), lambda(elem));
      } else if (this.isId(this.t, 'from') || this.isId(this.t, 'let') || this.isId(this.t, 'join')) {
        throw new CompileError('EXPRESSION_NOT_ALLOWED', `Query clause '${this.t.value}' is not supported; use the LINQ methods`, this.t.pos);
      } else this.fail("'select' or 'group' expected at the end of a query");
      void pos;
    }
  }

  private conditional(): Expr {
    const test = this.nullCoalescing();
    if (this.is('?')) {
      const pos = this.t.pos;
      this.i++;
      const then = this.expression();
      this.expect(':');
      const els = this.expression();
      return { k: 'cond', pos, test, then, else: els };
    }
    return test;
  }

  private nullCoalescing(): Expr {
    const left = this.binary(0);
    if (this.is('??')) {
      const pos = this.t.pos;
      this.i++;
      const right = this.is('throw') ? this.throwExpr() : this.nullCoalescing();
      return { k: 'binary', pos, op: '??', left, right };
    }
    return left;
  }

  private throwExpr(): Expr {
    const pos = this.expect('throw').pos;
    return { k: 'throw', pos, expr: this.nullCoalescing() };
  }

  private static readonly LEVELS: string[][] = [
    ['||'],
    ['&&'],
    ['|'],
    ['^'],
    ['&'],
    ['==', '!='],
    ['<', '>', '<=', '>=', 'is', 'as'],
    ['<<', '>>'],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  /** Reads the binary operator at the cursor (merging `> >` into `>>`), without consuming it. */
  private binOp(): { op: string; width: number } | null {
    const t = this.t;
    if (t.kind === 'kw' && (t.value === 'is' || t.value === 'as')) return { op: t.value, width: 1 };
    if (t.kind !== 'op') return null;
    if (t.value === '>' && this.is('>', this.peek()) && this.adjacent(t, this.peek())) {
      if (this.is('=', this.peek(2)) && this.adjacent(this.peek(), this.peek(2))) return null; // >>=
      return { op: '>>', width: 2 };
    }
    if (t.value === '>' && this.is('>=', this.peek()) && this.adjacent(t, this.peek())) return null; // >>=
    return { op: t.value, width: 1 };
  }

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    const ops = Parser.LEVELS[level];
    for (;;) {
      const b = this.binOp();
      if (!b || !ops.includes(b.op)) return left;
      const pos = this.t.pos;
      this.i += b.width;
      if (b.op === 'is') {
        if (this.is('null') || this.t.kind === 'str' || this.t.kind === 'int' || this.t.kind === 'char' || this.is('true') || this.is('false') || this.is('-')) {
          left = { k: 'is', pos, expr: left, type: null, constant: this.unary() };
        } else {
          const type = this.type(false);
          let name: string | undefined;
          if (this.t.kind === 'id' && !this.is('=>', this.peek())) name = this.ident();
          left = { k: 'is', pos, expr: left, type, name };
        }
      } else if (b.op === 'as') {
        left = { k: 'as', pos, expr: left, type: this.type(false) };
      } else {
        left = { k: 'binary', pos, op: b.op, left, right: this.binary(level + 1) };
      }
    }
  }

  private unary(): Expr {
    const t = this.t;
    const pos = t.pos;
    if (t.kind === 'op') {
      if (t.value === '+' || t.value === '-' || t.value === '!' || t.value === '~') {
        this.i++;
        const operand = this.unary();
        // fold -literal so that int.MinValue and long.MinValue literals work
        if (t.value === '-' && operand.k === 'lit' && (operand.type === 'int' || operand.type === 'long' || operand.type === 'uint' || operand.type === 'ulong' || operand.type === 'double' || operand.type === 'float' || operand.type === 'decimal') && !operand.value.startsWith('-')) {
          return { ...operand, pos, value: '-' + operand.value };
        }
        return { k: 'unary', pos, op: t.value, operand };
      }
      if (t.value === '++' || t.value === '--') {
        this.i++;
        return { k: 'unary', pos, op: t.value, operand: this.unary() };
      }
      if (t.value === '(') {
        const cast = this.tryCast();
        if (cast) return cast;
      }
    }
    return this.postfix(this.primary());
  }

  private tryCast(): Expr | null {
    const save = this.i;
    const pos = this.t.pos;
    this.i++;
    const type = this.tryType();
    if (!type || !this.is(')')) {
      this.i = save;
      return null;
    }
    this.i++;
    const n = this.t;
    const keywordType = PREDEFINED_TYPES.has(type.name) && type.args.length === 0;
    let isCast: boolean;
    if (n.kind === 'eof') isCast = false;
    else if (keywordType || type.ranks.length > 0 || type.nullable) {
      isCast = !(n.kind === 'op' && ![ '(', '!', '~', '-', '+', '++', '--'].includes(n.value)) && !(n.kind === 'kw' && (n.value === 'is' || n.value === 'as'));
    } else {
      isCast =
        n.kind === 'id' || n.kind === 'int' || n.kind === 'real' || n.kind === 'str' || n.kind === 'char' || n.kind === 'interp' ||
        (n.kind === 'op' && (n.value === '(' || n.value === '!' || n.value === '~')) ||
        (n.kind === 'kw' && n.value !== 'is' && n.value !== 'as');
    }
    if (!isCast) {
      this.i = save;
      return null;
    }
    return { k: 'cast', pos, type, expr: this.unary() };
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.t;
      if (this.is('.')) {
        this.i++;
        const pos = this.t.pos;
        const name = this.ident();
        const typeArgs = this.is('<') ? this.tryTypeArgs() ?? undefined : undefined;
        e = { k: 'member', pos, obj: e, name, typeArgs, nullCond: false };
      } else if (this.is('?') && (this.is('.', this.peek()) || this.is('[', this.peek())) && this.adjacent(t, this.peek())) {
        this.i++;
        if (this.eat('.')) {
          const pos = this.t.pos;
          const name = this.ident();
          const typeArgs = this.is('<') ? this.tryTypeArgs() ?? undefined : undefined;
          e = { k: 'member', pos, obj: e, name, typeArgs, nullCond: true };
        } else {
          const pos = this.expect('[').pos;
          const args = this.exprList(']');
          e = { k: 'index', pos, obj: e, args, nullCond: true };
        }
      } else if (this.is('(')) {
        const pos = t.pos;
        this.i++;
        e = { k: 'call', pos, callee: e, args: this.args(')') };
      } else if (this.is('[')) {
        const pos = t.pos;
        this.i++;
        e = { k: 'index', pos, obj: e, args: this.exprList(']'), nullCond: false };
      } else if (this.is('++') || this.is('--')) {
        this.i++;
        e = { k: 'postfix', pos: t.pos, op: t.value as '++' | '--', operand: e };
      } else if (this.is('!') && this.adjacent(this.toks[this.i - 1], t) && !this.is('=', this.peek())) {
        // null-forgiving operator (C# 8) is not C# 7
        this.fail('Unexpected token');
      } else return e;
    }
  }

  private exprList(close: string): Expr[] {
    const out: Expr[] = [];
    if (!this.is(close)) {
      do out.push(this.expression());
      while (this.eat(','));
    }
    this.expect(close);
    return out;
  }

  private args(close: string): Arg[] {
    const out: Arg[] = [];
    if (!this.is(close)) {
      do out.push(this.arg());
      while (this.eat(','));
    }
    this.expect(close);
    return out;
  }

  private arg(): Arg {
    let name: string | undefined;
    if (this.t.kind === 'id' && this.is(':', this.peek())) {
      name = this.ident();
      this.i++;
    }
    if (this.is('out') || this.is('ref')) {
      const mode = this.t.value as 'out' | 'ref';
      this.i++;
      const pos = this.t.pos;
      if (mode === 'out') {
        // out var x / out T x
        const save = this.i;
        const type = this.is('var') || (this.t.kind === 'id' && this.t.value === 'var') ? null : this.tryType();
        if ((type || this.isId(this.t, 'var')) && this.t.kind === 'id' && (this.isId(this.peek()) || type)) {
          if (!type) this.i++;
          if (this.t.kind === 'id') {
            const vname = this.ident();
            return { name, mode, expr: { k: 'name', pos, name: vname }, outDecl: { type, name: vname, pos } };
          }
        }
        this.i = save;
      }
      return { name, mode, expr: this.unary() };
    }
    return { name, expr: this.expression() };
  }

  private primary(): Expr {
    const t = this.t;
    const pos = t.pos;
    switch (t.kind) {
      case 'int': {
        this.i++;
        return { k: 'lit', pos, type: intLiteralType(t), value: intLiteralValue(t) };
      }
      case 'real': {
        this.i++;
        const type: LiteralType = t.suffix === 'f' ? 'float' : t.suffix === 'm' ? 'decimal' : 'double';
        return { k: 'lit', pos, type, value: t.value };
      }
      case 'str':
        this.i++;
        return { k: 'lit', pos, type: 'string', value: t.value };
      case 'char':
        this.i++;
        return { k: 'lit', pos, type: 'char', value: t.value };
      case 'interp': {
        this.i++;
        const parts: (string | InterpPart)[] = [];
        for (const p of t.parts ?? []) {
          if (typeof p === 'string') parts.push(p);
          else {
            const sub = new Parser(p.tokens);
            const expr = sub.expression();
            sub.expectEnd();
            let alignment: Expr | undefined;
            if (p.alignment) {
              const sa = new Parser(p.alignment);
              alignment = sa.expression();
              sa.expectEnd();
            }
            parts.push({ expr, alignment, format: p.format });
          }
        }
        return { k: 'interp', pos, parts };
      }
      case 'id': {
        this.i++;
        const typeArgs = this.is('<') ? this.tryTypeArgs() ?? undefined : undefined;
        return { k: 'name', pos, name: t.value, typeArgs };
      }
      case 'kw':
        return this.keywordPrimary();
      case 'op':
        if (t.value === '(') {
          this.i++;
          const named = this.t.kind === 'id' && this.is(':', this.peek());
          const firstName = named ? this.ident() : null;
          if (named) this.i++;
          const e = this.expression();
          if (!named && this.eat(')')) return e;
          // tuple literal (a, b) or (x: a, y: b)
          const items: { name: string | null; expr: Expr }[] = [{ name: firstName, expr: e }];
          while (this.eat(',')) {
            let name: string | null = null;
            if (this.t.kind === 'id' && this.is(':', this.peek())) {
              name = this.ident();
              this.i++;
            }
            items.push({ name, expr: this.expression() });
          }
          this.expect(')');
          if (items.length < 2) this.fail('A tuple must have at least two elements');
          return { k: 'tuple', pos: t.pos, items };
        }
        break;
    }
    this.fail('Expression expected');
  }

  private keywordPrimary(): Expr {
    const t = this.t;
    const pos = t.pos;
    const v = t.value;
    if (v === 'true' || v === 'false') {
      this.i++;
      return { k: 'lit', pos, type: 'bool', value: v };
    }
    if (v === 'null') {
      this.i++;
      return { k: 'lit', pos, type: 'null', value: '' };
    }
    if (PREDEFINED_TYPES.has(v)) {
      this.i++;
      return { k: 'name', pos, name: v };
    }
    if (v === 'new') return this.newExpr();
    if (v === 'default') {
      this.i++;
      if (this.eat('(')) {
        const type = this.type();
        this.expect(')');
        return { k: 'default', pos, type };
      }
      return { k: 'default', pos, type: null };
    }
    if (v === 'checked' || v === 'unchecked') {
      this.i++;
      this.expect('(');
      const expr = this.expression();
      this.expect(')');
      return { k: 'checked', pos, checked: v === 'checked', expr };
    }
    if (v === 'typeof') {
      throw new CompileError('EXPRESSION_NOT_ALLOWED', "'typeof' is not allowed in policy expressions (no reflection)", pos);
    }
    if (v === 'this' || v === 'base') {
      throw new CompileError('EXPRESSION_NOT_ALLOWED', `'${v}' is not available in policy expressions`, pos);
    }
    if (v === 'throw') return this.throwExpr();
    if (v === 'delegate') throw new CompileError('EXPRESSION_NOT_ALLOWED', 'Anonymous methods are not supported; use a lambda expression', pos);
    if (v === 'sizeof' || v === 'stackalloc' || v === 'unsafe' || v === 'fixed')
      throw new CompileError('EXPRESSION_NOT_ALLOWED', `'${v}' is not allowed in policy expressions`, pos);
    this.fail('Expression expected');
  }

  private newExpr(): Expr {
    const pos = this.expect('new').pos;
    if (this.is('[')) {
      // new[] { ... }
      this.i++;
      this.expect(']');
      const init = this.arrayInit();
      return { k: 'newarray', pos, elem: null, sizes: [], extraRanks: [], init };
    }
    if (this.is('{')) {
      this.i++;
      const members: { name: string; value: Expr }[] = [];
      if (!this.is('}')) {
        do {
          if (this.is('}')) break;
          const mpos = this.t.pos;
          if (this.t.kind === 'id' && this.is('=', this.peek())) {
            const name = this.ident();
            this.i++;
            members.push({ name, value: this.expression() });
          } else {
            const value = this.expression();
            const name = value.k === 'name' ? value.name : value.k === 'member' ? value.name : undefined;
            if (!name) throw new CompileError('EXPRESSION_SYNTAX', 'Invalid anonymous type member declarator', mpos);
            members.push({ name, value });
          }
        } while (this.eat(','));
      }
      this.expect('}');
      return { k: 'anon', pos, members };
    }
    // element type without ranks first: new T[n], new T[] {...}, new T(...)
    const tpos = this.t.pos;
    let name: string;
    let targs: TypeNode[] = [];
    if (this.t.kind === 'kw' && PREDEFINED_TYPES.has(this.t.value)) {
      name = this.t.value;
      this.i++;
    } else {
      name = this.ident();
      for (;;) {
        if (this.is('<')) targs = this.typeArgs();
        if (this.is('.') && this.peek().kind === 'id') {
          this.i++;
          name += '.' + this.ident();
          continue;
        }
        break;
      }
    }
    let nullable = false;
    if (this.is('?')) {
      this.i++;
      nullable = true;
    }
    const elem: TypeNode = { name, args: targs, ranks: [], nullable, pos: tpos };
    if (this.is('[')) {
      this.i++;
      const sizes: Expr[] = [];
      let firstRank = 1;
      if (this.is(']') || this.is(',')) {
        while (this.eat(',')) firstRank++;
        this.expect(']');
      } else {
        do sizes.push(this.expression());
        while (this.eat(','));
        this.expect(']');
        firstRank = sizes.length;
      }
      const extraRanks: number[] = [];
      while (this.is('[')) {
        this.i++;
        let r = 1;
        while (this.eat(',')) r++;
        this.expect(']');
        extraRanks.push(r);
      }
      if (firstRank > 1) throw new CompileError('EXPRESSION_NOT_ALLOWED', 'Multi-dimensional arrays are not supported; use jagged arrays', pos);
      const init = this.is('{') ? this.arrayInit() : undefined;
      if (!init && sizes.length === 0) this.fail('Array creation must have array size or array initializer');
      return { k: 'newarray', pos, elem, sizes, extraRanks, init };
    }
    let args: Arg[] = [];
    if (this.eat('(')) args = this.args(')');
    else if (!this.is('{')) this.fail("'(' or '{' expected");
    const init = this.is('{') ? this.initializer() : undefined;
    return { k: 'new', pos, type: elem, args, init };
  }

  private arrayInit(): Expr[] {
    this.expect('{');
    const items: Expr[] = [];
    while (!this.is('}')) {
      if (this.is('{')) {
        const pos = this.t.pos;
        items.push({ k: 'arrayinit', pos, items: this.arrayInit() });
      } else items.push(this.expression());
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return items;
  }

  private initializer(): Initializer {
    this.expect('{');
    if (this.is('}')) {
      this.i++;
      return { kind: 'collection', items: [] };
    }
    const isObject = (this.t.kind === 'id' && this.is('=', this.peek())) || (this.is('[') && false);
    if (isObject) {
      const members: { name: string; value: Expr | Initializer; pos: number }[] = [];
      while (!this.is('}')) {
        const pos = this.t.pos;
        const name = this.ident();
        this.expect('=');
        const value = this.is('{') ? this.initializer() : this.expression();
        members.push({ name, value, pos });
        if (!this.eat(',')) break;
      }
      this.expect('}');
      return { kind: 'object', members };
    }
    const items: Expr[][] = [];
    while (!this.is('}')) {
      if (this.is('{')) {
        this.i++;
        items.push(this.exprList('}'));
      } else items.push([this.expression()]);
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { kind: 'collection', items };
  }

  // ---- statements
  block(): Stmt {
    const pos = this.expect('{').pos;
    const body: Stmt[] = [];
    while (!this.is('}')) {
      if (this.atEnd()) this.fail("'}' expected");
      body.push(this.statement());
    }
    this.i++;
    return { k: 'block', pos, body };
  }

  /** Statements up to the end of input (the body of `@{ ... }` without its braces). */
  statementsToEnd(): Stmt[] {
    const body: Stmt[] = [];
    while (!this.atEnd()) body.push(this.statement());
    return body;
  }

  statement(): Stmt {
    const t = this.t;
    const pos = t.pos;
    if (t.kind === 'op') {
      if (t.value === '{') return this.block();
      if (t.value === ';') {
        this.i++;
        return { k: 'empty', pos };
      }
    }
    if (t.kind === 'kw') {
      switch (t.value) {
        case 'if': {
          this.i++;
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          const then = this.embedded();
          const els = this.eat('else') ? this.embedded() : null;
          return { k: 'if', pos, test, then, else: els };
        }
        case 'while': {
          this.i++;
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          return { k: 'while', pos, test, body: this.embedded() };
        }
        case 'do': {
          this.i++;
          const body = this.embedded();
          this.expect('while');
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          this.expect(';');
          return { k: 'do', pos, test, body };
        }
        case 'for': {
          this.i++;
          this.expect('(');
          const init: Stmt[] = [];
          if (!this.is(';')) {
            const decl = this.tryDeclaration();
            if (decl) init.push(decl);
            else {
              do init.push({ k: 'expr', pos: this.t.pos, expr: this.expression() });
              while (this.eat(','));
            }
          }
          this.expect(';');
          const test = this.is(';') ? null : this.expression();
          this.expect(';');
          const update: Expr[] = [];
          if (!this.is(')')) {
            do update.push(this.expression());
            while (this.eat(','));
          }
          this.expect(')');
          return { k: 'for', pos, init, test, update, body: this.embedded() };
        }
        case 'foreach': {
          this.i++;
          this.expect('(');
          let type: TypeNode | null = null;
          if (this.isId(this.t, 'var') && this.isId(this.peek())) this.i++;
          else type = this.type();
          const name = this.ident();
          this.expect('in');
          const expr = this.expression();
          this.expect(')');
          return { k: 'foreach', pos, type, name, expr, body: this.embedded() };
        }
        case 'return': {
          this.i++;
          const expr = this.is(';') ? null : this.expression();
          this.expect(';');
          return { k: 'return', pos, expr };
        }
        case 'break':
          this.i++;
          this.expect(';');
          return { k: 'break', pos };
        case 'continue':
          this.i++;
          this.expect(';');
          return { k: 'continue', pos };
        case 'throw': {
          this.i++;
          const expr = this.is(';') ? null : this.expression();
          this.expect(';');
          return { k: 'throw', pos, expr };
        }
        case 'try':
          return this.tryStatement();
        case 'switch':
          return this.switchStatement();
        case 'using': {
          this.i++;
          this.expect('(');
          const decl = this.tryDeclaration();
          const expr = decl ? null : this.expression();
          this.expect(')');
          return { k: 'using', pos, decl, expr, body: this.embedded() };
        }
        case 'checked':
        case 'unchecked':
          if (this.is('{', this.peek())) {
            this.i++;
            return { k: 'checkedblock', pos, checked: t.value === 'checked', body: this.block() };
          }
          break;
        case 'const': {
          this.i++;
          const decl = this.tryDeclaration();
          if (!decl || decl.k !== 'decl') this.fail('Constant declaration expected');
          this.expect(';');
          return { ...decl, isConst: true };
        }
        case 'goto':
        case 'lock':
        case 'unsafe':
        case 'fixed':
          throw new CompileError('EXPRESSION_NOT_ALLOWED', `'${t.value}' statements are not supported in policy expressions`, pos);
      }
    }
    const dec = this.tryDeconstruction();
    if (dec) {
      this.expect(';');
      return dec;
    }
    const fn = this.tryLocalFunction();
    if (fn) return fn;
    const decl = this.tryDeclaration();
    if (decl) {
      this.expect(';');
      return decl;
    }
    const expr = this.expression();
    if (!['assign', 'call', 'postfix', 'new'].includes(expr.k) && !(expr.k === 'unary' && (expr.op === '++' || expr.op === '--')))
      throw new CompileError('EXPRESSION_SYNTAX', 'Only assignment, call, increment, decrement and new object expressions can be used as a statement', expr.pos);
    this.expect(';');
    return { k: 'expr', pos, expr };
  }

  private embedded(): Stmt {
    return this.statement();
  }

  private tryLocalFunction(): Stmt | null {
    const save = this.i;
    const pos = this.t.pos;
    if (this.is('static')) this.i++;
    const ret = this.tryType();
    if (ret && this.t.kind === 'id' && this.is('(', this.peek())) {
      const name = this.ident();
      // distinguish `T Name(` declarations from a call expression statement `Name(` : we have a type before the name
      this.expect('(');
      const params: { name: string; type: TypeNode }[] = [];
      if (!this.is(')')) {
        do {
          const type = this.type();
          params.push({ type, name: this.ident() });
        } while (this.eat(','));
      }
      this.expect(')');
      let body: Stmt;
      if (this.eat('=>')) {
        const epos = this.t.pos;
        const e = this.expression();
        this.expect(';');
        body = ret.name === 'void' ? { k: 'expr', pos: epos, expr: e } : { k: 'return', pos: epos, expr: e };
      } else body = this.block();
      return { k: 'func', pos, name, ret, params, body };
    }
    this.i = save;
    return null;
  }

  /** `T a = 1, b;` or `var x = ...` without the trailing semicolon. */
  /** `var (a, b) = expr` */
  private tryDeconstruction(): Stmt | null {
    if (!(this.isId(this.t, 'var') && this.is('(', this.peek()))) return null;
    const pos = this.t.pos;
    this.i += 2;
    const names: { name: string; pos: number }[] = [];
    do {
      const npos = this.t.pos;
      names.push({ name: this.ident(), pos: npos });
    } while (this.eat(','));
    this.expect(')');
    this.expect('=');
    const value = this.expression();
    return { k: 'deconstruct', pos, names, value };
  }

  private tryDeclaration(): (Stmt & { k: 'decl' }) | null {
    const save = this.i;
    const pos = this.t.pos;
    let type: TypeNode | null;
    if (this.isId(this.t, 'var') && this.isId(this.peek())) {
      this.i++;
      type = null;
    } else {
      type = this.tryType();
      if (!type) return null;
    }
    if (this.t.kind !== 'id') {
      this.i = save;
      return null;
    }
    const n = this.peek();
    if (!(this.is('=', n) || this.is(';', n) || this.is(',', n) || this.is(')', n))) {
      this.i = save;
      return null;
    }
    const decls: { name: string; init: Expr | null; pos: number }[] = [];
    do {
      const dpos = this.t.pos;
      const name = this.ident();
      let init: Expr | null = null;
      if (this.eat('=')) {
        if (this.is('{')) {
          const ipos = this.t.pos;
          init = { k: 'newarray', pos: ipos, elem: null, sizes: [], extraRanks: [], init: this.arrayInit() };
          if (!type || type.ranks.length === 0) throw new CompileError('EXPRESSION_SYNTAX', 'An array initializer needs an array type', ipos);
        } else init = this.expression();
      }
      decls.push({ name, init, pos: dpos });
    } while (this.eat(','));
    return { k: 'decl', pos, type, isConst: false, decls };
  }

  private tryStatement(): Stmt {
    const pos = this.expect('try').pos;
    const block = this.block();
    const catches: CatchClause[] = [];
    while (this.is('catch')) {
      const cpos = this.t.pos;
      this.i++;
      let type: TypeNode | null = null;
      let name: string | null = null;
      if (this.eat('(')) {
        type = this.type();
        if (this.t.kind === 'id') name = this.ident();
        this.expect(')');
      }
      let when: Expr | null = null;
      if (this.isId(this.t, 'when')) {
        this.i++;
        this.expect('(');
        when = this.expression();
        this.expect(')');
      }
      catches.push({ type, name, when, body: this.block(), pos: cpos });
    }
    const fin = this.eat('finally') ? this.block() : null;
    if (!catches.length && !fin) this.fail("'catch' or 'finally' expected");
    return { k: 'try', pos, block, catches, fin };
  }

  private caseLabel(): CaseLabel {
    const pos = this.t.pos;
    const save = this.i;
    // type pattern: T x, var x, T (followed by when or :)
    if (this.isId(this.t, 'var') && this.isId(this.peek())) {
      this.i++;
      const name = this.ident();
      return { kind: 'type', type: null, name, when: this.caseWhen(), pos };
    }
    const type = this.t.kind === 'str' || this.t.kind === 'int' || this.t.kind === 'char' ? null : this.tryType(false);
    if (type && this.t.kind === 'id' && this.t.value !== 'when' && (this.is(':', this.peek()) || this.isId(this.peek(), 'when'))) {
      const name = this.ident();
      return { kind: 'type', type, name, when: this.caseWhen(), pos };
    }
    this.i = save;
    const expr = this.expression();
    return { kind: 'const', expr, when: this.caseWhen(), pos };
  }

  private caseWhen(): Expr | null {
    if (!this.isId(this.t, 'when')) return null;
    this.i++;
    return this.expression();
  }

  private switchStatement(): Stmt {
    const pos = this.expect('switch').pos;
    this.expect('(');
    const expr = this.expression();
    this.expect(')');
    this.expect('{');
    const sections: SwitchSection[] = [];
    while (!this.is('}')) {
      const labels: (CaseLabel | null)[] = [];
      while (this.is('case') || this.is('default')) {
        if (this.eat('default')) labels.push(null);
        else {
          this.i++;
          labels.push(this.caseLabel());
        }
        this.expect(':');
      }
      if (!labels.length) this.fail("'case' or 'default' expected");
      const body: Stmt[] = [];
      while (!this.is('case') && !this.is('default') && !this.is('}')) {
        if (this.atEnd()) this.fail("'}' expected");
        body.push(this.statement());
      }
      sections.push({ labels, body });
    }
    this.i++;
    return { k: 'switch', pos, expr, sections };
  }
}

function intLiteralType(t: Token): LiteralType {
  const v = BigInt(t.radix === 16 ? '0x' + t.value : t.radix === 2 ? '0b' + t.value : t.value);
  const s = t.suffix ?? '';
  if (v > 0xffffffffffffffffn) throw new CompileError('EXPRESSION_SYNTAX', 'Integral constant is too large', t.pos);
  if (s === 'ul') return 'ulong';
  if (s === 'u') return v <= 0xffffffffn ? 'uint' : 'ulong';
  if (s === 'l') return v <= 0x7fffffffffffffffn ? 'long' : 'ulong';
  if (v <= 0x7fffffffn) return 'int';
  if (v <= 0xffffffffn) return 'uint';
  if (v <= 0x7fffffffffffffffn) return 'long';
  return 'ulong';
}

function intLiteralValue(t: Token): string {
  return BigInt(t.radix === 16 ? '0x' + t.value : t.radix === 2 ? '0b' + t.value : t.value).toString();
}
