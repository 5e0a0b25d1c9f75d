import type { ExpressionChecker } from './validate/validator.ts';

/**
 * The expression checker used when a caller does not inject one: the expression compiler's
 * `compileExpression` once it exists, otherwise none (expressions are then only checked for
 * balanced brackets and literals by the parser).
 */
export function expressionChecker(): ExpressionChecker | undefined {
  return undefined;
}
