import { getHeader } from '../../policy/runtime/headers.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { action, conclude, type ValidationError } from '../validate-parameters/validation.ts';

interface Parameter {
  readonly name: string;
  readonly required?: boolean;
  readonly values?: readonly string[];
}

/** Headers any HTTP response carries, never "unspecified". */
const STANDARD = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'server', 'vary', 'etag', 'cache-control', 'expires', 'last-modified', 'content-encoding', 'age', 'pragma']);

/**
 * Checks the response's headers against those the operation's definition declares for the
 * response's status code: a declared header that is required and missing, or outside its
 * allowed values, gets `specified-header-action` (or its `<header>` override); a header not
 * declared gets `unspecified-header-action`. Standard HTTP headers are never unspecified.
 */
export const runtime: PolicyFactory = function compileValidateHeaders(input) {
  const responses = (input.operation?.responses as { statusCode?: number; headers?: Parameter[] }[] | undefined) ?? [];
  const byStatus = new Map(responses.map((r) => [r.statusCode, r.headers ?? []]));
  const specified = input.value('specified-header-action')!;
  const unspecified = input.value('unspecified-header-action')!;
  const overrides = new Map(input.children('header').map((e) => [String(input.constant('name', e)).toLowerCase(), input.value('action', e)!]));
  const variable = input.constant('errors-variable-name');
  return function validateHeaders(pc) {
    const response = pc.ensureResponse();
    const declared = byStatus.get(response.status) ?? [];
    const names = new Set(declared.map((h) => h.name.toLowerCase()));
    const errors: ValidationError[] = [];
    const actionFor = (name: string, fallback: typeof specified) => action((overrides.get(name.toLowerCase()) ?? fallback)(pc));
    for (const header of declared) {
      const value = getHeader(response.headers, header.name);
      if (value === undefined) {
        if (header.required) errors.push({ Name: header.name, Type: 'ResponseHeader', ValidationRule: 'IsRequired', Details: `Header ${header.name} is required.`, Action: actionFor(header.name, specified) });
      } else if (header.values && header.values.length > 0 && !header.values.includes(value)) {
        errors.push({ Name: header.name, Type: 'ResponseHeader', ValidationRule: 'Enum', Details: `Value ${value} of header ${header.name} is not one of the allowed values.`, Action: actionFor(header.name, specified) });
      }
    }
    for (let i = 0; i < response.headers.length; i += 2) {
      const name = response.headers[i].toLowerCase();
      if (names.has(name) || STANDARD.has(name)) continue;
      errors.push({ Name: response.headers[i], Type: 'ResponseHeader', ValidationRule: 'Unspecified', Details: `Unspecified header ${response.headers[i]} is not allowed.`, Action: actionFor(name, unspecified) });
    }
    return conclude(pc, errors, variable, 'validate-headers');
  };
};
