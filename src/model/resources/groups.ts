import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, text } from './schema-parts.ts';

/** GroupCreateParametersProperties plus the computed `builtIn` of GroupContractProperties. */
export const groupProperties = closed({
  displayName: text({ min: 1, max: 300 }, 'Group name.'),
  description: Type.Optional(text({ max: 1000 }, 'Group description.')),
  type: Type.Optional(oneOf(['custom', 'system', 'external'], 'Group type; custom unless given.')),
  externalId: Type.Optional(
    Type.String({
      description:
        'Identifier of the external group: for Microsoft Entra ID groups aad://<tenant>.onmicrosoft.com/groups/<group object id>.',
    }),
  ),
  builtIn: Type.Optional(Type.Boolean({ description: 'Computed: true for the system groups.' })),
});

const builtInGroups = ['administrators', 'developers', 'guests'];

/**
 * A group created through the API is a custom group unless its type says otherwise; only the
 * built-in groups are system groups with `builtIn: true`.
 */
export function prepareGroup(input: PrepareInput): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...input.properties };
  const isBuiltIn = builtInGroups.includes(input.name) && input.workspace === undefined;
  properties.builtIn = isBuiltIn;
  if (isBuiltIn) properties.type = 'system';
  else properties.type ??= input.existing?.type ?? 'custom';
  return properties;
}

export const groups: ResourceTypeDef = {
  kind: 'groups',
  segment: 'groups',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/groups',
  title: 'Group',
  schema: groupProperties,
  readOnly: ['builtIn'],
  uniqueness: 'service',
  builtIn: [
    {
      name: 'administrators',
      properties: {
        displayName: 'Administrators',
        description:
          'Administrators is a built-in group containing the admin email account provided at the time of service creation. Its membership is managed by the system.',
        builtIn: true,
        type: 'system',
      },
    },
    {
      name: 'developers',
      properties: {
        displayName: 'Developers',
        description: 'Developers is a built-in group. Its membership is managed by the system. Signed-in users fall into this group.',
        builtIn: true,
        type: 'system',
      },
    },
    {
      name: 'guests',
      properties: {
        displayName: 'Guests',
        description:
          'Guests is a built-in group. Its membership is managed by the system. Unauthenticated users visiting the developer portal fall into this group.',
        builtIn: true,
        type: 'system',
      },
    },
  ],
  prepare: prepareGroup,
};

/** Group membership: `/groups/{g}/users/{userId}`, the name is the user's. */
export const groupUsers: ResourceTypeDef = {
  kind: 'groupUsers',
  segment: 'users',
  parent: 'groups',
  azureType: 'Microsoft.ApiManagement/service/groups/users',
  title: 'Group user',
  schema: closed({}),
  nameReference: { to: 'users', onTargetDelete: 'cascade' },
};
