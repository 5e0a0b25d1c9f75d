import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, provisioningState, text } from './schema-parts.ts';

/** NamedValueCreateContractProperties plus the computed fields of NamedValueContractProperties. */
export const namedValueProperties = closed({
  displayName: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'Unique name used in policies: letters, digits, dot, dash and underscore.',
  }),
  value: Type.Optional(text({ max: 4096 }, 'Value; may contain policy expressions. Required unless keyVault is given.')),
  secret: Type.Optional(Type.Boolean({ description: 'Whether the value is a secret (hidden, revealed by listValue).' })),
  tags: Type.Optional(Type.Array(Type.String(), { maxItems: 32, description: 'Optional tags used for filtering.' })),
  keyVault: Type.Optional(
    closed({
      secretIdentifier: Type.Optional(Type.String({ description: 'Key vault secret identifier.' })),
      identityClientId: Type.Optional(Type.String({ description: 'Client id of the managed identity used to read the secret.' })),
      lastStatus: Type.Optional(
        closed({
          code: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
          timeStampUtc: Type.Optional(Type.String()),
        }, 'Computed: the last key vault refresh status.'),
      ),
    }),
  ),
  provisioningState,
});

/**
 * `secret` defaults to false. A secret value is never read back, so a body without `value`
 * keeps the stored one (a read-back body can be sent again).
 */
export function prepareNamedValue(input: PrepareInput): Record<string, unknown> {
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  properties.secret ??= existing.secret ?? false;
  if (properties.value === undefined && properties.keyVault === undefined && existing.secret === true && existing.value !== undefined) {
    properties.value = existing.value;
  }
  return properties;
}

export const namedValues: ResourceTypeDef = {
  kind: 'namedValues',
  segment: 'namedValues',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/namedValues',
  title: 'Named value',
  schema: namedValueProperties,
  readOnly: ['provisioningState'],
  uniqueness: 'service',
  secrets: { properties: ['value'], when: (properties) => properties.secret === true, hidden: true },
  prepare: prepareNamedValue,
  actions: {
    listValue: { kind: 'reveal', run: (ctx) => ({ response: { value: ctx.properties.value } }) },
  },
};
