/**
 * Rewrites a JSON schema from an imported definition (Swagger 2.0, OpenAPI 3.0 or 3.1) into
 * the dialect of the document being exported: OpenAPI 3.0's schema object or Swagger 2.0's.
 * Keywords the target has no equivalent for are kept under an `x-` name, so the exported
 * document stays valid and nothing is silently lost; `$ref`s are re-pointed at the target's
 * type location (`#/components/schemas/…` or `#/definitions/…`).
 */

export type SchemaDialect = '3.0' | '2.0';

type Obj = Record<string, unknown>;

const COMMON = new Set([
  'title', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type', 'items', 'allOf',
  'properties', 'additionalProperties', 'description', 'format', 'default', 'discriminator', 'readOnly', 'xml', 'externalDocs',
  'example',
]);
const ONLY_30 = new Set(['not', 'oneOf', 'anyOf', 'nullable', 'writeOnly', 'deprecated']);
const TYPES_30 = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const TYPES_20 = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string', 'null', 'file']);

const REF_PREFIXES = ['#/components/schemas/', '#/definitions/'];

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function retargetRef(ref: string, dialect: SchemaDialect): string {
  const target = dialect === '2.0' ? '#/definitions/' : '#/components/schemas/';
  for (const prefix of REF_PREFIXES) if (ref.startsWith(prefix)) return target + ref.slice(prefix.length);
  return ref;
}

export function convertSchema(schema: unknown, dialect: SchemaDialect): unknown {
  if (typeof schema === 'boolean') return schema ? {} : { not: {} };
  if (!isObj(schema)) return {};
  if (typeof schema.$ref === 'string') return { $ref: retargetRef(schema.$ref, dialect) };

  const allowed = (key: string) => COMMON.has(key) || (dialect === '3.0' && ONLY_30.has(key));
  const types = dialect === '3.0' ? TYPES_30 : TYPES_20;
  const out: Obj = {};
  let nullable = false;

  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) {
      out[key] = value;
      continue;
    }
    switch (key) {
      case 'type': {
        const list = Array.isArray(value) ? value : [value];
        if (list.includes('null')) nullable = true;
        const concrete = list.filter((t): t is string => typeof t === 'string' && t !== 'null' && types.has(t));
        if (concrete.length === 1) out.type = concrete[0];
        else if (concrete.length > 1) out['x-type'] = value;
        else if (dialect === '2.0' && list.length === 1 && list[0] === 'null') out.type = 'null';
        continue;
      }
      case 'nullable':
        if (value === true) nullable = true;
        continue;
      case 'const':
        if (schema.enum === undefined) out.enum = [value];
        continue;
      case 'examples':
        if (Array.isArray(value) && value.length > 0 && schema.example === undefined) out.example = value[0];
        else if (!Array.isArray(value)) out['x-examples'] = value;
        continue;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        if (typeof value === 'number') {
          const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
          out[bound] = value;
          out[key] = true;
        } else if (typeof value === 'boolean') out[key] = value;
        continue;
      }
      case 'required':
        if (Array.isArray(value) && value.length > 0) out.required = [...new Set(value.filter((v) => typeof v === 'string'))];
        continue;
      case 'enum':
        if (Array.isArray(value) && value.length > 0) out.enum = value;
        continue;
      case 'properties':
        if (isObj(value)) {
          const props: Obj = {};
          for (const [name, prop] of Object.entries(value)) props[name] = convertSchema(prop, dialect);
          out.properties = props;
        }
        continue;
      case 'items':
        if (Array.isArray(value)) {
          out.items = value.length > 0 ? convertSchema(value[0], dialect) : {};
          out['x-items'] = value;
        } else out.items = convertSchema(value, dialect);
        continue;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : convertSchema(value, dialect);
        continue;
      case 'not':
        if (dialect === '3.0') out.not = convertSchema(value, dialect);
        else out['x-not'] = value;
        continue;
      case 'allOf':
      case 'oneOf':
      case 'anyOf':
        if (!Array.isArray(value) || value.length === 0) continue;
        if (allowed(key)) out[key] = value.map((part) => convertSchema(part, dialect));
        else out[`x-${key}`] = value;
        continue;
      case 'discriminator':
        if (dialect === '2.0') {
          const name = typeof value === 'string' ? value : isObj(value) ? value.propertyName : undefined;
          if (typeof name === 'string') out.discriminator = name;
        } else if (typeof value === 'string') out.discriminator = { propertyName: value };
        else if (isObj(value) && typeof value.propertyName === 'string') out.discriminator = value;
        continue;
      default:
        if (allowed(key)) out[key] = value;
        else out[`x-${key}`] = value;
    }
  }
  if (nullable) {
    if (dialect === '3.0') out.nullable = true;
    else out['x-nullable'] = true;
  }
  if (dialect === '2.0' && out.type === 'file') out.type = 'string';
  return out;
}
