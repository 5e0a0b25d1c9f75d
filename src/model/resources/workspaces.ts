import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, text } from './schema-parts.ts';

/** WorkspaceContractProperties. */
export const workspaceProperties = closed({
  displayName: text({ min: 1 }, 'Name of the workspace.'),
  description: Type.Optional(text({}, 'Description of the workspace.')),
});

export const workspaces: ResourceTypeDef = {
  kind: 'workspaces',
  segment: 'workspaces',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/workspaces',
  title: 'Workspace',
  schema: workspaceProperties,
  uniqueness: 'service',
};
