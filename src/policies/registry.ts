import type { PolicySchema } from '../policy/catalog/types.ts';
import { unsupportedPolicy } from '../policy/catalog/define.ts';
import { schema as authenticationBasic } from './authentication-basic/schema.ts';
import { schema as authenticationCertificate } from './authentication-certificate/schema.ts';
import { schema as authenticationManagedIdentity } from './authentication-managed-identity/schema.ts';
import { schema as base } from './base/schema.ts';
import { schema as cacheLookupValue } from './cache-lookup-value/schema.ts';
import { schema as cacheLookup } from './cache-lookup/schema.ts';
import { schema as cacheRemoveValue } from './cache-remove-value/schema.ts';
import { schema as cacheStoreValue } from './cache-store-value/schema.ts';
import { schema as cacheStore } from './cache-store/schema.ts';
import { schema as checkHeader } from './check-header/schema.ts';
import { schema as choose } from './choose/schema.ts';
import { schema as cors } from './cors/schema.ts';
import { schema as emitMetric } from './emit-metric/schema.ts';
import { schema as findAndReplace } from './find-and-replace/schema.ts';
import { schema as forwardRequest } from './forward-request/schema.ts';
import { schema as includeFragment } from './include-fragment/schema.ts';
import { schema as ipFilter } from './ip-filter/schema.ts';
import { schema as jsonToXml } from './json-to-xml/schema.ts';
import { schema as jsonp } from './jsonp/schema.ts';
import { schema as limitConcurrency } from './limit-concurrency/schema.ts';
import { schema as logToEventhub } from './log-to-eventhub/schema.ts';
import { schema as mockResponse } from './mock-response/schema.ts';
import { schema as proxy } from './proxy/schema.ts';
import { schema as quotaByKey } from './quota-by-key/schema.ts';
import { schema as quota } from './quota/schema.ts';
import { schema as rateLimitByKey } from './rate-limit-by-key/schema.ts';
import { schema as rateLimit } from './rate-limit/schema.ts';
import { schema as redirectContentUrls } from './redirect-content-urls/schema.ts';
import { schema as retry } from './retry/schema.ts';
import { schema as returnResponse } from './return-response/schema.ts';
import { schema as rewriteUri } from './rewrite-uri/schema.ts';
import { schema as sendOneWayRequest } from './send-one-way-request/schema.ts';
import { schema as sendRequest } from './send-request/schema.ts';
import { schema as setBackendService } from './set-backend-service/schema.ts';
import { schema as setBody } from './set-body/schema.ts';
import { schema as setHeader } from './set-header/schema.ts';
import { schema as setMethod } from './set-method/schema.ts';
import { schema as setQueryParameter } from './set-query-parameter/schema.ts';
import { schema as setStatus } from './set-status/schema.ts';
import { schema as setVariable } from './set-variable/schema.ts';
import { schema as trace } from './trace/schema.ts';
import { schema as validateAzureAdToken } from './validate-azure-ad-token/schema.ts';
import { schema as validateContent } from './validate-content/schema.ts';
import { schema as validateHeaders } from './validate-headers/schema.ts';
import { schema as validateJwt } from './validate-jwt/schema.ts';
import { schema as validateParameters } from './validate-parameters/schema.ts';
import { schema as validateStatusCode } from './validate-status-code/schema.ts';
import { schema as wait } from './wait/schema.ts';
import { schema as xmlToJson } from './xml-to-json/schema.ts';

/**
 * The policy catalog: every policy element Atrium knows, by its XML name. Adding a policy is
 * one folder under src/policies/ and one line here.
 */
const atriumPolicies: readonly PolicySchema[] = [
  authenticationBasic,
  authenticationCertificate,
  authenticationManagedIdentity,
  base,
  cacheLookupValue,
  cacheLookup,
  cacheRemoveValue,
  cacheStoreValue,
  cacheStore,
  checkHeader,
  choose,
  cors,
  emitMetric,
  findAndReplace,
  forwardRequest,
  includeFragment,
  ipFilter,
  jsonToXml,
  jsonp,
  limitConcurrency,
  logToEventhub,
  mockResponse,
  proxy,
  quotaByKey,
  quota,
  rateLimitByKey,
  rateLimit,
  redirectContentUrls,
  retry,
  returnResponse,
  rewriteUri,
  sendOneWayRequest,
  sendRequest,
  setBackendService,
  setBody,
  setHeader,
  setMethod,
  setQueryParameter,
  setStatus,
  setVariable,
  trace,
  validateAzureAdToken,
  validateContent,
  validateHeaders,
  validateJwt,
  validateParameters,
  validateStatusCode,
  wait,
  xmlToJson,
];

const all = ['inbound', 'backend', 'outbound', 'on-error'] as const;

/** Azure policies without an Atrium implementation: documents using them are rejected by name. */
const azureOnlyPolicies: readonly PolicySchema[] = [
  unsupportedPolicy('validate-client-certificate', 'Validate the client certificate presented to the gateway.', ['inbound'], 'Atrium gateways do not request client certificates yet.'),
  unsupportedPolicy('validate-odata-request', 'Validate an OData request.', ['inbound'], 'OData APIs are not supported.'),
  unsupportedPolicy('validate-graphql-request', 'Validate a GraphQL request.', ['inbound'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('set-graphql-resolver', 'Resolve a GraphQL field.', ['backend'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('http-data-source', 'GraphQL resolver backed by HTTP.', ['backend'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('sql-data-source', 'GraphQL resolver backed by Azure SQL.', ['backend'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('cosmosdb-data-source', 'GraphQL resolver backed by Cosmos DB.', ['backend'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('publish-event', 'Publish a GraphQL subscription event.', ['backend'], 'GraphQL APIs are not supported.'),
  unsupportedPolicy('xsl-transform', 'Transform an XML body with XSLT.', ['inbound', 'outbound', 'on-error'], 'Atrium has no XSLT engine.'),
  unsupportedPolicy('cross-domain', 'Serve a Flash/Silverlight cross-domain policy.', ['inbound'], 'Obsolete browser plug-ins.'),
  unsupportedPolicy('get-authorization-context', 'Get tokens from an API Management credential manager connection.', all, 'Atrium has no credential manager.'),
  unsupportedPolicy('invoke-dapr-binding', 'Invoke a Dapr output binding.', all, 'Dapr integration is not supported.'),
  unsupportedPolicy('publish-to-dapr', 'Publish to a Dapr topic.', all, 'Dapr integration is not supported.'),
  unsupportedPolicy('send-service-bus-message', 'Send a message to Azure Service Bus.', all, 'Azure Service Bus integration is not supported.'),
  unsupportedPolicy('azure-openai-token-limit', 'Limit Azure OpenAI token consumption.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('azure-openai-emit-token-metric', 'Emit Azure OpenAI token metrics.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('azure-openai-semantic-cache-lookup', 'Semantic cache lookup for Azure OpenAI.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('azure-openai-semantic-cache-store', 'Semantic cache store for Azure OpenAI.', ['outbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('llm-token-limit', 'Limit language model token consumption.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('llm-emit-token-metric', 'Emit language model token metrics.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('llm-semantic-cache-lookup', 'Semantic cache lookup for language models.', ['inbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('llm-semantic-cache-store', 'Semantic cache store for language models.', ['outbound'], 'Language model policies are not supported yet.'),
  unsupportedPolicy('llm-content-safety', 'Check prompts with Azure AI Content Safety.', ['inbound'], 'Language model policies are not supported yet.'),
];

export const policyCatalog: ReadonlyMap<string, PolicySchema> = new Map(
  [...atriumPolicies, ...azureOnlyPolicies].map((schema) => [schema.name, schema]),
);

export function getPolicySchema(name: string): PolicySchema | undefined {
  return policyCatalog.get(name);
}
