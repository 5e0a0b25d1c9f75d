import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, stringListMap, text } from './schema-parts.ts';

/** BackendCredentialsContract. */
const backendCredentials = closed({
  certificateIds: Type.Optional(Type.Array(Type.String(), { maxItems: 32, description: 'Client certificate ids.' })),
  certificate: Type.Optional(
    Type.Array(Type.String(), { maxItems: 32, description: 'Client certificate thumbprints; ignored when certificateIds are given.' }),
  ),
  query: Type.Optional(stringListMap('Query parameter descriptions.')),
  header: Type.Optional(stringListMap('Header parameter descriptions.')),
  authorization: Type.Optional(
    closed({
      scheme: text({ min: 1, max: 100 }, 'Authentication scheme name.'),
      parameter: text({ min: 1, max: 300 }, 'Authentication parameter value.'),
    }),
  ),
});

/** BackendServiceFabricClusterProperties. */
const serviceFabricCluster = closed({
  clientCertificateId: Type.Optional(Type.String({ description: 'Client certificate id for the management endpoint.' })),
  clientCertificatethumbprint: Type.Optional(Type.String({ description: 'Client certificate thumbprint (deprecated).' })),
  maxPartitionResolutionRetries: Type.Optional(Type.Integer({ description: 'Maximum number of retries when resolving a partition.' })),
  managementEndpoints: Type.Array(Type.String(), { description: 'The cluster management endpoints.' }),
  serverCertificateThumbprints: Type.Optional(Type.Array(Type.String())),
  serverX509Names: Type.Optional(
    Type.Array(
      closed({
        name: Type.Optional(Type.String({ description: 'Common name of the certificate.' })),
        issuerCertificateThumbprint: Type.Optional(Type.String({ description: 'Thumbprint of the issuer certificate.' })),
      }),
    ),
  ),
});

/** BackendCircuitBreaker. Durations are ISO 8601 (PT1M). */
const circuitBreaker = closed({
  rules: Type.Optional(
    Type.Array(
      closed({
        name: Type.Optional(Type.String({ description: 'The rule name.' })),
        failureCondition: Type.Optional(
          closed({
            count: Type.Optional(Type.Integer({ description: 'Threshold for opening the circuit.' })),
            percentage: Type.Optional(Type.Integer({ description: 'Threshold for opening the circuit, in percent.' })),
            interval: Type.Optional(Type.String({ description: 'The interval during which failures are counted (ISO 8601).' })),
            statusCodeRanges: Type.Optional(
              Type.Array(
                closed({
                  min: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
                  max: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
                }),
                { maxItems: 10 },
              ),
            ),
            errorReasons: Type.Optional(
              Type.Array(text({ max: 200 }), { maxItems: 10, description: 'Error reasons considered a failure.' }),
            ),
          }),
        ),
        tripDuration: Type.Optional(Type.String({ description: 'How long the circuit stays open (ISO 8601).' })),
        acceptRetryAfter: Type.Optional(Type.Boolean({ description: 'Honour the backend’s Retry-After header.' })),
      }),
      { maxItems: 15 },
    ),
  ),
});

/** BackendContractProperties. */
export const backendProperties = closed({
  url: Type.Optional(text({ min: 1, max: 2000 }, 'Runtime URL of the backend; required for a Single backend.')),
  protocol: Type.Optional(oneOf(['http', 'soap'], 'Backend communication protocol; required for a Single backend.')),
  type: Type.Optional(oneOf(['Single', 'Pool'], 'Type of the backend.')),
  title: Type.Optional(text({ min: 1, max: 300 }, 'Backend title.')),
  description: Type.Optional(text({ min: 1, max: 2000 }, 'Backend description.')),
  resourceId: Type.Optional(
    text({ min: 1, max: 2000 }, 'Management URI of the resource in an external system (Logic Apps, Function Apps, API Apps).'),
  ),
  properties: Type.Optional(closed({ serviceFabricCluster: Type.Optional(serviceFabricCluster) })),
  credentials: Type.Optional(backendCredentials),
  proxy: Type.Optional(
    closed({
      url: text({ min: 1, max: 2000 }, 'Proxy server absolute URL including the scheme.'),
      username: Type.Optional(Type.String({ description: 'Username to connect to the proxy server.' })),
      password: Type.Optional(Type.String({ description: 'Password to connect to the proxy server.' })),
    }),
  ),
  tls: Type.Optional(
    closed({
      validateCertificateChain: Type.Optional(Type.Boolean({ description: 'Validate the certificate chain (default true).' })),
      validateCertificateName: Type.Optional(Type.Boolean({ description: 'Validate the certificate name (default true).' })),
    }),
  ),
  circuitBreaker: Type.Optional(circuitBreaker),
  pool: Type.Optional(
    closed({
      services: Type.Optional(
        Type.Array(
          closed({
            id: text({ min: 1 }, 'Resource id of a member backend.'),
            priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Lower values are tried first.' })),
            weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Relative weight within a priority.' })),
          }),
          { minItems: 1, description: 'The backends in the pool.' },
        ),
      ),
    }),
  ),
});

/**
 * Pool members (`pool.services[].id`) are backend ids, but a path through an array cannot be
 * declared as a reference; they are not checked on write.
 */
export const backends: ResourceTypeDef = {
  kind: 'backends',
  segment: 'backends',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/backends',
  title: 'Backend',
  schema: backendProperties,
  secrets: { properties: ['credentials', 'proxy'], hidden: false },
};
