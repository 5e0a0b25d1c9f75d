/**
 * Atrium's error base. Each area declares its errors with a stable UPPER_SNAKE code and no
 * knowledge of HTTP; the management API maps codes to statuses and Azure's error envelope in
 * one table (src/management/error-map.ts).
 */
export interface ErrorDetail {
  readonly code: string;
  readonly target?: string;
  readonly message: string;
}

export class AtriumError extends Error {
  readonly code: string;
  readonly details: readonly ErrorDetail[];

  constructor(code: string, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.name = 'AtriumError';
    this.code = code;
    this.details = details;
  }
}

/** Codes raised by the resource model and engine. */
export const modelErrorCodes = [
  'VALIDATION_FAILED',
  'INVALID_NAME',
  'INVALID_REFERENCE',
  'INVALID_FILTER',
  'RESOURCE_NOT_FOUND',
  'PARENT_NOT_FOUND',
  'NAME_CONFLICT',
  'PRECONDITION_FAILED',
  'DELETE_RESTRICTED',
  'BUILT_IN_RESOURCE',
  'LIMIT_EXCEEDED',
  'ACTION_NOT_FOUND',
] as const;
export type ModelErrorCode = (typeof modelErrorCodes)[number];

export function modelError(code: ModelErrorCode, message: string, details: readonly ErrorDetail[] = []): AtriumError {
  return new AtriumError(code, message, details);
}
