// Errors of the expression language. Compile-time errors carry a position in the policy document;
// runtime errors carry the .NET exception type name and a .NET-style message, which the policy
// engine turns into `context.LastError`.

export type ExpressionErrorCode =
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_UNKNOWN_TYPE'
  | 'EXPRESSION_UNKNOWN_MEMBER'
  | 'EXPRESSION_TYPE_MISMATCH'
  | 'EXPRESSION_NOT_ALLOWED'
  | 'EXPRESSION_NAMED_VALUE'
  | 'EXPRESSION_RUNTIME'
  | 'EXPRESSION_BUDGET_EXCEEDED';

export class ExpressionError extends Error {
  readonly code: ExpressionErrorCode;
  /** 1-based line in the policy document (or in the expression text when no base was given). */
  readonly line: number | undefined;
  /** 1-based column in the policy document. */
  readonly column: number | undefined;
  /** For runtime errors: the .NET exception type, e.g. `NullReferenceException`. */
  readonly exceptionType: string | undefined;

  constructor(code: ExpressionErrorCode, message: string, opts: { line?: number; column?: number; exceptionType?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ExpressionError';
    this.code = code;
    this.line = opts.line;
    this.column = opts.column;
    this.exceptionType = opts.exceptionType;
  }
}

/** A compile-time error before it is placed in the document: `pos` is an offset in the expression text. */
export class CompileError extends Error {
  readonly code: ExpressionErrorCode;
  readonly pos: number;
  constructor(code: ExpressionErrorCode, message: string, pos: number) {
    super(message);
    this.code = code;
    this.pos = pos;
  }
}

/**
 * A .NET exception raised by running code. It can be caught by `try/catch` inside an expression;
 * budget exhaustion is not a DotNetException and can never be caught.
 */
export class DotNetException extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export class BudgetExceeded extends Error {}

/** Base types of the .NET exceptions Atrium raises, for `catch (T e)` matching. */
const EXCEPTION_BASES: Record<string, string> = {
  ArgumentNullException: 'ArgumentException',
  ArgumentOutOfRangeException: 'ArgumentException',
  ArgumentException: 'SystemException',
  FormatException: 'SystemException',
  UriFormatException: 'FormatException',
  JsonReaderException: 'JsonException',
  JsonException: 'Exception',
  InvalidCastException: 'SystemException',
  InvalidOperationException: 'SystemException',
  KeyNotFoundException: 'SystemException',
  IndexOutOfRangeException: 'SystemException',
  NullReferenceException: 'SystemException',
  OverflowException: 'ArithmeticException',
  DivideByZeroException: 'ArithmeticException',
  ArithmeticException: 'SystemException',
  NotSupportedException: 'SystemException',
  CryptographicException: 'SystemException',
  XmlException: 'SystemException',
  RegexMatchTimeoutException: 'TimeoutException',
  TimeoutException: 'SystemException',
  SystemException: 'Exception',
};

export function exceptionIs(type: string, target: string): boolean {
  let t: string | undefined = type;
  while (t) {
    if (t === target) return true;
    t = EXCEPTION_BASES[t] ?? (t === 'Exception' ? undefined : 'Exception');
  }
  return false;
}

export const KNOWN_EXCEPTIONS = new Set([...Object.keys(EXCEPTION_BASES), 'Exception']);

export const nullRef = (): DotNetException =>
  new DotNetException('NullReferenceException', 'Object reference not set to an instance of an object.');
export const argNull = (name: string): DotNetException =>
  new DotNetException('ArgumentNullException', `Value cannot be null. (Parameter '${name}')`);
export const argOutOfRange = (name: string, msg?: string): DotNetException =>
  new DotNetException(
    'ArgumentOutOfRangeException',
    `${msg ?? 'Specified argument was out of the range of valid values.'} (Parameter '${name}')`,
  );
export const formatError = (msg = 'Input string was not in a correct format.'): DotNetException =>
  new DotNetException('FormatException', msg);
export const overflow = (msg = 'Arithmetic operation resulted in an overflow.'): DotNetException =>
  new DotNetException('OverflowException', msg);
export const invalidOp = (msg: string): DotNetException => new DotNetException('InvalidOperationException', msg);
export const indexOutOfRange = (): DotNetException =>
  new DotNetException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
export const divideByZero = (): DotNetException =>
  new DotNetException('DivideByZeroException', 'Attempted to divide by zero.');
export const argError = (msg: string): DotNetException => new DotNetException('ArgumentException', msg);
