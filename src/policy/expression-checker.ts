import type { ExpressionChecker } from './validate/validator.ts';

/** What this module needs from the expression compiler (src/policy/expressions/index.ts). */
interface ExpressionCompilerModule {
  readonly compileExpression?: (source: string, options?: { line?: number; column?: number }) => unknown;
}

// Loaded by a computed specifier so this module type-checks and runs before the compiler
// exists; a compiler that exists but fails to load is an error, not a silent fallback.
const specifier = './expressions/index.ts';
let compiler: ExpressionCompilerModule | undefined;
try {
  compiler = (await import(new URL(specifier, import.meta.url).href)) as ExpressionCompilerModule;
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes('expressions/index.ts')) throw error;
}

/**
 * The expression checker used when a caller does not inject one: the expression compiler's
 * `compileExpression` when it is present, otherwise undefined (expressions are then checked
 * only for balanced brackets and closed literals, by the parser).
 */
export function expressionChecker(): ExpressionChecker | undefined {
  const compile = compiler?.compileExpression;
  if (typeof compile !== 'function') return undefined;
  return (source, at) => compile(source, at);
}
