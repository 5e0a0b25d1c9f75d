import { compileExpression } from './expressions/index.ts';
import type { ExpressionChecker } from './validate/validator.ts';

/**
 * The expression checker used when a caller does not inject one: the expression compiler's
 * `compileExpression`, given the position of the expression's `@` in the document so that its
 * errors point into the document.
 */
export function expressionChecker(): ExpressionChecker | undefined {
  return (source, at) => compileExpression(source, { line: at.line, column: at.column });
}
