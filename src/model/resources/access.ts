import { Type } from '@sinclair/typebox';
import { modelError } from '../errors.ts';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, text } from './schema-parts.ts';

/**
 * Atrium's own access resources (DESIGN.md §4, §6): operators (people and automation who manage
 * the platform), their login sessions, API keys and role assignments.
 */
export const serviceRoles = ['owner', 'contributor', 'reader'] as const;
export const workspaceRoles = ['workspace-manager', 'api-developer', 'product-manager', 'workspace-reader'] as const;
export const gatewayRoles = ['gateway-operator'] as const;
const allRoles = [...serviceRoles, ...workspaceRoles, ...gatewayRoles] as const;

const invalid = (target: string, message: string): Error =>
  modelError('VALIDATION_FAILED', message, [{ code: 'ValidationError', target: `properties.${target}`, message }]);

export const operators: ResourceTypeDef = {
  kind: 'operators',
  segment: 'operators',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/operators',
  title: 'Operator',
  schema: closed({
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', description: 'Login name.' }),
    displayName: Type.Optional(text({ max: 256 })),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'Write-only; stored as a scrypt hash. At least 12 characters.' })),
    state: Type.Optional(oneOf(['active', 'disabled'] as const, 'A disabled operator cannot sign in, and its sessions and user keys stop working.')),
  }),
  uniqueProperties: ['email'],
  secrets: { properties: ['password'], hidden: true, mode: 'hash' },
  prepare: (input: PrepareInput) => {
    const properties = { ...input.properties };
    properties.state ??= input.existing?.state ?? 'active';
    properties.displayName ??= input.existing?.displayName ?? input.name;
    if (properties.password === undefined && input.existing?.password !== undefined) properties.password = input.existing.password;
    return properties;
  },
};

export const operatorSessions: ResourceTypeDef = {
  kind: 'operatorSessions',
  segment: 'sessions',
  parent: 'operators',
  azureType: 'Microsoft.ApiManagement/service/operators/sessions',
  title: 'Session',
  schema: closed({
    expiresAt: Type.String({ description: 'When the session ends.' }),
    createdAt: Type.Optional(Type.String()),
    clientIp: Type.Optional(Type.String()),
    secret: Type.Optional(Type.String({ description: 'Write-only; stored as a scrypt hash.' })),
  }),
  secrets: { properties: ['secret'], hidden: true, mode: 'hash' },
  // Created by POST /auth/login only; listed and revoked by owners.
  methods: ['get', 'list', 'delete'],
};

export const apiKeys: ResourceTypeDef = {
  kind: 'apiKeys',
  segment: 'apiKeys',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/apiKeys',
  title: 'API key',
  schema: closed({
    displayName: Type.Optional(text({ max: 256 })),
    type: oneOf(['service-account', 'user'] as const, "'service-account' carries its own role; 'user' acts as one operator with that operator's roles."),
    role: Type.Optional(oneOf(allRoles, 'The role of a service-account key.')),
    operatorId: Type.Optional(Type.String({ description: "The operator a 'user' key acts as: /operators/{id}." })),
    key: Type.Optional(Type.String({ description: 'The secret, in the creating and regenerating responses only.' })),
    keyHash: Type.Optional(Type.String()),
    createdAt: Type.Optional(Type.String()),
  }),
  readOnly: ['key', 'keyHash', 'createdAt'],
  references: [{ property: 'operatorId', to: ['operators'], serviceTargetsFromWorkspace: 'always', onTargetDelete: 'cascade' }],
  credential: { property: 'key', hashProperty: 'keyHash', prefix: 'atk', regenerateAction: 'regenerate' },
  prepare: (input: PrepareInput) => {
    const properties = { ...input.properties };
    properties.displayName ??= input.existing?.displayName ?? input.name;
    properties.createdAt = input.existing?.createdAt ?? input.now.toISOString();
    if (properties.type === 'service-account') {
      const allowed: readonly string[] = input.workspace === undefined ? serviceRoles : workspaceRoles;
      if (typeof properties.role !== 'string' || !allowed.includes(properties.role)) {
        throw invalid('role', `A service-account key ${input.workspace === undefined ? 'of the organization' : 'of a workspace'} needs a role: one of ${allowed.join(', ')}.`);
      }
      if (properties.operatorId !== undefined) throw invalid('operatorId', 'A service-account key acts as itself; operatorId belongs to user keys.');
    } else if (properties.type === 'user') {
      if (typeof properties.operatorId !== 'string') throw invalid('operatorId', 'A user key needs operatorId: /operators/{id}.');
      if (properties.role !== undefined) throw invalid('role', "A user key has its operator's roles; it carries no role of its own.");
    }
    return properties;
  },
};

export const roleAssignments: ResourceTypeDef = {
  kind: 'roleAssignments',
  segment: 'roleAssignments',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/roleAssignments',
  title: 'Role assignment',
  schema: closed({
    principalId: Type.String({ description: '/operators/{id}, /apiKeys/{id} or /workspaces/{ws}/apiKeys/{id}.' }),
    role: oneOf(allRoles),
    scope: Type.Optional(Type.String({ description: "'/', '/workspaces/{ws}' or '/gateways/{gw}'; inside a workspace it is that workspace." })),
  }),
  references: [
    { property: 'principalId', to: ['operators', 'apiKeys'], serviceTargetsFromWorkspace: 'always', onTargetDelete: 'cascade' },
    { property: 'scope', to: ['workspaces', 'gateways'], literals: ['/'], serviceTargetsFromWorkspace: 'always', onTargetDelete: 'cascade' },
  ],
  prepare: (input: PrepareInput) => {
    const properties = { ...input.properties };
    if (input.workspace !== undefined) {
      if (properties.scope !== undefined && String(properties.scope).toLowerCase() !== `/workspaces/${input.workspace}`.toLowerCase()) {
        throw invalid('scope', `A role assignment of workspace '${input.workspace}' applies to that workspace only.`);
      }
      properties.scope = `/workspaces/${input.workspace}`;
    }
    properties.scope ??= '/';
    const scope = String(properties.scope);
    const role = String(properties.role);
    const expected: readonly string[] = scope === '/' ? serviceRoles : /^\/workspaces\//i.test(scope) ? workspaceRoles : /^\/gateways\//i.test(scope) ? gatewayRoles : [];
    if (expected.length === 0) throw invalid('scope', `'${scope}' is not a scope: use '/', '/workspaces/{ws}' or '/gateways/{gw}'.`);
    if (!expected.includes(role)) throw invalid('role', `Role '${role}' cannot be assigned at scope '${scope}'; allowed there: ${expected.join(', ')}.`);
    return properties;
  },
};
