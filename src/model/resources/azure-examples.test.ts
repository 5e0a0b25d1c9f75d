import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_NAME_PATTERN } from '../registry.ts';
import { getResourceType } from './index.ts';

/**
 * Request bodies of Azure API Management's REST reference examples (api-version 2024-05-01,
 * `properties` as published) are accepted as they are: the resource name passes the name rule,
 * and the properties pass the schema once read-only properties are dropped and the type's
 * prepare has run — exactly what the engine does with a PUT.
 */
const random = (bytes: number): string => 'c3'.repeat(bytes);

function problems(kind: string, name: string, properties: Record<string, unknown>): string[] {
  const def = getResourceType(kind);
  assert.ok(def, `kind ${kind} is declared`);
  const found: string[] = [];
  if (def.names && !def.names.includes(name)) found.push(`name '${name}' is not one of ${def.names.join(', ')}`);
  if (!(def.namePattern ?? DEFAULT_NAME_PATTERN).test(name)) found.push(`name '${name}' breaks the name rule`);
  const stripped = Object.fromEntries(Object.entries(properties).filter(([k]) => !def.readOnly?.includes(k)));
  const prepared = def.prepare ? def.prepare({ name, properties: stripped, workspace: undefined, random, now: new Date() }) : stripped;
  for (const error of Value.Errors(def.schema, prepared)) found.push(`${error.path}: ${error.message}`);
  return found;
}

const arm = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';

interface Example {
  readonly example: string;
  readonly kind: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

const requests: readonly Example[] = [
  {
    example: 'ApiManagementCreateWorkspace',
    kind: 'workspaces',
    name: 'wks1',
    properties: { displayName: 'my workspace', description: 'workspace 1' },
  },
  {
    example: 'ApiManagementCreateApi',
    kind: 'apis',
    name: 'tempgroup',
    properties: {
      description: 'apidescription5200',
      authenticationSettings: { oAuth2: { authorizationServerId: 'authorizationServerId2283', scope: 'oauth2scope2580' } },
      subscriptionKeyParameterNames: { header: 'header4520', query: 'query3037' },
      displayName: 'apiname1463',
      serviceUrl: 'http://newechoapi.cloudapp.net/api',
      path: 'newapiPath',
      protocols: ['https', 'http'],
    },
  },
  {
    example: 'ApiManagementCreateApiWithMultipleOpenIdConnectProviders',
    kind: 'apis',
    name: 'tempgroup',
    properties: {
      description: 'apidescription5200',
      authenticationSettings: {
        openidAuthenticationSettings: [
          { openidProviderId: 'openidProviderId2283', bearerTokenSendingMethods: ['authorizationHeader'] },
          { openidProviderId: 'openidProviderId2284', bearerTokenSendingMethods: ['authorizationHeader'] },
        ],
      },
      subscriptionKeyParameterNames: { header: 'header4520', query: 'query3037' },
      displayName: 'apiname1463',
      serviceUrl: 'http://newechoapi.cloudapp.net/api',
      path: 'newapiPath',
      protocols: ['https', 'http'],
    },
  },
  {
    example: 'ApiManagementCreateApiNewVersionUsingExistingApi',
    kind: 'apis',
    name: 'echoapiv3',
    properties: {
      displayName: 'Echo API2',
      description: 'Create Echo API into a new Version using Existing Version Set and Copy all Operations.',
      subscriptionRequired: true,
      serviceUrl: 'http://echoapi.cloudapp.net/api',
      path: 'echo2',
      protocols: ['http', 'https'],
      isCurrent: true,
      apiVersion: 'v4',
      sourceApiId: `${arm}/apis/echoPath`,
      apiVersionSetId: `${arm}/apiVersionSets/aa9c59e6-c0cd-4258-9356-9ca7d2f0b458`,
    },
  },
  {
    example: 'ApiManagementCreateApiRevisionFromExistingApi',
    kind: 'apis',
    name: 'echo-api;rev=3',
    properties: {
      path: 'echo',
      serviceUrl: 'http://echoapi.cloudapp.net/apiv3',
      sourceApiId: `${arm}/apis/echo-api`,
      apiRevisionDescription: 'Creating a Revision of an existing API',
    },
  },
  {
    example: 'ApiManagementCreateApiUsingOai3Import',
    kind: 'apis',
    name: 'petstore',
    properties: {
      format: 'openapi-link',
      value: 'https://raw.githubusercontent.com/OAI/OpenAPI-Specification/master/examples/v3.0/petstore.yaml',
      path: 'petstore',
    },
  },
  {
    example: 'ApiManagementCreateApiOperation',
    kind: 'apiOperations',
    name: 'newoperations',
    properties: {
      displayName: 'createUser2',
      method: 'POST',
      urlTemplate: '/user1',
      templateParameters: [],
      description: 'This can only be done by the logged in user.',
      request: {
        description: 'Created user object',
        queryParameters: [],
        headers: [],
        representations: [{ contentType: 'application/json', schemaId: '592f6c1d0af5840ca8897f0c', typeName: 'User' }],
      },
      responses: [
        {
          statusCode: 200,
          description: 'successful operation',
          representations: [{ contentType: 'application/xml' }, { contentType: 'application/json' }],
          headers: [],
        },
      ],
    },
  },
  {
    example: 'ApiManagementCreateApiRelease',
    kind: 'apiReleases',
    name: 'testrev',
    properties: { apiId: `${arm}/apis/a1`, notes: 'yahooagain' },
  },
  {
    // The example's XSD document is long; its first element stands in for it (a string either way).
    example: 'ApiManagementCreateApiSchema',
    kind: 'apiSchemas',
    name: 'ec12520d-9d48-4e7b-8f39-698ca2ac63f1',
    properties: {
      contentType: 'application/vnd.ms-azure-apim.xsd+xml',
      document: {
        value:
          '<s:schema elementFormDefault="qualified" targetNamespace="http://ws.cdyne.com/WeatherWS/" xmlns:s="http://www.w3.org/2001/XMLSchema">\r\n  <s:element name="GetWeatherInformation">\r\n    <s:complexType />\r\n  </s:element>\r\n</s:schema>',
      },
    },
  },
  {
    example: 'ApiManagementCreateApiDiagnostic',
    kind: 'apiDiagnostics',
    name: 'applicationinsights',
    properties: {
      alwaysLog: 'allErrors',
      loggerId: '/loggers/applicationinsights',
      sampling: { samplingType: 'fixed', percentage: 50 },
      frontend: {
        request: { headers: ['Content-type'], body: { bytes: 512 } },
        response: { headers: ['Content-type'], body: { bytes: 512 } },
      },
      backend: {
        request: { headers: ['Content-type'], body: { bytes: 512 } },
        response: { headers: ['Content-type'], body: { bytes: 512 } },
      },
    },
  },
  {
    example: 'ApiManagementCreateApiVersionSet',
    kind: 'apiVersionSets',
    name: 'api1',
    properties: { displayName: 'api set 1', versioningScheme: 'Segment', description: 'Version configuration' },
  },
  {
    example: 'ApiManagementCreatePolicy',
    kind: 'policies',
    name: 'policy',
    properties: {
      format: 'xml',
      value: '<policies>\r\n  <inbound />\r\n  <backend>\r\n    <forward-request />\r\n  </backend>\r\n  <outbound />\r\n</policies>',
    },
  },
  {
    example: 'ApiManagementCreateProduct',
    kind: 'products',
    name: 'testproduct',
    properties: { displayName: 'Test Template ProductName 4' },
  },
  {
    example: 'ApiManagementCreateWorkspaceProductApiLink',
    kind: 'productApiLinks',
    name: 'link1',
    properties: { apiId: `${arm}/workspaces/wks1/apis/echo-api` },
  },
  {
    example: 'ApiManagementCreateSubscription',
    kind: 'subscriptions',
    name: 'testsub',
    properties: {
      ownerId: `${arm}/users/57127d485157a511ace86ae7`,
      scope: `${arm}/products/5600b59475ff190048060002`,
      displayName: 'testsub',
    },
  },
  {
    example: 'ApiManagementCreateNamedValue',
    kind: 'namedValues',
    name: 'testprop2',
    properties: { displayName: 'prop3name', value: 'propValue', tags: ['foo', 'bar'], secret: false },
  },
  {
    example: 'ApiManagementCreatePolicyFragment',
    kind: 'policyFragments',
    name: 'policyFragment1',
    properties: {
      format: 'xml',
      description: 'A policy fragment example',
      value: '<fragment><json-to-xml apply="always" consider-accept-header="false" /></fragment>',
    },
  },
  {
    example: 'ApiManagementCreateBackendProxyBackend',
    kind: 'backends',
    name: 'proxybackend',
    properties: {
      description: 'description5308',
      url: 'https://backendname2644/',
      protocol: 'http',
      tls: { validateCertificateChain: true, validateCertificateName: true },
      proxy: { url: 'http://192.168.1.1:8080', username: 'Contoso\\admin', password: '<password>' },
      credentials: {
        query: { sv: ['xx', 'bb', 'cc'] },
        header: { 'x-my-1': ['val1', 'val2'] },
        authorization: { scheme: 'Basic', parameter: 'opensesma' },
      },
    },
  },
  {
    example: 'ApiManagementCreateBackendServiceFabric',
    kind: 'backends',
    name: 'sfbackend',
    properties: {
      description: 'Service Fabric Test App 1',
      protocol: 'http',
      url: 'fabric:/mytestapp/mytestservice',
      properties: {
        serviceFabricCluster: {
          managementEndpoints: ['https://somecluster.com'],
          clientCertificateId: `${arm}/certificates/cert1`,
          serverX509Names: [{ name: 'ServerCommonName1', issuerCertificateThumbprint: 'IssuerCertificateThumbprint1' }],
          maxPartitionResolutionRetries: 5,
        },
      },
    },
  },
  {
    example: 'ApiManagementCreateBackendWithPriorityBasedLoadBalancer',
    kind: 'backends',
    name: 'priority-based-load-balancer',
    properties: {
      type: 'Pool',
      pool: {
        services: [
          { id: `${arm}/backends/backend-1`, priority: 1 },
          { id: `${arm}/backends/backend-2`, priority: 1 },
          { id: `${arm}/backends/backend-3`, priority: 2 },
          { id: `${arm}/backends/backend-4`, priority: 2 },
        ],
      },
    },
  },
  {
    example: 'ApiManagementCreateAILogger',
    kind: 'loggers',
    name: 'loggerId',
    properties: { loggerType: 'applicationInsights', description: 'adding a new logger', credentials: { instrumentationKey: '11................a1' } },
  },
  {
    example: 'ApiManagementCreateEHLogger',
    kind: 'loggers',
    name: 'eh1',
    properties: {
      loggerType: 'azureEventHub',
      description: 'adding a new logger',
      credentials: {
        name: 'hydraeventhub',
        connectionString: 'Endpoint=sb://hydraeventhub-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=********=',
      },
    },
  },
  {
    example: 'ApiManagementCreateDiagnostic',
    kind: 'diagnostics',
    name: 'applicationinsights',
    properties: {
      alwaysLog: 'allErrors',
      loggerId: '/loggers/azuremonitor',
      sampling: { samplingType: 'fixed', percentage: 50 },
      frontend: {
        request: { headers: ['Content-type'], body: { bytes: 512 } },
        response: { headers: ['Content-type'], body: { bytes: 512 } },
      },
      backend: {
        request: { headers: ['Content-type'], body: { bytes: 512 } },
        response: { headers: ['Content-type'], body: { bytes: 512 } },
      },
    },
  },
  {
    example: 'ApiManagementCreateTag',
    kind: 'tags',
    name: 'tagId1',
    properties: { displayName: 'tag1' },
  },
  {
    example: 'ApiManagementCreateGroup',
    kind: 'groups',
    name: 'tempgroup',
    properties: { displayName: 'temp group' },
  },
  {
    example: 'ApiManagementCreateGroupExternal',
    kind: 'groups',
    name: 'aadGroup',
    properties: {
      displayName: 'NewGroup (samiraad.onmicrosoft.com)',
      description: 'new group to test',
      type: 'external',
      externalId: 'aad://samiraad.onmicrosoft.com/groups/83cf2753-5831-4675-bc0e-2f8dc067c58d',
    },
  },
  {
    example: 'ApiManagementCreateUser',
    kind: 'users',
    name: '5931a75ae4bbd512288c680b',
    properties: { firstName: 'foo', lastName: 'bar', email: 'foobar@outlook.com', confirmation: 'signup' },
  },
  {
    example: 'ApiManagementCreateAuthorizationServer',
    kind: 'authorizationServers',
    name: 'newauthServer',
    properties: {
      displayName: 'test2',
      useInTestConsole: false,
      useInApiDocumentation: true,
      description: 'test server',
      clientRegistrationEndpoint: 'https://www.contoso.com/apps',
      authorizationEndpoint: 'https://www.contoso.com/oauth2/auth',
      authorizationMethods: ['GET'],
      tokenEndpoint: 'https://www.contoso.com/oauth2/token',
      supportState: true,
      defaultScope: 'read write',
      grantTypes: ['authorizationCode', 'implicit'],
      bearerTokenSendingMethods: ['authorizationHeader'],
      clientId: '1',
      clientSecret: '2',
      resourceOwnerUsername: 'un',
      resourceOwnerPassword: 'pwd',
    },
  },
  {
    example: 'ApiManagementCreateGlobalSchema1',
    kind: 'schemas',
    name: 'schema1',
    properties: {
      description: 'sample schema description',
      schemaType: 'xml',
      value:
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"\r\n           xmlns:tns="http://tempuri.org/PurchaseOrderSchema.xsd"\r\n           targetNamespace="http://tempuri.org/PurchaseOrderSchema.xsd"\r\n           elementFormDefault="qualified">\r\n <xsd:element name="PurchaseOrder" type="tns:PurchaseOrderType"/>\r\n</xsd:schema>',
    },
  },
  {
    example: 'ApiManagementCreateGlobalSchema2',
    kind: 'schemas',
    name: 'schema1',
    properties: {
      description: 'sample schema description',
      schemaType: 'json',
      document: {
        $id: 'https://example.com/person.schema.json',
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'Person',
        type: 'object',
        properties: {
          firstName: { type: 'string', description: "The person's first name." },
          lastName: { type: 'string', description: "The person's last name." },
          age: { description: 'Age in years which must be equal to or greater than zero.', type: 'integer', minimum: 0 },
        },
      },
    },
  },
  {
    example: 'ApiManagementCreateGateway',
    kind: 'gateways',
    name: 'gw1',
    properties: { description: 'my gateway 1', locationData: { name: 'my location' } },
  },
  {
    // Azure's PUT of a notification has no body.
    example: 'ApiManagementCreateNotification',
    kind: 'notifications',
    name: 'RequestPublisherNotificationMessage',
    properties: {},
  },
];

for (const { example, kind, name, properties } of requests) {
  test(`Azure's ${example} request body is accepted as ${kind}`, () => {
    assert.deepEqual(problems(kind, name, properties), []);
  });
}

/**
 * Bodies as Azure returns them can be sent back: computed properties are accepted (and
 * dropped). Azure writes absent values as null; the engine treats a null property as absent,
 * so those are left out here.
 */
const readBacks: readonly Example[] = [
  {
    example: 'ApiManagementCreateApi (response)',
    kind: 'apis',
    name: 'apiid9419',
    properties: {
      displayName: 'apiname1463',
      apiRevision: '1',
      description: 'apidescription5200',
      serviceUrl: 'http://newechoapi.cloudapp.net/api',
      path: 'newapiPath',
      protocols: ['http', 'https'],
      authenticationSettings: {
        oAuth2: { authorizationServerId: 'authorizationServerId2283', scope: 'oauth2scope2580' },
        oAuth2AuthenticationSettings: [{ authorizationServerId: 'authorizationServerId2283', scope: 'oauth2scope2580' }],
      },
      subscriptionKeyParameterNames: { header: 'header4520', query: 'query3037' },
      isCurrent: true,
      isOnline: true,
      provisioningState: 'InProgress',
    },
  },
  {
    example: 'ApiManagementCreateApiNewVersionUsingExistingApi (response)',
    kind: 'apis',
    name: 'echoapiv3',
    properties: {
      displayName: 'Echo API2',
      apiRevision: '1',
      subscriptionRequired: true,
      serviceUrl: 'http://echoapi.cloudapp.net/api',
      path: 'echo2',
      protocols: ['http', 'https'],
      subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
      isCurrent: true,
      apiVersion: 'v4',
      apiVersionSetId: `${arm}/apiVersionSets/aa9c59e6-c0cd-4258-9356-9ca7d2f0b458`,
      apiVersionSet: { id: `${arm}/apiVersionSets/aa9c59e6-c0cd-4258-9356-9ca7d2f0b458`, name: 'Echo API2', versioningScheme: 'Segment' },
      provisioningState: 'InProgress',
    },
  },
  {
    example: 'ApiManagementCreateProduct (response)',
    kind: 'products',
    name: 'testproduct',
    properties: { displayName: 'Test Template ProductName 4', subscriptionRequired: true, approvalRequired: false, state: 'notPublished' },
  },
  {
    example: 'ApiManagementCreateSubscription (response)',
    kind: 'subscriptions',
    name: 'testsub',
    properties: {
      ownerId: `${arm}/users/57127d485157a511ace86ae7`,
      scope: `${arm}/products/5600b59475ff190048060002`,
      displayName: 'testsub',
      state: 'submitted',
      createdDate: '2017-06-02T23:34:03.1055076Z',
    },
  },
  {
    example: 'ApiManagementCreateUser (response)',
    kind: 'users',
    name: '5931a75ae4bbd512288c680b',
    properties: {
      firstName: 'foo',
      lastName: 'bar',
      email: 'foobar@outlook.com',
      state: 'active',
      registrationDate: '2018-01-07T21:21:29.16Z',
      groups: [],
      identities: [{ provider: 'Basic', id: 'foobar@outlook.com' }],
    },
  },
  {
    example: 'ApiManagementCreateApiRelease (response)',
    kind: 'apiReleases',
    name: 'testrev',
    properties: {
      apiId: `${arm}/apis/a1`,
      createdDateTime: '2018-02-08T20:52:00.65Z',
      updatedDateTime: '2018-02-08T20:52:00.65Z',
      notes: 'yahooagain',
    },
  },
  {
    example: 'ApiManagementCreateNamedValue (response)',
    kind: 'namedValues',
    name: 'testprop2',
    properties: { displayName: 'prop3name', value: 'propValue', tags: ['foo', 'bar'], secret: false, provisioningState: 'InProgress' },
  },
  {
    example: 'ApiManagementCreateEHLogger (response)',
    kind: 'loggers',
    name: 'eh1',
    properties: {
      loggerType: 'azureEventHub',
      description: 'adding a new logger',
      credentials: { connectionString: '{{Logger-Credentials-5f28745bbebeeb13cc3f7301}}' },
      isBuffered: true,
    },
  },
  {
    example: 'ApiManagementCreateNotification (response)',
    kind: 'notifications',
    name: 'RequestPublisherNotificationMessage',
    properties: {
      title: 'Subscription requests (requiring approval)',
      description:
        'The following email recipients and users will receive email notifications about subscription requests for API products requiring approval.',
      recipients: {
        emails: [`${arm}/recipientEmails/contoso@live.com`, `${arm}/recipientEmails/foobar@live.com`],
        users: [`${arm}/users/576823d0a40f7e74ec07d642`],
      },
    },
  },
];

for (const { example, kind, name, properties } of readBacks) {
  test(`Azure's ${example} body can be sent back as ${kind}`, () => {
    assert.deepEqual(problems(kind, name, properties), []);
  });
}

test('an Azure body with a mistake is rejected, naming the property', () => {
  assert.deepEqual(problems('apiVersionSets', 'api1', { displayName: 'api set 1', versioningScheme: 'segment' }), [
    '/versioningScheme: Expected union value',
  ]);
  assert.deepEqual(problems('products', 'p', { displayName: 'p', subscriptionsLimit: 'ten' }), ['/subscriptionsLimit: Expected integer']);
  assert.deepEqual(problems('diagnostics', 'd', { loggerId: '/loggers/l', sampling: { percentage: 150 } }), [
    '/sampling/percentage: Expected number to be less or equal to 100',
  ]);
  assert.deepEqual(problems('namedValues', 'nv', { displayName: 'has space', value: 'x' }), [
    "/displayName: Expected string to match '^[A-Za-z0-9._-]+$'",
  ]);
});
