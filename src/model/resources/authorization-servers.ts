import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, text } from './schema-parts.ts';

/** AuthorizationServerContractProperties. */
export const authorizationServerProperties = closed({
  displayName: text({ min: 1, max: 50 }, 'User-friendly authorization server name.'),
  description: Type.Optional(Type.String({ description: 'May include HTML formatting tags.' })),
  clientRegistrationEndpoint: Type.String({ description: 'Reference to the page where client or app registration is performed.' }),
  authorizationEndpoint: Type.String({ description: 'OAuth authorization endpoint.' }),
  authorizationMethods: Type.Optional(
    Type.Array(oneOf(['HEAD', 'OPTIONS', 'TRACE', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']), {
      description: 'HTTP verbs supported by the authorization endpoint. GET must always be present.',
    }),
  ),
  grantTypes: Type.Array(oneOf(['authorizationCode', 'implicit', 'resourceOwnerPassword', 'clientCredentials']), {
    description: 'Form of an authorization grant the client uses to request the access token.',
  }),
  clientAuthenticationMethod: Type.Optional(Type.Array(oneOf(['Basic', 'Body']))),
  tokenBodyParameters: Type.Optional(
    Type.Array(
      closed({
        name: Type.String({ description: 'Body parameter name.' }),
        value: Type.String({ description: 'Body parameter value.' }),
      }),
    ),
  ),
  tokenEndpoint: Type.Optional(Type.String({ description: 'OAuth token endpoint.' })),
  supportState: Type.Optional(Type.Boolean({ description: 'Whether the state parameter is passed through.' })),
  defaultScope: Type.Optional(Type.String({ description: 'Access token scope requested by default.' })),
  bearerTokenSendingMethods: Type.Optional(Type.Array(oneOf(['authorizationHeader', 'query']))),
  clientId: Type.String({ description: 'Client or app id registered with this authorization server.' }),
  clientSecret: Type.Optional(Type.String({ description: 'Client or app secret registered with this authorization server.' })),
  resourceOwnerUsername: Type.Optional(Type.String({ description: 'Default resource owner username (resource owner password grant).' })),
  resourceOwnerPassword: Type.Optional(Type.String({ description: 'Default resource owner password (resource owner password grant).' })),
  useInTestConsole: Type.Optional(Type.Boolean({ description: 'Use in the developer portal test console.' })),
  useInApiDocumentation: Type.Optional(Type.Boolean({ description: 'Use in the developer portal API documentation.' })),
});

const secretProperties = ['clientSecret', 'resourceOwnerPassword'] as const;

/** Secrets are never read back, so a body without them keeps the stored ones. */
export function prepareAuthorizationServer(input: PrepareInput): Record<string, unknown> {
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  for (const name of secretProperties) {
    if (properties[name] === undefined && existing[name] !== undefined) properties[name] = existing[name];
  }
  return properties;
}

export const authorizationServers: ResourceTypeDef = {
  kind: 'authorizationServers',
  segment: 'authorizationServers',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/authorizationServers',
  title: 'Authorization server',
  schema: authorizationServerProperties,
  // Azure hides clientSecret on reads and returns the resource owner username; the default
  // resource owner password is treated as a secret too.
  secrets: { properties: secretProperties, hidden: true },
  prepare: prepareAuthorizationServer,
  actions: {
    listSecrets: {
      kind: 'reveal',
      run: (ctx) => ({
        response: {
          clientSecret: ctx.properties.clientSecret,
          resourceOwnerUsername: ctx.properties.resourceOwnerUsername,
          resourceOwnerPassword: ctx.properties.resourceOwnerPassword,
        },
      }),
    },
  },
};
