import { AtriumError } from '../model/errors.ts';
import type { ErrorDetail } from '../model/errors.ts';

/**
 * Codes raised while reading, validating and mapping an API definition. Stable, and free of
 * HTTP: the management API maps every one of them to a 400 in Azure's error envelope (a
 * definition that cannot be imported is the caller's problem, never a 500).
 */
export const definitionErrorCodes = [
  /** Not JSON or YAML, or not an object at the root. */
  'DEFINITION_MALFORMED',
  /** Neither `swagger: "2.0"` nor `openapi: 3.0.x / 3.1.x`. */
  'DEFINITION_UNSUPPORTED_VERSION',
  /** The document does not conform to the OpenAPI/Swagger schema of its version. */
  'DEFINITION_INVALID',
  /** A `$ref` names a location that does not exist. */
  'DEFINITION_DANGLING_REF',
  /** A `$ref` to another file in a definition given inline (only links resolve them). */
  'DEFINITION_EXTERNAL_REF',
  /** The document (or a link and the files it references) exceeds the size limit. */
  'DEFINITION_TOO_LARGE',
  /** The format is not one this importer reads, or `value` does not fit it. */
  'DEFINITION_UNSUPPORTED_FORMAT',
  /** A link (or a file it references) points to a host or address that is not allowed. */
  'DEFINITION_LINK_FORBIDDEN',
  /** A link could not be fetched: network error, timeout or a non-2xx answer. */
  'DEFINITION_LINK_FAILED',
  /** The operations cannot be represented as Atrium operations (e.g. duplicate method and URL template). */
  'DEFINITION_CONFLICT',
] as const;
export type DefinitionErrorCode = (typeof definitionErrorCodes)[number];

/**
 * A definition that cannot be imported. `pointer` is the JSON pointer (RFC 6901) of the offending
 * place in the document when there is one; `line`/`column` (1-based) locate syntax errors.
 */
export class DefinitionError extends AtriumError {
  override readonly code: DefinitionErrorCode;
  readonly pointer: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: DefinitionErrorCode,
    message: string,
    where: { pointer?: string; line?: number; column?: number; details?: readonly ErrorDetail[] } = {},
  ) {
    const details = where.details ?? (where.pointer === undefined ? [] : [{ code, target: where.pointer, message }]);
    super(code, message, details);
    this.name = 'DefinitionError';
    this.code = code;
    this.pointer = where.pointer;
    this.line = where.line;
    this.column = where.column;
  }
}

export function definitionError(
  code: DefinitionErrorCode,
  message: string,
  where: { pointer?: string; line?: number; column?: number; details?: readonly ErrorDetail[] } = {},
): DefinitionError {
  return new DefinitionError(code, message, where);
}
