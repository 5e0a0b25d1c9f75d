import { Type } from '@sinclair/typebox';
import type { TLiteral, TObject, TProperties, TUnion } from '@sinclair/typebox';

/**
 * Schema building blocks shared by the resource families. Enumerations are unions of literals
 * (every JSON Schema validator checks them, and the allowed values travel in `description`
 * for error messages and the OpenAPI document).
 */
export function oneOf<const T extends readonly string[]>(values: T, description?: string): TUnion<TLiteral<T[number]>[]> {
  const allowed = `One of: ${values.join(', ')}.`;
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    { description: description === undefined ? allowed : `${description} ${allowed}` },
  );
}

/** A string with Azure's documented length limits. */
export function text(limits: { min?: number; max?: number } = {}, description?: string) {
  return Type.String({
    ...(limits.min === undefined ? {} : { minLength: limits.min }),
    ...(limits.max === undefined ? {} : { maxLength: limits.max }),
    ...(description === undefined ? {} : { description }),
  });
}

/** A closed object: unknown properties are rejected, as on the `properties` root. */
export function closed<T extends TProperties>(properties: T, description?: string): TObject<T> {
  return Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });
}

/** A JSON object whose content Azure does not constrain (OpenAPI components, JSON schemas). */
export function freeForm(description?: string) {
  return Type.Record(Type.String(), Type.Unknown(), description === undefined ? {} : { description });
}

/** `{ name: string[] }` maps such as backend credential headers and query parameters. */
export function stringListMap(description?: string) {
  return Type.Record(Type.String(), Type.Array(Type.String()), description === undefined ? {} : { description });
}

/** A resource id (`/apis/echo`, `/workspaces/w1/products/p1` or Azure's full ARM form). */
export function resourceId(description?: string) {
  return Type.String({ minLength: 1, ...(description === undefined ? {} : { description }) });
}

/**
 * ISO 8601 date-time strings that Azure returns for computed dates. No `format` keyword: a
 * validator without that format registered would reject every value.
 */
export function dateTime(description?: string) {
  return Type.String(description === undefined ? {} : { description });
}

/** Azure's provisioning state, returned on most contracts and ignored on input. */
export const provisioningState = Type.Optional(Type.String({ description: 'Computed: the provisioning state.' }));
