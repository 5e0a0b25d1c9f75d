import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';

/**
 * Example request bodies from Azure API Management's REST reference (api-version 2024-05-01),
 * sent as they are, ARM-form ids included; each property must read back as it was sent.
 */
const ARM = '/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';

const apiExample = {
  description: 'apidescription5200',
  authenticationSettings: { oAuth2: { authorizationServerId: 'authorizationServerId2283', scope: 'oauth2scope2580' } },
  subscriptionKeyParameterNames: { header: 'header4520', query: 'query3037' },
  displayName: 'apiname1463',
  serviceUrl: 'http://newechoapi.cloudapp.net/api',
  protocols: ['https', 'http'],
};

const examples: { name: string; path: string; body: { properties: Record<string, unknown> }; setup?: [string, unknown][] }[] = [
  {
    name: 'ApiManagementCreateWorkspace',
    path: '/workspaces/wks1',
    body: { properties: { displayName: 'my workspace', description: 'workspace description' } },
  },
  { name: 'ApiManagementCreateApi', path: '/apis/tempgroup', body: { properties: { ...apiExample, path: 'newapiPath' } } },
  // The workspace example carries the same body; its path differs because API paths are unique per gateway.
  { name: 'ApiManagementCreateWorkspaceApi', path: '/workspaces/wks1/apis/tempgroup2', body: { properties: { ...apiExample, path: 'newapiPath2' } } },
  {
    name: 'ApiManagementCreateProduct',
    path: '/products/testproduct',
    body: { properties: { displayName: 'Test Template ProductName 4' } },
  },
  {
    name: 'ApiManagementCreateWorkspaceProduct',
    path: '/workspaces/wks1/products/testproduct2',
    body: { properties: { displayName: 'Test Template ProductName 4' } },
  },
  {
    name: 'ApiManagementCreateSubscription',
    path: '/subscriptions/testsub',
    setup: [
      ['/users/57127d485157a511ace86ae7', { properties: { email: 'foobar@outlook.com', firstName: 'foo', lastName: 'bar' } }],
      ['/products/5600b59475ff190048060002', { properties: { displayName: 'Starter' } }],
    ],
    body: { properties: { ownerId: `${ARM}/users/57127d485157a511ace86ae7`, scope: `${ARM}/products/5600b59475ff190048060002`, displayName: 'testsub' } },
  },
  {
    name: 'ApiManagementCreateWorkspaceSubscription',
    path: '/workspaces/wks1/subscriptions/testsub2',
    setup: [['/workspaces/wks1/products/5600b59475ff190048060003', { properties: { displayName: 'Workspace starter' } }]],
    body: {
      properties: {
        ownerId: `${ARM}/users/57127d485157a511ace86ae7`,
        scope: `${ARM}/workspaces/wks1/products/5600b59475ff190048060003`,
        displayName: 'testsub',
      },
    },
  },
  {
    name: 'ApiManagementCreateNamedValue',
    path: '/namedValues/testprop2',
    body: { properties: { displayName: 'prop3name', value: 'propValue', tags: ['foo', 'bar'], secret: false } },
  },
  {
    name: 'ApiManagementCreateWorkspaceNamedValue',
    path: '/workspaces/wks1/namedValues/testprop3',
    body: { properties: { displayName: 'prop4name', value: 'propValue', tags: ['foo', 'bar'], secret: false } },
  },
  {
    name: 'ApiManagementCreatePolicyFragment',
    path: '/policyFragments/policyFragment1',
    body: {
      properties: {
        value: '<fragment><json-to-xml apply="always" consider-accept-header="false" /></fragment>',
        description: 'A policy fragment example',
        format: 'xml',
      },
    },
  },
  {
    name: 'ApiManagementCreateWorkspacePolicyFragment',
    path: '/workspaces/wks1/policyFragments/policyFragment2',
    body: {
      properties: {
        value: '<fragment><json-to-xml apply="always" consider-accept-header="false" /></fragment>',
        description: 'A policy fragment example',
        format: 'xml',
      },
    },
  },
];

describe("Azure's REST reference examples", () => {
  let atrium: RunningAtrium;
  before(async () => {
    atrium = await startAtrium();
  });
  after(() => atrium?.close());

  for (const example of examples) {
    it(`${example.name} is accepted as it is and reads back with the same properties`, async () => {
      for (const [path, body] of example.setup ?? []) {
        const res = await atrium.call('PUT', path, body);
        assert.ok(res.status === 201 || res.status === 200, `${path}: ${res.text}`);
      }
      const created = await atrium.call('PUT', `${example.path}?api-version=2024-05-01`, example.body);
      assert.equal(created.status, 201, created.text);
      const read = await atrium.call('GET', `${example.path}?api-version=2024-05-01`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.name, example.path.split('/').at(-1));
      assert.equal(read.body.id, example.path);
      for (const [property, value] of Object.entries(example.body.properties)) {
        assert.deepEqual(read.body.properties[property], value, `properties.${property}`);
      }
      // Sending the read-back body again is accepted too (APIOps extract → publish).
      const again = await atrium.call('PUT', example.path, { properties: read.body.properties });
      assert.equal(again.status, 200, again.text);
    });
  }

  it('generates subscription keys, hides them on GET and reveals them through listSecrets', async () => {
    const read = await atrium.call('GET', '/subscriptions/testsub');
    assert.equal(read.body.properties.primaryKey, undefined);
    const secrets = await atrium.call('POST', '/subscriptions/testsub/listSecrets');
    assert.equal(secrets.status, 200, secrets.text);
    assert.match(secrets.body.primaryKey, /^[0-9a-f]{32}$/);
    assert.match(secrets.body.secondaryKey, /^[0-9a-f]{32}$/);
    assert.notEqual(secrets.body.primaryKey, secrets.body.secondaryKey);
    const regenerated = await atrium.call('POST', '/subscriptions/testsub/regeneratePrimaryKey');
    assert.equal(regenerated.status, 204, regenerated.text);
    const after = await atrium.call('POST', '/subscriptions/testsub/listSecrets');
    assert.notEqual(after.body.primaryKey, secrets.body.primaryKey);
    assert.equal(after.body.secondaryKey, secrets.body.secondaryKey);
  });
});
