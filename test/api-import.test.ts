import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/import/test-server.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';

/**
 * Import and export through the API resource, over real HTTP: every public OpenAPI document of
 * the shared corpus imports with its listed operation count, exports, and re-imports from its
 * own export with the same operations.
 */
const CORPUS = fileURLToPath(new URL('../../shared/corpus/openapi/', import.meta.url));
const available = existsSync(CORPUS);

const documents: { file: string; format: string; operations: number }[] = [
  { file: 'oai-examples/v2.0/json/petstore.json', format: 'swagger-json', operations: 3 },
  { file: 'oai-examples/v2.0/json/petstore-expanded.json', format: 'swagger-json', operations: 4 },
  { file: 'oai-examples/v2.0/json/api-with-examples.json', format: 'swagger-json', operations: 2 },
  { file: 'oai-examples/v2.0/json/uber.json', format: 'swagger-json', operations: 5 },
  { file: 'oai-examples/v3.0/petstore.yaml', format: 'openapi', operations: 3 },
  { file: 'oai-examples/v3.0/petstore-expanded.yaml', format: 'openapi', operations: 4 },
  { file: 'oai-examples/v3.0/api-with-examples.yaml', format: 'openapi', operations: 2 },
  { file: 'oai-examples/v3.0/callback-example.yaml', format: 'openapi', operations: 1 },
  { file: 'oai-examples/v3.0/link-example.yaml', format: 'openapi', operations: 6 },
  { file: 'oai-examples/v3.0/uspto.yaml', format: 'openapi', operations: 3 },
  { file: 'oai-examples/v3.1/webhook-example.yaml', format: 'openapi', operations: 0 },
  { file: 'redocly-museum/openapi.yaml', format: 'openapi', operations: 8 },
  { file: 'twilio/twilio_lookups_v2.json', format: 'openapi+json', operations: 10 },
  { file: 'twilio/twilio_messaging_v1.json', format: 'openapi+json', operations: 58 },
  { file: 'box/openapi.json', format: 'openapi+json', operations: 296 },
  { file: 'openai/openapi.yaml', format: 'openapi', operations: 288 },
];

interface Op {
  name: string;
  properties: { method: string; urlTemplate: string; templateParameters?: { name: string }[] };
}

describe('API import and export through the REST API', { skip: available ? false : `the shared corpus is not at ${CORPUS}` }, () => {
  let atrium: RunningAtrium;
  let files: TestServer;
  before(async () => {
    files = await startTestServer({ root: `${CORPUS}oai-examples/v2.0/yaml/petstore-separate` });
    atrium = await startAtrium({ env: { ATRIUM_IMPORT_ALLOWED_HOSTS: files.host } });
  });
  after(async () => {
    await atrium?.close();
    await files?.close();
  });

  const operationsOf = async (apiPath: string): Promise<Op[]> => {
    const res = await atrium.call('GET', `${apiPath}/operations?$top=1000`);
    assert.equal(res.status, 200, res.text);
    return res.body.value;
  };
  const signature = (ops: Op[]): string[] =>
    ops.map((o) => `${o.name} ${o.properties.method} ${o.properties.urlTemplate} ${(o.properties.templateParameters ?? []).map((p) => p.name).join(',')}`).sort();

  documents.forEach((doc, i) => {
    it(`${doc.file}: ${doc.operations} operations in, out and back in`, async () => {
      const api = `/apis/doc-${i}`;
      const started = performance.now();
      const imported = await atrium.call('PUT', api, { properties: { format: doc.format, value: readFileSync(CORPUS + doc.file, 'utf8'), path: `doc-${i}` } });
      const ms = performance.now() - started;
      assert.equal(imported.status, 201, imported.text.slice(0, 500));
      assert.equal(imported.body.properties.format, undefined);
      assert.equal(imported.body.properties.value, undefined);
      if (doc.operations > 50) console.log(`# imported ${doc.file} (${doc.operations} operations) through the REST API in ${ms.toFixed(0)} ms`);
      const ops = await operationsOf(api);
      assert.equal(ops.length, doc.operations);

      const exported = await atrium.call('GET', `${api}?export=true&format=openapi%2Bjson`);
      assert.equal(exported.status, 200);
      assert.equal(exported.body.openapi, '3.0.1');
      // Operations whose URL templates carry a query part travel in x-ms-paths, as Azure exports them.
      const count = (paths: Record<string, object> = {}): number => Object.values(paths).reduce((n: number, p) => n + Object.keys(p).filter((k) => k !== 'parameters').length, 0);
      assert.equal(count(exported.body.paths) + count(exported.body['x-ms-paths']), doc.operations);
      assert.match(exported.body.servers[0].url, new RegExp(`/doc-${i}$`));

      const again = await atrium.call('PUT', `${api}-again`, { properties: { format: 'openapi+json', value: exported.text, path: `doc-${i}-again` } });
      assert.equal(again.status, 201, again.text.slice(0, 500));
      assert.deepEqual(signature(await operationsOf(`${api}-again`)), signature(ops));
    });
  });

  it('imports the multi-file Swagger example through its link', async () => {
    const res = await atrium.call('PUT', '/apis/separate', { properties: { format: 'swagger-link-json', value: `${files.url}/spec/swagger.yaml`, path: 'separate' } });
    assert.equal(res.status, 201, res.text);
    assert.equal((await operationsOf('/apis/separate')).length, 4);
    const definition = await atrium.call('GET', '/apis/separate/definitions/current');
    assert.equal(definition.body.properties.specVersion, '2.0');
  });

  it('refuses links to addresses outside the allow-list, leaving nothing behind', async () => {
    const res = await atrium.call('PUT', '/apis/forbidden', { properties: { format: 'openapi-link', value: 'http://10.0.0.1/openapi.yaml', path: 'forbidden' } });
    assert.equal(res.status, 400, res.text);
    assert.equal((await atrium.call('GET', '/apis/forbidden')).status, 404);
  });

  it("turns the definition's tags into tags linked to their operations", async () => {
    const i = documents.findIndex((d) => d.file.startsWith('redocly-museum'));
    const tags = await atrium.call('GET', '/tags');
    assert.ok(tags.body.count >= 1, tags.text);
    const links = await atrium.call('GET', `/tags/${tags.body.value[0].name}/operationLinks`);
    assert.ok(links.body.count >= 1);
    assert.match(links.body.value[0].properties.operationId, /^\/apis\/doc-\d+\/operations\//);
    assert.ok(i >= 0);
  });

  it('keeps webhooks in the stored definition, not as operations', async () => {
    const i = documents.findIndex((d) => d.file.startsWith('redocly-museum'));
    const definition = await atrium.call('GET', `/apis/doc-${i}/definitions/current`);
    assert.equal(definition.status, 200);
    assert.ok(Object.keys(definition.body.properties.document.webhooks).length >= 1);
  });

  it('re-imports in place: unchanged operations keep their policies, removed ones go, new ones come', async () => {
    const v1 = {
      openapi: '3.0.1',
      info: { title: 'Orders', version: '1' },
      paths: {
        '/orders': { get: { operationId: 'listOrders', responses: { '200': { description: 'ok' } } } },
        '/orders/{id}': { get: { operationId: 'getOrder', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
      },
    };
    const put = (doc: unknown) => atrium.call('PUT', '/workspaces/team/apis/orders', { properties: { format: 'openapi+json', value: JSON.stringify(doc), path: 'orders' } });
    assert.equal((await atrium.call('PUT', '/workspaces/team', { properties: { displayName: 'Team' } })).status, 201);
    assert.equal((await put(v1)).status, 201);
    const policy = '<policies><inbound><base /><set-header name="x-kept" exists-action="override"><value>yes</value></set-header></inbound></policies>';
    assert.equal((await atrium.call('PUT', '/workspaces/team/apis/orders/operations/listorders/policies/policy', { properties: { value: policy, format: 'rawxml' } })).status, 201);
    const v2 = structuredClone(v1) as typeof v1 & { paths: Record<string, unknown> };
    delete (v2.paths as Record<string, unknown>)['/orders/{id}'];
    v2.paths['/orders/{id}/cancel'] = { post: { operationId: 'cancelOrder', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': { description: 'ok' } } } };
    const reimported = await put(v2);
    assert.equal(reimported.status, 200, reimported.text);
    const names = (await operationsOf('/workspaces/team/apis/orders')).map((o) => o.name).sort();
    assert.deepEqual(names, ['cancelorder', 'listorders']);
    const kept = await atrium.call('GET', '/workspaces/team/apis/orders/operations/listorders/policies/policy');
    assert.equal(kept.status, 200);
    assert.equal(kept.body.properties.value, policy);
  });

  it('rejects bad definitions with 400 naming the problem, and leaves nothing behind', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['openapi', 'openapi: 3.0.0\ninfo: [unclosed', /YAML|line/i],
      ['openapi+json', '{"openapi": "3.0.0", "info": ', /JSON/i],
      ['openapi+json', JSON.stringify({ openapi: '4.0.0', info: { title: 'x', version: '1' }, paths: {} }), /version/i],
      ['openapi+json', JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: { '/a': { get: { responses: { '200': { $ref: '#/components/responses/Nope' } } } } } }), /Nope|ref/i],
      ['wadl-xml', '<application/>', /format/i],
    ];
    for (const [format, value, message] of cases) {
      const res = await atrium.call('PUT', '/apis/broken', { properties: { format, value, path: 'broken' } });
      assert.equal(res.status, 400, `${format}: ${res.text}`);
      assert.equal(res.body.error.code, 'ValidationError');
      assert.match(res.body.error.message, message);
      assert.equal((await atrium.call('GET', '/apis/broken')).status, 404);
    }
    const huge = JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1', description: 'x'.repeat(5 * 1024 * 1024) }, paths: {} });
    const tooLarge = await atrium.call('PUT', '/apis/broken', { properties: { format: 'openapi+json', value: huge, path: 'broken' } });
    assert.equal(tooLarge.status, 400, tooLarge.text.slice(0, 300));
    assert.equal((await atrium.call('GET', '/apis/broken')).status, 404);
  });

  it('exports YAML and Swagger 2.0 too, and refuses unknown export formats', async () => {
    const yaml = await atrium.call('GET', '/apis/doc-4?export=true&format=openapi');
    assert.equal(yaml.status, 200);
    assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
    assert.match(yaml.text, /^openapi: 3\.0\.1/m);
    const swagger = await atrium.call('GET', '/apis/doc-4?export=true&format=swagger-json');
    assert.equal(swagger.body.swagger, '2.0');
    assert.equal((await atrium.call('GET', '/apis/doc-4?export=true&format=wsdl')).status, 400);
  });
});
