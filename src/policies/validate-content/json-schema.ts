/**
 * The JSON Schema checks validate-content runs (draft 4–2020 keywords as OpenAPI documents use
 * them): type (and `nullable`), enum, const, properties, required, additionalProperties,
 * patternProperties, items (and prefixItems), min/max lengths, items and properties, minimum,
 * maximum (and exclusive forms), multipleOf, pattern, uniqueItems, allOf, anyOf, oneOf, not, and
 * local `$ref`s (`#/components/schemas/X`, `#/definitions/X`). `format` is not checked. Schemas are
 * plain data; patterns are compiled once per schema object.
 */
export type JsonSchema = boolean | Record<string, unknown>;

export interface SchemaOptions {
  /** Overrides `additionalProperties` everywhere: true allows, false forbids (undefined: as written). */
  readonly allowAdditionalProperties?: boolean;
  readonly caseInsensitivePropertyNames?: boolean;
  /** Resolves a local reference (`#/…`) against the document the schema came from. */
  readonly resolve: (ref: string) => JsonSchema | undefined;
}

const patterns = new WeakMap<object, RegExp>();
const patternPropertyLists = new WeakMap<object, readonly (readonly [RegExp, JsonSchema])[]>();

/** `patternProperties` with their expressions compiled once per schema object (an invalid one matches nothing). */
function compiledPatternProperties(schema: Record<string, unknown>): readonly (readonly [RegExp, JsonSchema])[] {
  let list = patternPropertyLists.get(schema);
  if (list === undefined) {
    list = Object.entries((schema.patternProperties ?? {}) as Record<string, JsonSchema>).map(([p, sch]) => {
      try {
        return [new RegExp(p, 'u'), sch] as const;
      } catch {
        return [/(?!)/, sch] as const;
      }
    });
    patternPropertyLists.set(schema, list);
  }
  return list;
}

/** The first problem found, as a message with the JSON path, or undefined when the value conforms. */
export function checkSchema(value: unknown, schema: JsonSchema, options: SchemaOptions, path = '', depth = 0): string | undefined {
  if (schema === true) return undefined;
  if (schema === false) return `${where(path)}is not allowed.`;
  if (depth > 64) return undefined;
  const s = schema;
  if (typeof s.$ref === 'string') {
    const target = options.resolve(s.$ref);
    if (target === undefined) return `The reference ${s.$ref} cannot be resolved.`;
    const problem = checkSchema(value, target, options, path, depth + 1);
    if (problem) return problem;
  }
  if (value === null && s.nullable === true) return undefined;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => isType(value, t))) return `${where(path)}is ${typeOf(value)}, not ${types.join(' or ')}.`;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, value))) return `${where(path)}value ${JSON.stringify(value)} is not one of the allowed values.`;
  if ('const' in s && !equal(s.const, value)) return `${where(path)}value ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}.`;
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength) return `${where(path)}is shorter than ${s.minLength} characters.`;
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) return `${where(path)}is longer than ${s.maxLength} characters.`;
    if (typeof s.pattern === 'string') {
      let re = patterns.get(s);
      if (!re) {
        try {
          re = new RegExp(s.pattern, 'u');
        } catch {
          re = /(?:)/;
        }
        patterns.set(s, re);
      }
      if (!re.test(value)) return `${where(path)}does not match the pattern ${s.pattern}.`;
    }
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum)) return `${where(path)}is less than ${s.minimum}.`;
    if (typeof s.maximum === 'number' && (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum)) return `${where(path)}is greater than ${s.maximum}.`;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return `${where(path)}is not greater than ${s.exclusiveMinimum}.`;
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return `${where(path)}is not less than ${s.exclusiveMaximum}.`;
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9) return `${where(path)}is not a multiple of ${s.multipleOf}.`;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return `${where(path)}has fewer than ${s.minItems} items.`;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return `${where(path)}has more than ${s.maxItems} items.`;
    if (s.uniqueItems === true) {
      for (let i = 0; i < value.length; i++) for (let j = i + 1; j < value.length; j++) if (equal(value[i], value[j])) return `${where(path)}has duplicate items.`;
    }
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as JsonSchema[]) : Array.isArray(s.items) ? (s.items as JsonSchema[]) : [];
    const rest = Array.isArray(s.items) ? (s.additionalItems as JsonSchema | undefined) : (s.items as JsonSchema | undefined);
    for (let i = 0; i < value.length; i++) {
      const itemSchema = i < prefix.length ? prefix[i] : rest;
      if (itemSchema === undefined) continue;
      const problem = checkSchema(value[i], itemSchema, options, `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const names = Object.keys(object);
    const find = (name: string): string | undefined =>
      name in object ? name : options.caseInsensitivePropertyNames ? names.find((n) => n.toLowerCase() === name.toLowerCase()) : undefined;
    for (const required of (s.required as string[] | undefined) ?? []) {
      if (find(required) === undefined) return `Required property '${required}' not found${path ? ` in ${path}` : ''}.`;
    }
    if (typeof s.minProperties === 'number' && names.length < s.minProperties) return `${where(path)}has fewer than ${s.minProperties} properties.`;
    if (typeof s.maxProperties === 'number' && names.length > s.maxProperties) return `${where(path)}has more than ${s.maxProperties} properties.`;
    const declared = new Map(Object.keys(properties).map((k) => [options.caseInsensitivePropertyNames ? k.toLowerCase() : k, k]));
    const patternProperties = compiledPatternProperties(s);
    for (const name of names) {
      const key = declared.get(options.caseInsensitivePropertyNames ? name.toLowerCase() : name);
      const child = `${path}${path ? '.' : ''}${name}`;
      if (key !== undefined) {
        const problem = checkSchema(object[name], properties[key], options, child, depth + 1);
        if (problem) return problem;
        continue;
      }
      const matching = patternProperties.filter(([re]) => re.test(name));
      if (matching.length > 0) {
        for (const [, sch] of matching) {
          const problem = checkSchema(object[name], sch, options, child, depth + 1);
          if (problem) return problem;
        }
        continue;
      }
      const additional = options.allowAdditionalProperties === undefined ? s.additionalProperties : options.allowAdditionalProperties;
      if (additional === false) return `Property '${name}' has not been defined and the schema does not allow additional properties.`;
      if (additional !== undefined && additional !== true) {
        const problem = checkSchema(object[name], additional as JsonSchema, options, child, depth + 1);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const sub of s.allOf as JsonSchema[]) {
      const problem = checkSchema(value, sub, options, path, depth + 1);
      if (problem) return problem;
    }
  }
  if (Array.isArray(s.anyOf) && !(s.anyOf as JsonSchema[]).some((sub) => checkSchema(value, sub, options, path, depth + 1) === undefined)) {
    return `${where(path)}matches none of the schemas of anyOf.`;
  }
  if (Array.isArray(s.oneOf)) {
    const matches = (s.oneOf as JsonSchema[]).filter((sub) => checkSchema(value, sub, options, path, depth + 1) === undefined).length;
    if (matches !== 1) return `${where(path)}matches ${matches} of the schemas of oneOf, not exactly one.`;
  }
  if (s.not !== undefined && checkSchema(value, s.not as JsonSchema, options, path, depth + 1) === undefined) return `${where(path)}matches a schema it must not match.`;
  return undefined;
}

function where(path: string): string {
  return path === '' ? 'The value ' : `The value of ${path} `;
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
