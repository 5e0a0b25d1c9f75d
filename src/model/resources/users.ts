import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, dateTime, oneOf, text } from './schema-parts.ts';

/** UserCreateParameterProperties plus the computed fields of UserContractProperties. */
export const userProperties = closed({
  email: text({ min: 1, max: 254 }, 'Email address; unique within the service.'),
  firstName: text({ min: 1, max: 100 }, 'First name.'),
  lastName: text({ min: 1, max: 100 }, 'Last name.'),
  password: Type.Optional(Type.String({ description: 'User password; generated when not given.' })),
  state: Type.Optional(oneOf(['active', 'blocked', 'pending', 'deleted'], 'Account state; active unless given.')),
  note: Type.Optional(Type.String({ description: 'Optional note about the user set by the administrator.' })),
  identities: Type.Optional(
    Type.Array(
      closed({
        provider: Type.Optional(Type.String({ description: 'Identity provider name.' })),
        id: Type.Optional(Type.String({ description: 'Identifier value within the provider.' })),
      }),
    ),
  ),
  confirmation: Type.Optional(oneOf(['signup', 'invite'], 'Which confirmation email to send.')),
  appType: Type.Optional(oneOf(['portal', 'developerPortal'], 'Which developer portal the user belongs to.')),
  registrationDate: Type.Optional(dateTime('Computed: when the user registered.')),
  groups: Type.Optional(
    Type.Array(Type.Unknown(), { description: 'Computed: the groups the user belongs to.' }),
  ),
});

/**
 * Azure's default: a user is active unless created in another state. The password is never
 * read back, so a body without one keeps the stored password.
 */
export function prepareUser(input: PrepareInput): Record<string, unknown> {
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  properties.state ??= existing.state ?? 'active';
  properties.registrationDate = existing.registrationDate ?? input.now.toISOString();
  if (properties.password === undefined && existing.password !== undefined) properties.password = existing.password;
  return properties;
}

export const users: ResourceTypeDef = {
  kind: 'users',
  segment: 'users',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/users',
  title: 'User',
  schema: userProperties,
  readOnly: ['registrationDate', 'groups'],
  uniqueness: 'service',
  secrets: { properties: ['password'], hidden: true, mode: 'hash' },
  prepare: prepareUser,
};
