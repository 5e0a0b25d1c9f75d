import { getHeader } from '../../policy/runtime/headers.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import type { CompileInput, PolicyFactory, Value } from '../../policy/runtime/types.ts';
import { action, conclude, type Action, type ValidationError } from '../validate-parameters/validation.ts';
import { checkSchema, type JsonSchema } from './json-schema.ts';

interface Representation {
  readonly contentType?: string;
  readonly schemaId?: string;
  readonly typeName?: string;
}

interface ContentRule {
  /** Lower-cased media type; undefined: every content type the definition specifies. */
  readonly type: string | undefined;
  readonly validateAs: string;
  readonly action: Value;
  /** A schema given by the policy (schema-id, schema-ref); otherwise the definition's. */
  readonly schema: { readonly root: JsonSchema; readonly document: unknown; readonly name: string } | undefined;
  readonly allowAdditional: boolean | undefined;
  readonly caseInsensitive: boolean;
}

/**
 * Checks the body of the request (inbound) or response (outbound, on-error): its size against
 * `max-size`; its content type against those the operation's definition specifies
 * (`unspecified-content-type-action`); and, for each `<content validate-as="json">` matching the
 * content type, the JSON body against the schema — `schema-id` (a schema resource, with
 * `schema-ref` inside it) or the definition's (the representation's schema and type name in the
 * API's schemas). `validate-as="xml"` and `"soap"` check size and content type only (Atrium has no
 * XML schema validator; compiling says so). Schemas are resolved when the pipeline is compiled.
 */
export const runtime: PolicyFactory = function compileValidateContent(input) {
  const inbound = input.section === 'inbound' || input.section === 'backend';
  const maxSize = input.value('max-size')!;
  const sizeAction = input.value('size-exceeded-action')!;
  const unspecifiedAction = input.value('unspecified-content-type-action')!;
  const variable = input.constant('errors-variable-name');
  const map = input.child('content-type-map');
  const anyType = map ? input.constant('any-content-type-value', map) : undefined;
  const missingType = map ? input.constant('missing-content-type-value', map) : undefined;
  const mapped = (map ? input.children('type', map) : []).map((t) => {
    const when = input.constant('when', t);
    let pattern: RegExp | undefined;
    if (when !== undefined) {
      try {
        pattern = new RegExp(when, 'i');
      } catch {
        input.fail(`'${when}' is not a valid regular expression`);
      }
    }
    return { from: input.constant('from', t)?.toLowerCase(), when: pattern, to: input.constant('to', t)!.toLowerCase() };
  });
  const representations = definitionRepresentations(input, inbound);
  const specified = new Map(representations.filter((r) => r.contentType).map((r) => [mediaType(r.contentType!), r]));
  const rules: ContentRule[] = input.children('content').map((c) => {
    const validateAs = (input.constant('validate-as', c) ?? 'json').toLowerCase();
    if (validateAs !== 'json') input.services.log(`validate-content: validate-as="${validateAs}" checks size and content type only on Atrium`);
    const schemaId = input.constant('schema-id', c);
    let schema: ContentRule['schema'];
    if (schemaId !== undefined) {
      const document = input.schema(schemaId);
      if (document === undefined) input.fail(`schema '${schemaId}' does not exist`);
      const ref = input.constant('schema-ref', c);
      const root = ref ? resolvePointer(document, ref.startsWith('#') ? ref : `#/${ref}`) : document;
      if (root === undefined) input.fail(`schema-ref '${ref}' is not found in schema '${schemaId}'`);
      schema = { root: root as JsonSchema, document, name: ref ?? schemaId };
    }
    return {
      type: input.constant('type', c) ? mediaType(input.constant('type', c)!) : undefined,
      validateAs,
      action: input.value('action', c)!,
      schema,
      allowAdditional: bool(input.constant('allow-additional-properties', c)),
      caseInsensitive: bool(input.constant('case-insensitive-property-names', c)) === true,
    };
  });
  // The definition's schema of each specified content type, resolved now.
  const definitionSchemas = new Map<string, { root: JsonSchema; document: unknown; name: string }>();
  for (const [type, r] of specified) {
    if (!r.schemaId || !r.typeName) continue;
    const document = input.apiSchema(r.schemaId) as { components?: { schemas?: Record<string, unknown> }; definitions?: Record<string, unknown> } | undefined;
    const root = document?.components?.schemas?.[r.typeName] ?? document?.definitions?.[r.typeName];
    if (root !== undefined) definitionSchemas.set(type, { root: root as JsonSchema, document: rootDocument(document), name: r.typeName });
  }
  const noun = inbound ? 'request' : 'response';
  const type = inbound ? 'RequestBody' : 'ResponseBody';

  return async function validateContent(pc: PolicyContext) {
    const headers = inbound ? pc.gateway.request.headers : pc.ensureResponse().headers;
    const body = inbound ? await pc.requestBody() : await pc.responseBody();
    const errors: ValidationError[] = [];
    const limit = Number(maxSize(pc));
    if (body.length > limit) {
      errors.push({ Name: '', Type: type, ValidationRule: 'SizeLimit', Details: `${inbound ? 'Request' : 'Response'}'s body is ${body.length} bytes long and it exceeds the configured limit of ${limit} bytes.`, Action: action(sizeAction(pc)) });
      return conclude(pc, errors, variable, 'validate-content');
    }
    let contentType = mediaType(getHeader(headers, 'content-type') ?? '');
    if (contentType === '' && missingType) contentType = mediaType(missingType);
    for (const m of mapped) if ((m.from === undefined || m.from === contentType) && (m.when === undefined || m.when.test(contentType))) contentType = m.to;
    if (anyType && !specified.has(contentType)) contentType = mediaType(anyType);
    if (body.length === 0 && contentType === '') return undefined;
    if (specified.size > 0 && !specified.has(contentType)) {
      errors.push({ Name: contentType, Type: type, ValidationRule: 'Unspecified', Details: `Unspecified content type ${contentType || '(none)'} is not allowed.`, Action: action(unspecifiedAction(pc)) });
      return conclude(pc, errors, variable, 'validate-content');
    }
    const rule = rules.find((r) => r.type === contentType) ?? rules.find((r) => r.type === undefined);
    if (rule === undefined || rule.validateAs !== 'json') return undefined;
    const chosen: Action = action(rule.action(pc));
    if (chosen === 'ignore') return undefined;
    const schema = rule.schema ?? definitionSchemas.get(contentType);
    if (schema === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (error) {
      errors.push({ Name: schema.name, Type: type, ValidationRule: 'SchemaValidation', Details: `Body of the ${noun} is not valid JSON: ${(error as Error).message}`, Action: chosen });
      return conclude(pc, errors, variable, 'validate-content');
    }
    const problem = checkSchema(value, schema.root, {
      allowAdditionalProperties: rule.allowAdditional,
      caseInsensitivePropertyNames: rule.caseInsensitive,
      resolve: (ref) => resolvePointer(schema.document, ref) as JsonSchema | undefined,
    });
    if (problem === undefined) return undefined;
    errors.push({
      Name: schema.name,
      Type: type,
      ValidationRule: 'SchemaValidation',
      Details: `Body of the ${noun} does not conform to the definition ${schema.name}, which is associated with the content type ${contentType}. ${problem}`,
      Action: chosen,
    });
    return conclude(pc, errors, variable, 'validate-content');
  };
};

function definitionRepresentations(input: CompileInput, inbound: boolean): Representation[] {
  const operation = input.operation;
  if (operation === undefined) return [];
  if (inbound) return ((operation.request as { representations?: Representation[] } | undefined)?.representations ?? []);
  const out: Representation[] = [];
  for (const r of (operation.responses as { representations?: Representation[] }[] | undefined) ?? []) out.push(...(r.representations ?? []));
  return out;
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function bool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

/** `$ref`s of OpenAPI components point at `#/components/schemas/…`: resolve against a document with that shape. */
function rootDocument(document: { components?: unknown; definitions?: unknown } | undefined): unknown {
  if (document === undefined) return undefined;
  return { components: document.components, definitions: document.definitions };
}

function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(1).split('/').filter((p) => p !== '')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
