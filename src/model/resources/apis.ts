import { Type } from '@sinclair/typebox';
import { modelError } from '../errors.ts';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { diagnosticProperties, diagnosticReferences } from './diagnostics.ts';
import { closed, dateTime, freeForm, oneOf, provisioningState, resourceId, text } from './schema-parts.ts';

export const apiTypes = ['http', 'soap', 'websocket', 'graphql', 'odata', 'grpc'] as const;

/** Import formats of `format`/`value`; the importer gives them meaning. */
export const apiContentFormats = [
  'wadl-xml',
  'wadl-link-json',
  'swagger-json',
  'swagger-link-json',
  'wsdl',
  'wsdl-link',
  'openapi',
  'openapi+json',
  'openapi-link',
  'openapi+json-link',
  'graphql-link',
  'odata',
  'odata-link',
  'grpc',
  'grpc-link',
] as const;

const oAuth2Settings = closed({
  authorizationServerId: Type.Optional(Type.String({ description: 'OAuth authorization server identifier.' })),
  scope: Type.Optional(Type.String({ description: 'Operations scope.' })),
});

const openIdSettings = closed({
  openidProviderId: Type.Optional(Type.String({ description: 'OAuth authorization server identifier.' })),
  bearerTokenSendingMethods: Type.Optional(Type.Array(oneOf(['authorizationHeader', 'query']))),
});

/** AuthenticationSettingsContract. Azure reads back absent settings as null. */
const authenticationSettings = closed({
  oAuth2: Type.Optional(Type.Union([oAuth2Settings, Type.Null()])),
  oAuth2AuthenticationSettings: Type.Optional(Type.Array(oAuth2Settings)),
  openid: Type.Optional(Type.Union([openIdSettings, Type.Null()])),
  openidAuthenticationSettings: Type.Optional(Type.Array(openIdSettings)),
});

/** ApiVersionSetContractDetails: an inline version set description. */
const apiVersionSetDetails = closed({
  id: Type.Optional(Type.String({ description: 'Identifier of the version set.' })),
  name: Type.Optional(Type.String({ description: 'Display name of the version set.' })),
  description: Type.Optional(Type.String()),
  versioningScheme: Type.Optional(oneOf(['Segment', 'Query', 'Header'])),
  versionQueryName: Type.Optional(Type.String()),
  versionHeaderName: Type.Optional(Type.String()),
});

/** ApiCreateOrUpdateProperties (a superset of ApiContractProperties). */
export const apiProperties = closed({
  displayName: Type.Optional(text({ min: 1, max: 300 }, 'API name. Defaults to the resource name.')),
  description: Type.Optional(Type.String({ description: 'Description of the API. May include HTML formatting tags.' })),
  path: Type.Optional(
    text({ min: 0, max: 400 }, 'Relative URL uniquely identifying this API within the service. Required unless importing.'),
  ),
  serviceUrl: Type.Optional(text({ min: 0, max: 2000 }, 'Absolute URL of the backend service implementing this API.')),
  protocols: Type.Optional(Type.Array(oneOf(['http', 'https', 'ws', 'wss']))),
  type: Type.Optional(oneOf(apiTypes, 'Type of API.')),
  apiType: Type.Optional(oneOf(apiTypes, 'Type of API to create (import).')),
  apiRevision: Type.Optional(text({ min: 1, max: 100 }, 'Revision of the API; derived from the `;rev=N` name.')),
  apiRevisionDescription: Type.Optional(text({ max: 256 })),
  apiVersion: Type.Optional(text({ max: 100 }, 'Version identifier of the API if the API is versioned.')),
  apiVersionDescription: Type.Optional(text({ max: 256 })),
  apiVersionSetId: Type.Optional(resourceId('Resource id of the related version set.')),
  apiVersionSet: Type.Optional(apiVersionSetDetails),
  isCurrent: Type.Optional(Type.Boolean({ description: 'Whether this revision is the current one.' })),
  isOnline: Type.Optional(Type.Boolean({ description: 'Computed: whether the revision is reachable through the gateway.' })),
  sourceApiId: Type.Optional(resourceId('API identifier of the source API (a new revision is copied from it).')),
  subscriptionRequired: Type.Optional(Type.Boolean({ description: 'Whether an API or product subscription is required.' })),
  stripSubscriptionKey: Type.Optional(
    Type.Boolean({ description: "Atrium: remove the subscription key (header and query parameter) before the request reaches the backend; by default it is forwarded, as Azure does." }),
  ),
  subscriptionKeyParameterNames: Type.Optional(
    closed({
      header: Type.Optional(Type.String({ description: 'Subscription key header name.' })),
      query: Type.Optional(Type.String({ description: 'Subscription key query string parameter name.' })),
    }),
  ),
  authenticationSettings: Type.Optional(authenticationSettings),
  contact: Type.Optional(
    closed({
      name: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
    }),
  ),
  license: Type.Optional(
    closed({
      name: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
    }),
  ),
  termsOfServiceUrl: Type.Optional(Type.String({ description: "A URL to the API's terms of service." })),
  translateRequiredQueryParameters: Type.Optional(
    oneOf(['template', 'query'], 'Strategy of translating required query parameters to template ones.'),
  ),
  format: Type.Optional(oneOf(apiContentFormats, 'Format of `value` when importing.')),
  value: Type.Optional(Type.String({ description: 'Content (or link) of the definition to import.' })),
  wsdlSelector: Type.Optional(
    closed({
      wsdlServiceName: Type.Optional(Type.String()),
      wsdlEndpointName: Type.Optional(Type.String()),
    }),
  ),
  provisioningState,
});

/**
 * `echo` or `echo;rev=3`: the default name rule (Azure's `^[^*#&+:<>?]+$`, without the
 * characters that break URLs) plus the revision suffix.
 */
export const apiNamePattern = /^[^*#&+:<>?/\\%;\u0000-\u001f\u007f]{1,256}(;rev=[1-9][0-9]{0,3})?$/;

const revisionSuffix = /;rev=([1-9][0-9]{0,3})$/;

/** Splits `echo;rev=2` into the API name and its revision (undefined for the current one). */
export function parseApiName(name: string): { apiName: string; revision: string | undefined } {
  const match = revisionSuffix.exec(name);
  return match === null ? { apiName: name, revision: undefined } : { apiName: name.slice(0, match.index), revision: match[1] };
}

/** The subscription key names Azure gives an API that does not choose its own. */
export const defaultSubscriptionKeyParameterNames = { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' } as const;

/**
 * Revisions: a name with `;rev=N` is revision N and not the current one; the plain name is the
 * current revision (its number defaults to 1). Defaults Azure applies: displayName = the API
 * name, subscriptionRequired = true, the standard subscription key names. A new API needs a
 * `path` unless it is imported (`format`/`value`) or copied from another (`sourceApiId`).
 */
export function prepareApi(input: PrepareInput): Record<string, unknown> {
  const { apiName, revision } = parseApiName(input.name);
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  const importing = properties.value !== undefined || properties.format !== undefined;
  if (properties.path === undefined && existing.path === undefined && !importing && properties.sourceApiId === undefined) {
    throw modelError('VALIDATION_FAILED', `The API '${input.name}' needs a path (or a definition to import).`, [
      { code: 'ValidationError', target: 'properties.path', message: 'required property' },
    ]);
  }
  if (properties.path === undefined && existing.path !== undefined) properties.path = existing.path;
  properties.apiRevision = revision ?? properties.apiRevision ?? existing.apiRevision ?? '1';
  properties.isCurrent = revision === undefined;
  properties.displayName ??= existing.displayName ?? apiName;
  properties.subscriptionRequired ??= existing.subscriptionRequired ?? true;
  properties.subscriptionKeyParameterNames ??= existing.subscriptionKeyParameterNames ?? { ...defaultSubscriptionKeyParameterNames };
  return properties;
}

export const apis: ResourceTypeDef = {
  kind: 'apis',
  segment: 'apis',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/apis',
  title: 'API',
  schema: apiProperties,
  readOnly: ['isOnline', 'provisioningState'],
  references: [
    { property: 'apiVersionSetId', to: ['apiVersionSets'], onTargetDelete: 'restrict' },
    { property: 'sourceApiId', to: ['apis'], onTargetDelete: 'restrict' },
  ],
  uniqueness: 'service',
  namePattern: apiNamePattern,
  prepare: prepareApi,
};

const parameterExample = closed({
  summary: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  value: Type.Optional(Type.Unknown({ description: 'Example value: a primitive, an object or an array.' })),
  externalValue: Type.Optional(Type.String({ description: 'A URL pointing to the literal example.' })),
});

const parameterExamples = Type.Record(Type.String(), parameterExample, { description: 'Examples by name.' });

/** ParameterContract: a template, query, header or form parameter. */
const parameterContract = closed({
  name: Type.String({ description: 'Parameter name.' }),
  type: Type.String({ description: 'Parameter type.' }),
  description: Type.Optional(Type.String()),
  defaultValue: Type.Optional(Type.String()),
  required: Type.Optional(Type.Boolean()),
  values: Type.Optional(Type.Array(Type.String(), { description: 'Allowed values.' })),
  schemaId: Type.Optional(Type.String()),
  typeName: Type.Optional(Type.String()),
  examples: Type.Optional(parameterExamples),
});

/** RepresentationContract: one content type of a request or response. */
const representationContract = closed({
  contentType: Type.String({ description: 'Content type, for example application/json.' }),
  schemaId: Type.Optional(Type.String()),
  typeName: Type.Optional(Type.String()),
  formParameters: Type.Optional(Type.Array(parameterContract)),
  examples: Type.Optional(parameterExamples),
});

/** OperationContractProperties. */
export const operationProperties = closed({
  displayName: text({ min: 1, max: 300 }, 'Operation name.'),
  method: Type.String({ minLength: 1, description: 'A valid HTTP method, not limited to the standard ones.' }),
  urlTemplate: text({ min: 1, max: 1000 }, 'Relative URL template, for example /customers/{cid}/orders/{oid}/?date={date}.'),
  templateParameters: Type.Optional(Type.Array(parameterContract)),
  description: Type.Optional(text({ max: 1000 })),
  request: Type.Optional(
    closed({
      description: Type.Optional(Type.String()),
      queryParameters: Type.Optional(Type.Array(parameterContract)),
      headers: Type.Optional(Type.Array(parameterContract)),
      representations: Type.Optional(Type.Array(representationContract)),
    }),
  ),
  responses: Type.Optional(
    Type.Array(
      closed({
        statusCode: Type.Integer({ description: 'HTTP status code.' }),
        description: Type.Optional(Type.String()),
        representations: Type.Optional(Type.Array(representationContract)),
        headers: Type.Optional(Type.Array(parameterContract)),
      }),
    ),
  ),
  policies: Type.Optional(Type.String({ description: 'Operation policies.' })),
});

export const apiOperations: ResourceTypeDef = {
  kind: 'apiOperations',
  segment: 'operations',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/operations',
  title: 'API operation',
  schema: operationProperties,
};

/** ApiReleaseContractProperties. */
export const apiReleaseProperties = closed({
  apiId: Type.Optional(resourceId('Identifier of the API the release belongs to.')),
  notes: Type.Optional(Type.String({ description: 'Release notes.' })),
  createdDateTime: Type.Optional(dateTime('Computed: when the release was created.')),
  updatedDateTime: Type.Optional(dateTime('Computed: when the release was last updated.')),
});

export const apiReleases: ResourceTypeDef = {
  kind: 'apiReleases',
  segment: 'releases',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/releases',
  title: 'API release',
  schema: apiReleaseProperties,
  readOnly: ['createdDateTime', 'updatedDateTime'],
  references: [{ property: 'apiId', to: ['apis'], onTargetDelete: 'cascade' }],
};

/** SchemaContractProperties of an API schema. */
export const apiSchemaProperties = closed({
  contentType: Type.String({
    minLength: 1,
    description:
      'Content type of the schema document: application/vnd.ms-azure-apim.swagger.definitions+json, ' +
      'application/vnd.ms-azure-apim.xsd+xml, application/vnd.oai.openapi.components+json, ' +
      'application/vnd.ms-azure-apim.wadl.grammars+xml, application/vnd.ms-azure-apim.wsdl.grammars+xml …',
  }),
  document: closed({
    value: Type.Optional(Type.String({ description: 'The schema document as a string, for schemas other than Swagger/OpenAPI.' })),
    definitions: Type.Optional(freeForm('Type definitions (Swagger/OpenAPI v2).')),
    components: Type.Optional(freeForm('Type definitions (OpenAPI v3 components).')),
  }),
  provisioningState,
});

export const apiSchemas: ResourceTypeDef = {
  kind: 'apiSchemas',
  segment: 'schemas',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/schemas',
  title: 'API schema',
  schema: apiSchemaProperties,
  readOnly: ['provisioningState'],
};

export const apiDiagnostics: ResourceTypeDef = {
  kind: 'apiDiagnostics',
  segment: 'diagnostics',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/diagnostics',
  title: 'API diagnostic',
  schema: diagnosticProperties,
  references: diagnosticReferences,
};

/**
 * The definition an API was last imported from, as imported (external references bundled,
 * webhooks and callbacks included): read-only, written by the importer.
 */
export const apiDefinitions: ResourceTypeDef = {
  kind: 'apiDefinitions',
  segment: 'definitions',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/definitions',
  title: 'API definition',
  names: ['current'],
  methods: ['get', 'list'],
  schema: closed({
    format: Type.String({ description: 'The import format.' }),
    specVersion: Type.String({ description: "'2.0', '3.0' or '3.1'." }),
    declaredVersion: Type.Optional(Type.String()),
    sourceUrl: Type.Optional(Type.String()),
    importedAt: Type.String(),
    document: Type.Record(Type.String(), Type.Unknown(), { description: 'The definition document.' }),
  }),
};
