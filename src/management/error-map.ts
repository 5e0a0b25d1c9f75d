import { accessErrorCodes } from '../access/authenticator.ts';
import { definitionErrorCodes } from '../import/index.ts';
import { policyErrorCodes } from '../policy/index.ts';
import { AtriumError, modelErrorCodes, type ErrorDetail } from '../model/errors.ts';

/** The one table from Atrium's error codes to HTTP statuses and Azure's error codes. */
export const httpErrorCodes = [
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
  'ROUTE_NOT_FOUND',
  'INVALID_PARAMETER',
  'INTERNAL_ERROR',
] as const;

export const otherErrorCodes = ['SECRET_UNREADABLE', 'STORE_UNAVAILABLE'] as const;

interface Mapping {
  readonly status: number;
  readonly azureCode: string;
}

export const errorMap: Readonly<Record<string, Mapping>> = {
  // A definition that cannot be imported is the caller's problem.
  ...Object.fromEntries(definitionErrorCodes.map((code) => [code, { status: 400, azureCode: 'ValidationError' }])),
  // So is a policy document that does not parse or validate.
  ...Object.fromEntries(policyErrorCodes.map((code) => [code, { status: 400, azureCode: 'ValidationError' }])),
  VALIDATION_FAILED: { status: 400, azureCode: 'ValidationError' },
  INVALID_NAME: { status: 400, azureCode: 'ValidationError' },
  INVALID_REFERENCE: { status: 400, azureCode: 'ValidationError' },
  INVALID_FILTER: { status: 400, azureCode: 'ValidationError' },
  INVALID_PARAMETER: { status: 400, azureCode: 'ValidationError' },
  MALFORMED_JSON: { status: 400, azureCode: 'InvalidRequestContent' },
  RESOURCE_NOT_FOUND: { status: 404, azureCode: 'ResourceNotFound' },
  PARENT_NOT_FOUND: { status: 404, azureCode: 'ParentResourceNotFound' },
  ROUTE_NOT_FOUND: { status: 404, azureCode: 'NotFound' },
  ACTION_NOT_FOUND: { status: 404, azureCode: 'NotFound' },
  NAME_CONFLICT: { status: 409, azureCode: 'Conflict' },
  DELETE_RESTRICTED: { status: 409, azureCode: 'Conflict' },
  BUILT_IN_RESOURCE: { status: 409, azureCode: 'Conflict' },
  LIMIT_EXCEEDED: { status: 409, azureCode: 'LimitExceeded' },
  PRECONDITION_FAILED: { status: 412, azureCode: 'PreconditionFailed' },
  BODY_TOO_LARGE: { status: 413, azureCode: 'RequestEntityTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, azureCode: 'UnsupportedMediaType' },
  UNAUTHENTICATED: { status: 401, azureCode: 'Unauthorized' },
  FORBIDDEN: { status: 403, azureCode: 'Forbidden' },
  LOGIN_FAILED: { status: 401, azureCode: 'Unauthorized' },
  TOO_MANY_ATTEMPTS: { status: 429, azureCode: 'TooManyRequests' },
  SECRET_UNREADABLE: { status: 500, azureCode: 'InternalError' },
  STORE_UNAVAILABLE: { status: 503, azureCode: 'ServiceUnavailable' },
  INTERNAL_ERROR: { status: 500, azureCode: 'InternalError' },
};

/** Every code Atrium's areas declare; the error-map test checks each has a mapping. */
export const declaredErrorCodes: readonly string[] = [...modelErrorCodes, ...accessErrorCodes, ...httpErrorCodes, ...otherErrorCodes, ...definitionErrorCodes, ...policyErrorCodes];

export interface ErrorEnvelope {
  readonly error: { readonly code: string; readonly message: string; readonly details: readonly ErrorDetail[] };
}

export function toHttpError(error: AtriumError): { status: number; body: ErrorEnvelope } {
  const mapping = errorMap[error.code] ?? errorMap.INTERNAL_ERROR;
  const message = mapping.status >= 500 && !errorMap[error.code] ? 'An internal error occurred.' : error.message;
  return { status: mapping.status, body: { error: { code: mapping.azureCode, message, details: error.details } } };
}
