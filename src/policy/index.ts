/**
 * Atrium's policy documents: Azure API Management's policy XML, parsed, validated against the
 * policy catalog, composed along the scope chain and written back.
 *
 *   const doc = parsePolicyDocument(text, { format: 'rawxml' });        // throws PolicyError
 *   const result = validatePolicyDocument(doc, { scope: 'api', compileExpression });
 *   const { effective, resolved } = composePolicies(levels, { fragment, namedValue });
 *   serializePolicyDocument(effective);                                  // "calculate effective policy"
 *
 * Every error is a PolicyError with a stable `code` (see policyErrorCodes), `line` and
 * `column`; none of it knows about HTTP.
 */
export { parsePolicyDocument } from './document/parser.ts';
export type { ParseOptions } from './document/parser.ts';
export { serializePolicyDocument } from './document/serializer.ts';
export type { SerializeOptions } from './document/serializer.ts';
export { validatePolicyDocument, assertValidPolicyDocument } from './validate/validator.ts';
export type { ExpressionChecker, PolicyWarning, ValidateOptions, ValidationResult } from './validate/validator.ts';
export { composePolicies } from './compose/compose.ts';
export type { ComposedPolicy, ComposeResolvers, NamedValue, PolicyLevel } from './compose/compose.ts';
export { PolicyError, policyErrorCodes } from './errors.ts';
export type { PolicyErrorCode } from './errors.ts';
export { policyCatalog, getPolicySchema } from '../policies/registry.ts';
export type { PolicySchema, PolicyScope, PolicySupport, ElementSchema, AttributeSchema, ContentSchema } from './catalog/types.ts';
export { childElements, elementText, getAttribute, getSection, sectionNames } from './document/tree.ts';
export type {
  ExpressionReference,
  NamedValueReference,
  PolicyAttribute,
  PolicyDocument,
  PolicyDocumentFormat,
  PolicyElement,
  PolicyNode,
  PolicyText,
  SectionName,
  SourcePosition,
} from './document/tree.ts';
