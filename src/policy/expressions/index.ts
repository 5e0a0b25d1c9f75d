// Policy expressions: Azure-compatible C# `@(...)` and `@{ ... }`, compiled once into closures and
// run sandboxed.
//
// Values returned by a compiled expression follow .NET, represented as:
//   string → string; bool → boolean; char → CsChar (interned, prints as the character);
//   int, short, byte, sbyte, ushort, uint → number; long, ulong → bigint (exact, 64-bit);
//   double, float → number; decimal → Decimal (exact, keeps its scale);
//   DateTime, DateTimeOffset, TimeSpan, Guid → runtime classes; byte[] → Uint8Array;
//   other arrays → arrays; JObject/JArray/JValue/JProperty → JToken classes; null → null.
// A result is an `object` in .NET terms, so a double with an integral value, a float or an enum
// comes back as a Boxed value (it keeps its type when stored in a variable); `unbox` returns the
// number inside.
// Use toPolicyString to get the text Azure would put in an attribute or element, and
// toPolicyBoolean for conditions.

import type { Expr, Stmt } from './ast.ts';
import { Compiler, type Env } from './compiler.ts';
import { BudgetExceeded, CompileError, DotNetException, ExpressionError } from './errors.ts';
import { Lexer, scanExpressionEnd } from './lexer.ts';
import { Parser } from './parser.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_TIME_BUDGET_MS } from './runtime/budget.ts';
import { toDotNetString } from './runtime/values.ts';
import type { RunState } from './types.ts';
import './library.ts';
import './library-more.ts';
import './library-xml.ts';
import { ExpressionContext } from './context.ts';

export { ExpressionError } from './errors.ts';
export type { ExpressionErrorCode } from './errors.ts';
export { createExpressionContext, createPolicyResponse, ExpressionContext, PolicyResponse } from './context.ts';
export type { BodySource, ContextSource, HeadersSource, ResponseSource, UrlSource } from './context.ts';
export { Decimal } from './runtime/decimal.ts';
export { Boxed, unbox } from './runtime/values.ts';
export { CsChar } from './runtime/char.ts';
export { DateTime, DateTimeOffset, TimeSpan } from './runtime/datetime.ts';
export { Guid } from './runtime/guid.ts';
export { JArray, JObject, JProperty, JToken, JValue, parseJson } from './runtime/json.ts';

export interface CompileOptions {
  /** `single` for `@(...)`, `multi` for `@{...}`; inferred from the text when omitted. */
  kind?: 'single' | 'multi';
  /** 1-based line of the expression's `@` in the policy document. */
  line?: number;
  /** 1-based column of the expression's `@` in the policy document. */
  column?: number;
  /** Step budget per evaluation (loop iterations, calls, enumerated elements); default 100,000. */
  maxSteps?: number;
  /** Wall-time budget per evaluation in milliseconds; default 250. */
  maxMilliseconds?: number;
}

export interface CompiledExpression {
  (context: ExpressionContext): unknown;
  readonly source: string;
  readonly kind: 'single' | 'multi';
}

/** Whether an attribute or element text is an expression: `@(...)` or `@{...}` spanning the whole value. */
export function isExpression(text: string): boolean {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  if (trimmed.length < 3 || trimmed[0] !== '@' || (trimmed[1] !== '(' && trimmed[1] !== '{')) return false;
  const end = scanExpressionEnd(text, start);
  return end === start + trimmed.length;
}

function position(source: string, pos: number, line?: number, column?: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, pos));
  const nl = before.lastIndexOf('\n');
  const lineOffset = before.split('\n').length - 1;
  const col = nl < 0 ? before.length + 1 : before.length - nl;
  const baseLine = line ?? 1;
  const baseCol = column ?? 1;
  return { line: baseLine + lineOffset, column: lineOffset === 0 ? baseCol + col - 1 : col };
}

/** Compiles an expression as written in a policy document. Throws ExpressionError with a position. */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  const lead = source.length - source.trimStart().length;
  const trimmedEnd = source.trimEnd().length;
  const fail = (e: CompileError | { code: CompileError['code']; message: string; pos: number }): never => {
    const p = position(source, e.pos, options.line, options.column === undefined ? undefined : options.column - lead);
    throw new ExpressionError(e.code, `${e.message} (line ${p.line}, column ${p.column})`, p);
  };
  const open = source[lead + 1];
  if (source[lead] !== '@' || (open !== '(' && open !== '{'))
    fail({ code: 'EXPRESSION_SYNTAX', message: 'A policy expression must start with @( or @{', pos: lead });
  const kind = options.kind ?? (open === '(' ? 'single' : 'multi');
  if ((kind === 'single') !== (open === '('))
    fail({ code: 'EXPRESSION_SYNTAX', message: kind === 'single' ? 'A single-statement expression is written @( ... )' : 'A multi-statement expression is written @{ ... }', pos: lead });
  const close = open === '(' ? ')' : '}';
  const end = scanExpressionEnd(source, lead);
  if (end < 0) {
    // surface a lexical error (bad string, named value) before reporting the missing bracket
    try {
      new Lexer(source, lead + 1, trimmedEnd).all();
    } catch (e) {
      if (e instanceof CompileError) fail(e);
      throw e;
    }
    fail({ code: 'EXPRESSION_SYNTAX', message: `The expression is not closed: '${close}' expected`, pos: trimmedEnd });
  }
  if (end !== trimmedEnd) fail({ code: 'EXPRESSION_SYNTAX', message: 'Unexpected text after the end of the expression', pos: end });
  let body: { fn: (e: Env) => unknown; slots: number };
  try {
    const parser = Parser.fromText(source, lead + 2, end - 1);
    const compiler = new Compiler();
    if (kind === 'single') {
      if (parser.atEnd()) fail({ code: 'EXPRESSION_SYNTAX', message: 'Empty expression', pos: lead + 2 });
      const expr: Expr = parser.expression();
      parser.expectEnd();
      body = compiler.compileSingle(expr);
    } else {
      const stmts: Stmt[] = parser.statementsToEnd();
      body = compiler.compileMulti(stmts, end - 1);
    }
  } catch (e) {
    if (e instanceof CompileError) fail(e);
    if (e instanceof RangeError) fail({ code: 'EXPRESSION_SYNTAX', message: 'The expression is nested too deeply', pos: lead });
    throw e;
  }
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const maxMs = options.maxMilliseconds ?? DEFAULT_TIME_BUDGET_MS;
  const { fn, slots } = body;
  const compiled = function policyExpression(context: ExpressionContext): unknown {
    const env = new Run(context, maxSteps, maxMs, slots);
    try {
      const v = fn(env);
      return v === undefined ? null : v;
    } catch (e) {
      throw runtimeError(e);
    }
  } as CompiledExpression;
  Object.defineProperty(compiled, 'source', { value: source });
  Object.defineProperty(compiled, 'kind', { value: kind });
  return compiled;
}

/**
 * The state of one evaluation: budgets, and the clock and randomness of its context. It is also
 * the evaluation's outermost environment (its own `r`), so that an evaluation makes one object.
 */
class Run implements RunState, Env {
  steps = 0;
  depth = 0;
  deadline = 0;
  readonly maxSteps: number;
  readonly timeBudgetMs: number;
  readonly context: ExpressionContext;
  readonly v: unknown[];
  readonly p: Env | null = null;
  readonly r: RunState;
  rv: unknown = undefined;
  constructor(context: ExpressionContext, maxSteps: number, maxMs: number, slots: number | undefined) {
    this.context = context;
    this.maxSteps = maxSteps;
    this.timeBudgetMs = maxMs;
    this.v = slots ? new Array(slots) : NO_SLOTS;
    this.r = this;
  }
  now(): number {
    return this.context.now();
  }
  random(): number {
    return this.context.random();
  }
}

/** The locals of an expression that declares none: shared, and frozen so that nothing can write to it. */
const NO_SLOTS: unknown[] = Object.freeze([]) as unknown as unknown[];

function runtimeError(e: unknown): ExpressionError {
  if (e instanceof ExpressionError) return e;
  if (e instanceof DotNetException) return new ExpressionError('EXPRESSION_RUNTIME', e.message, { exceptionType: e.type });
  if (e instanceof BudgetExceeded) return new ExpressionError('EXPRESSION_BUDGET_EXCEEDED', e.message, { exceptionType: 'InsufficientExecutionStackException' });
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return new ExpressionError('EXPRESSION_BUDGET_EXCEEDED', 'The expression exceeded its call depth budget.', { exceptionType: 'InsufficientExecutionStackException' });
  // an internal failure: the message leaks no host details; the cause is kept for the gateway's logs
  return new ExpressionError('EXPRESSION_RUNTIME', 'The expression failed to evaluate.', { exceptionType: 'Exception', cause: e });
}

/** The text Azure produces for an expression result in an attribute or element. */
export function toPolicyString(value: unknown): string {
  return toDotNetString(value);
}

/** A condition's result as a boolean: bool as is, the strings "true"/"false" (any case), else an error. */
export function toPolicyBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  throw new ExpressionError('EXPRESSION_RUNTIME', `String '${toDotNetString(value)}' was not recognized as a valid Boolean.`, { exceptionType: 'FormatException' });
}
