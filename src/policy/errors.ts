import { AtriumError } from '../model/errors.ts';
import type { ErrorDetail } from '../model/errors.ts';

/**
 * Codes raised while parsing, validating and composing policy documents. Stable: the management
 * API maps each to a status (a document that does not parse or validate is a 400).
 */
export const policyErrorCodes = [
  /** Not well-formed: bad markup, bad entity, text outside the root, unterminated comment… */
  'POLICY_XML_MALFORMED',
  /** A closing tag does not match the open element. */
  'POLICY_XML_MISMATCHED_TAG',
  /** A policy expression `@(…)`/`@{…}` never closes, or holds an unterminated literal. */
  'POLICY_EXPRESSION_UNTERMINATED',
  /** A policy expression does not compile (reported by the expression compiler). */
  'POLICY_EXPRESSION_INVALID',
  /** The root is neither `<policies>` nor `<fragment>`. */
  'POLICY_UNKNOWN_ROOT',
  /** A child of `<policies>` other than inbound, backend, outbound, on-error, or one given twice. */
  'POLICY_UNKNOWN_SECTION',
  /** An element that is not an Azure API Management policy. */
  'POLICY_UNKNOWN_ELEMENT',
  /** An Azure policy that Atrium does not run. */
  'POLICY_UNSUPPORTED_ELEMENT',
  /** A policy placed in a section, scope or parent where it is not allowed. */
  'POLICY_ELEMENT_NOT_ALLOWED',
  /** Unknown attribute, or a value of the wrong type or outside the allowed values. */
  'POLICY_INVALID_ATTRIBUTE',
  /** A required attribute is absent. */
  'POLICY_MISSING_ATTRIBUTE',
  /** A required child element is absent, or a child occurs too often. */
  'POLICY_INVALID_CHILDREN',
  /** `<base/>` more than once in a section, or where the scope has no parent. */
  'POLICY_INVALID_BASE',
  /**
   * A section without `<base/>` where the service requires one in every workspace-level policy
   * (governance in `enforce` mode; `audit` mode lists the same findings).
   */
  'POLICY_BASE_REQUIRED',
  /** `<include-fragment>` names a fragment that does not exist. */
  'POLICY_FRAGMENT_NOT_FOUND',
  /** Fragments include each other in a cycle. */
  'POLICY_FRAGMENT_CYCLE',
  /**
   * A policy names a backend (`set-backend-service backend-id`) or logger (`log-to-eventhub
   * logger-id`) that does not exist where the document lives (a workspace document sees only
   * its own workspace's).
   */
  'POLICY_REFERENCE_NOT_FOUND',
  /** `{{name}}` names a named value that does not exist (or is not visible from the document's workspace). */
  'POLICY_NAMED_VALUE_NOT_FOUND',
] as const;
export type PolicyErrorCode = (typeof policyErrorCodes)[number];

/** Where in the document text an error lies (1-based line and column). */
export interface PolicyErrorLocation {
  readonly line: number;
  readonly column: number;
}

/**
 * An error in a policy document. `message` already names the line and column; `line`/`column`
 * carry them for tools. `errors` holds every problem found when validation collected several
 * (the first one is this error itself).
 */
export class PolicyError extends AtriumError {
  override readonly code: PolicyErrorCode;
  readonly line: number;
  readonly column: number;
  readonly errors: readonly PolicyError[];

  constructor(code: PolicyErrorCode, message: string, location: PolicyErrorLocation, errors: readonly PolicyError[] = []) {
    const located = `${message} (line ${location.line}, column ${location.column})`;
    const details: ErrorDetail[] = errors.map((e) => ({ code: e.code, message: e.message }));
    super(code, located, details);
    this.name = 'PolicyError';
    this.code = code;
    this.line = location.line;
    this.column = location.column;
    this.errors = errors.length > 0 ? errors : [this];
  }
}

export function policyError(code: PolicyErrorCode, message: string, location: PolicyErrorLocation): PolicyError {
  return new PolicyError(code, message, location);
}
