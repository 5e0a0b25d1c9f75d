/**
 * Roles as data: each built-in role is a set of permissions over (resource family × action) at
 * one kind of scope. A custom role is later just another entry of the same shape.
 */
export const actions = ['read', 'write', 'delete', 'reveal'] as const;
export type Action = (typeof actions)[number];

export const families = ['workspaces', 'apis', 'products', 'policies', 'settings', 'users', 'gateways', 'access', 'logs', 'audit'] as const;
export type Family = (typeof families)[number];

export type ScopeType = 'service' | 'workspace' | 'gateway';

export interface RoleDef {
  readonly name: string;
  readonly scope: ScopeType;
  readonly description: string;
  readonly permissions: Readonly<Partial<Record<Family, readonly Action[]>>>;
}

const all: readonly Action[] = actions;
const read: readonly Action[] = ['read'];

/** Which family each resource kind belongs to; `logs` and `audit` are the record routes. */
export const familyOfKind: Readonly<Record<string, Family>> = {
  workspaces: 'workspaces',
  apis: 'apis',
  apiOperations: 'apis',
  apiPolicies: 'apis',
  apiOperationPolicies: 'apis',
  apiReleases: 'apis',
  apiSchemas: 'apis',
  apiDiagnostics: 'apis',
  apiDefinitions: 'apis',
  apiVersionSets: 'apis',
  namedValues: 'apis',
  policyFragments: 'apis',
  schemas: 'apis',
  tags: 'apis',
  tagApiLinks: 'apis',
  tagProductLinks: 'apis',
  tagOperationLinks: 'apis',
  backends: 'apis',
  products: 'products',
  productApiLinks: 'products',
  productGroupLinks: 'products',
  productPolicies: 'products',
  subscriptions: 'products',
  groups: 'products',
  groupUsers: 'products',
  policies: 'policies',
  serviceSettings: 'policies',
  loggers: 'settings',
  diagnostics: 'settings',
  notifications: 'settings',
  users: 'users',
  authorizationServers: 'users',
  gateways: 'gateways',
  // Which workspaces a gateway serves is the organization's decision, not the gateway operator's.
  gatewayWorkspaceLinks: 'workspaces',
  operators: 'access',
  operatorSessions: 'access',
  apiKeys: 'access',
  roleAssignments: 'access',
  logs: 'logs',
  audit: 'audit',
};

const everything = (list: readonly Action[]): Record<Family, readonly Action[]> =>
  Object.fromEntries(families.map((f) => [f, list])) as Record<Family, readonly Action[]>;

export const builtInRoles: readonly RoleDef[] = [
  { name: 'owner', scope: 'service', description: 'Everything, including workspaces and access.', permissions: everything(all) },
  {
    name: 'contributor',
    scope: 'service',
    description: 'Manages every resource, but not workspaces themselves nor access (keys, operators, role assignments).',
    permissions: { ...everything(all), workspaces: read, access: read },
  },
  { name: 'reader', scope: 'service', description: 'Reads everything; reveals no secret.', permissions: everything(read) },
  {
    name: 'workspace-manager',
    scope: 'workspace',
    description: 'Everything in the workspace, its members and keys included.',
    permissions: { workspaces: read, apis: all, products: all, policies: all, settings: all, access: all, logs: read, audit: read },
  },
  {
    name: 'api-developer',
    scope: 'workspace',
    description: 'APIs, operations, schemas, API policies, named values, fragments, backends, tags and version sets.',
    permissions: { workspaces: read, apis: all, products: read, policies: read, settings: read, logs: read },
  },
  {
    name: 'product-manager',
    scope: 'workspace',
    description: 'Products, subscriptions, groups and product policies.',
    permissions: { workspaces: read, apis: read, products: all, policies: read, settings: read, logs: read },
  },
  {
    name: 'workspace-reader',
    scope: 'workspace',
    description: 'Reads everything in the workspace; reveals no secret.',
    permissions: { workspaces: read, apis: read, products: read, policies: read, settings: read, access: read, logs: read },
  },
  {
    name: 'gateway-operator',
    scope: 'gateway',
    description: "Reads and configures one gateway (its listener settings), and reads its workspace links.",
    permissions: { gateways: ['read', 'write'] },
  },
];

export function findRole(name: string): RoleDef | undefined {
  return builtInRoles.find((r) => r.name === name);
}

export function roleAllows(role: RoleDef, family: Family, action: Action): boolean {
  return role.permissions[family]?.includes(action) ?? false;
}
