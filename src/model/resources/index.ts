import type { ResourceTypeDef } from '../resource-type.ts';
import { apiKeys, operatorSessions, operators, roleAssignments } from './access.ts';
import { apiVersionSets } from './api-version-sets.ts';
import { apiDefinitions, apiDiagnostics, apiOperations, apiReleases, apiSchemas, apis } from './apis.ts';
import { authorizationServers } from './authorization-servers.ts';
import { backends } from './backends.ts';
import { diagnostics } from './diagnostics.ts';
import { gatewayWorkspaceLinks, gateways } from './gateways.ts';
import { groupUsers, groups } from './groups.ts';
import { loggers } from './loggers.ts';
import { namedValues } from './named-values.ts';
import { notifications } from './notifications.ts';
import { apiOperationPolicies, apiPolicies, policies, productPolicies } from './policies.ts';
import { policyFragments } from './policy-fragments.ts';
import { productApiLinks, productGroupLinks, products } from './products.ts';
import { schemas } from './schemas.ts';
import { serviceSettings } from './settings.ts';
import { subscriptions } from './subscriptions.ts';
import { tagApiLinks, tagOperationLinks, tagProductLinks, tags } from './tags.ts';
import { users } from './users.ts';
import { workspaces } from './workspaces.ts';

/** Every resource type of the management API; parents come before their children. */
export const resourceTypes: readonly ResourceTypeDef[] = [
  workspaces,
  policies,
  apis,
  apiOperations,
  apiPolicies,
  apiOperationPolicies,
  apiReleases,
  apiSchemas,
  apiDiagnostics,
  apiDefinitions,
  apiVersionSets,
  products,
  productApiLinks,
  productGroupLinks,
  productPolicies,
  subscriptions,
  users,
  authorizationServers,
  groups,
  groupUsers,
  namedValues,
  policyFragments,
  schemas,
  tags,
  tagApiLinks,
  tagProductLinks,
  tagOperationLinks,
  backends,
  loggers,
  diagnostics,
  notifications,
  gateways,
  gatewayWorkspaceLinks,
  operators,
  operatorSessions,
  apiKeys,
  roleAssignments,
  serviceSettings,
];

/** The declaration of a kind, or undefined. */
export function getResourceType(kind: string): ResourceTypeDef | undefined {
  return resourceTypes.find((type) => type.kind === kind);
}
