import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceRecord } from '../src/store/store.ts';
import { createPolicyPipelines, type PolicyRecords } from '../src/policy/runtime/index.ts';
import { createRedisCounters } from '../src/counters/index.ts';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { closeUpstream, gatewayContext, run } from './support/policy-context.ts';
import { REDIS_URL, redisAvailable } from './support/services.ts';

let backend: RecordingBackend;
before(async () => {
  backend = await startBackend('echo');
});
after(async () => {
  await backend.close();
  await closeUpstream();
});

/** The records a gateway holds, with revisions that grow on every write. */
function recordStore() {
  const map = new Map<string, ResourceRecord>();
  let revision = 0;
  let version = 0;
  const put = (key: string, kind: string, properties: Record<string, unknown>): void => {
    const name = key.split('/').pop()!;
    const workspace = key.startsWith('/workspaces/') ? key.split('/')[2] : '';
    const parentKey = key.slice(0, key.lastIndexOf('/', key.lastIndexOf('/') - 1));
    map.set(key, { key, id: key, kind, parentKey: kind.endsWith('olicies') ? parentKey : '', workspace, name, uniqueKey: null, properties, revision: ++revision, createdAt: '', updatedAt: '' });
    version++;
  };
  const records: PolicyRecords & { put: typeof put; remove(key: string): void } = {
    get: (key) => map.get(key),
    namedValues: (workspace) => [...map.values()].filter((r) => r.kind === 'namedValues' && r.workspace === workspace),
    version: () => version,
    put,
    remove: (key) => {
      map.delete(key);
      version++;
    },
  };
  return records;
}

const header = (name: string, value: string) => `<set-header name="${name}" exists-action="append"><value>${value}</value></set-header>`;
const doc = (inbound: string) => ({ value: `<policies><inbound>${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`, format: 'rawxml' });

describe('createPolicyPipelines', () => {
  test('five scopes run outside-in where each writes <base/>; an operation without <base/> drops the rest', async () => {
    const records = recordStore();
    records.put('/policies/policy', 'policies', doc(header('x-order', 'global')));
    records.put('/workspaces/w1/policies/policy', 'policies', doc(`<base />${header('x-order', 'workspace')}`));
    records.put('/workspaces/w1/products/p1/policies/policy', 'productPolicies', doc(`<base />${header('x-order', 'product')}`));
    records.put('/workspaces/w1/apis/echo/policies/policy', 'apiPolicies', doc(`<base />${header('x-order', 'api')}`));
    records.put('/workspaces/w1/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc(`<base />${header('x-order', 'operation')}`));
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    const ctx = inWorkspace(gatewayContext(backend.url, { productKey: '/workspaces/w1/products/p1' }));
    assert.equal((await run(policies.pipeline, ctx)).status, 200);
    assert.deepEqual(backend.last()!.rawHeaders.filter((_, i, a) => a[i - 1] === 'x-order'), ['global', 'workspace', 'product', 'api', 'operation']);

    records.put('/workspaces/w1/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc(header('x-order', 'operation only')));
    await run(policies.pipeline, inWorkspace(gatewayContext(backend.url, { productKey: '/workspaces/w1/products/p1' })));
    assert.deepEqual(backend.last()!.rawHeaders.filter((_, i, a) => a[i - 1] === 'x-order'), ['operation only']);

    // Without a product (a key for all APIs) the product level is left out.
    records.remove('/workspaces/w1/apis/echo/operations/op/policies/policy');
    await run(policies.pipeline, inWorkspace(gatewayContext(backend.url)));
    assert.deepEqual(backend.last()!.rawHeaders.filter((_, i, a) => a[i - 1] === 'x-order'), ['global', 'workspace', 'api']);
  });

  test('a pipeline is compiled once and rebuilt only when a document, fragment or named value it uses changes', async () => {
    const records = recordStore();
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc('<include-fragment fragment-id="frag" />'));
    records.put('/policyfragments/frag', 'policyFragments', { value: `<fragment>${header('x-v', '{{greeting}}')}${header('x-s', '{{token}}')}</fragment>`, format: 'rawxml' });
    records.put('/namedvalues/nv1', 'namedValues', { displayName: 'greeting', value: 'hello' });
    records.put('/namedvalues/token', 'namedValues', { displayName: 'token', value: 'sealed', secret: true });
    const policies = createPolicyPipelines({ records, reveal: (r) => (r.properties.secret ? { ...r.properties, value: 'revealed' } : r.properties) });
    const ctx = () => gatewayContext(backend.url);
    const first = policies.pipelineFor(ctx().snapshot, ctx().api, ctx().operation, undefined);
    await run(policies.pipeline, ctx());
    assert.equal(backend.last()!.headers['x-v'], 'hello');
    assert.equal(backend.last()!.headers['x-s'], 'revealed');
    records.put('/policies/unrelated', 'other', {});
    assert.equal(policies.pipelineFor(ctx().snapshot, ctx().api, ctx().operation, undefined), first, 'an unrelated change keeps the compiled pipeline');
    records.put('/namedvalues/nv1', 'namedValues', { displayName: 'greeting', value: 'bonjour' });
    await run(policies.pipeline, ctx());
    assert.equal(backend.last()!.headers['x-v'], 'bonjour');
    records.put('/policyfragments/frag', 'policyFragments', { value: `<fragment>${header('x-v', 'fragment v2')}</fragment>`, format: 'rawxml' });
    await run(policies.pipeline, ctx());
    assert.equal(backend.last()!.headers['x-v'], 'fragment v2');
  });

  test('a broken document fails only its own operation, with a 500 naming the problem in LastError', async () => {
    const records = recordStore();
    const lines: string[] = [];
    records.put('/apis/echo/policies/policy', 'apiPolicies', { value: '<policies><inbound><set-header name="x"></inbound></policies>', format: 'rawxml' });
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties, log: (m) => lines.push(m) });
    const result = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(result.status, 500);
    assert.equal(result.ctx.lastError?.reason, 'PolicyConfigurationError');
    assert.match(result.ctx.lastError!.message, /line 1, column/);
    assert.equal(lines.length, 1);
    const other = await run(policies.pipeline, gatewayContext(backend.url, { apiName: 'other' }));
    assert.equal(other.status, 200);
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc(header('x-fixed', '1')));
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url))).status, 200);
    assert.equal(backend.last()!.headers['x-fixed'], '1');
  });

  test('mock-response answers with the example of the operation’s definition', async () => {
    const records = recordStore();
    records.put('/apis/echo/operations/op', 'apiOperations', {
      displayName: 'op',
      method: 'GET',
      urlTemplate: '/*',
      responses: [
        { statusCode: 404, representations: [{ contentType: 'application/json', examples: { default: { value: { error: 'none' } } } }] },
        { statusCode: 200, representations: [{ contentType: 'application/json', examples: { first: { value: { id: 1 } }, default: { value: { id: 2 } } } }, { contentType: 'text/plain', examples: { default: { value: 'two' } } }] },
      ],
    });
    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc('<mock-response />'));
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    const ok = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { id: 2 });
    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc('<mock-response status-code="200" content-type="text/plain" />'));
    const text = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(text.text, 'two');
    assert.equal(text.header('content-type'), 'text/plain');
    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc('<mock-response status-code="404" />'));
    const missing = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: 'none' });
  });

  test('validate-parameters, validate-headers and validate-status-code check against the operation’s definition', async () => {
    const records = recordStore();
    records.put('/apis/echo/operations/op', 'apiOperations', {
      displayName: 'op',
      method: 'GET',
      urlTemplate: '/*',
      request: { queryParameters: [{ name: 'limit', type: 'integer', required: true }, { name: 'order', type: 'string', values: ['asc', 'desc'] }], headers: [{ name: 'x-tenant', type: 'string' }] },
      responses: [{ statusCode: 200, headers: [{ name: 'x-backend', type: 'string' }] }],
    });
    const inbound = '<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="detect" errors-variable-name="errors"><headers specified-parameter-action="detect" unspecified-parameter-action="ignore" /></validate-parameters><set-header name="x-errors" exists-action="override"><value>@(context.Variables.ContainsKey("errors") ? ((JArray)context.Variables["errors"]).Count.ToString() : "0")</value></set-header>';
    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', doc(inbound));
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url, { query: 'limit=5&order=asc' }))).status, 200);
    assert.equal(backend.last()!.headers['x-errors'], '0');
    const missing = await run(policies.pipeline, gatewayContext(backend.url, { query: 'order=asc' }));
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json(), { statusCode: 400, message: 'QueryParameter limit is required.' });
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url, { query: 'limit=x' }))).status, 400);
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url, { query: 'limit=1&order=up' }))).status, 400);
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url, { query: 'limit=1&extra=1', headers: { 'x-other': '1' } }))).status, 200);
    assert.equal(backend.last()!.headers['x-errors'], '1', 'the unspecified query parameter is detected, the header ignored');

    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', {
      value: '<policies><inbound /><backend><forward-request /></backend><outbound><validate-status-code unspecified-status-code-action="prevent" /><validate-headers specified-header-action="prevent" unspecified-header-action="prevent"><header name="x-request-id" action="ignore" /></validate-headers></outbound><on-error /></policies>',
      format: 'rawxml',
    });
    const status = { code: 200, headers: { 'x-backend': 'echo', 'x-request-id': '1' } as Record<string, string> };
    const b = await startBackend('validated');
    b.respondWith((_r, res) => {
      res.writeHead(status.code, status.headers);
      res.end('{}');
    });
    try {
      assert.equal((await run(policies.pipeline, gatewayContext(b.url))).status, 200);
      status.code = 500;
      const leaked = await run(policies.pipeline, gatewayContext(b.url));
      assert.equal(leaked.status, 502);
      assert.deepEqual(leaked.json(), { statusCode: 502, message: 'The request could not be processed due to an internal error. Contact the API owner.' });
      assert.equal(leaked.ctx.lastError?.source, 'validate-status-code');
      status.code = 200;
      status.headers['x-secret'] = 'stack trace';
      assert.equal((await run(policies.pipeline, gatewayContext(b.url))).status, 502);
    } finally {
      await b.close();
    }
  });

  test('log-to-eventhub writes to the logger’s HTTP endpoint or file', async () => {
    const records = recordStore();
    const file = join(mkdtempSync(join(tmpdir(), 'atrium-logger-')), 'policy.log');
    records.put('/loggers/web', 'loggers', { loggerType: 'azureEventHub', credentials: { url: `${backend.url}/logs?source=atrium` } });
    records.put('/loggers/disk', 'loggers', { loggerType: 'azureEventHub', credentials: { file } });
    records.put('/loggers/hub', 'loggers', { loggerType: 'azureEventHub', credentials: { connectionString: 'Endpoint=sb://x' } });
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc('<log-to-eventhub logger-id="web" partition-key="p1">@("{\\"path\\":\\"" + context.Request.Url.Path + "\\"}")</log-to-eventhub><log-to-eventhub logger-id="disk">line one</log-to-eventhub><log-to-eventhub logger-id="hub">dropped</log-to-eventhub>'));
    const lines: string[] = [];
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties, log: (m) => lines.push(m), services: { outbound: { allowLoopback: true } } });
    assert.equal((await run(policies.pipeline, gatewayContext(backend.url, { path: '/orders' }))).status, 200);
    const deadline = Date.now() + 5000;
    const posted = () => backend.requests.find((r) => r.url === '/logs?source=atrium');
    while ((!posted() || !existsSync(file)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(posted()?.method, 'POST');
    assert.deepEqual(JSON.parse(posted()!.body.toString()), { path: '/orders' });
    assert.equal(posted()!.headers['x-partition-key'], 'p1');
    assert.equal(readFileSync(file, 'utf8'), 'line one\n');
    assert.ok(lines.some((l) => /logger 'hub' has no sink/.test(l)));
  });

  test('operations with the same composed policies share one compiled pipeline', async () => {
    const records = recordStore();
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc(header('x-api', '1')));
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    const a = gatewayContext(backend.url, { operationName: 'a' });
    const b = gatewayContext(backend.url, { operationName: 'b' });
    const pa = policies.pipelineFor(a.snapshot, a.api, a.operation, undefined);
    assert.equal(policies.pipelineFor(b.snapshot, b.api, b.operation, undefined), pa);
    records.put('/apis/echo/operations/b/policies/policy', 'apiOperationPolicies', doc(`<base />${header('x-op', 'b')}`));
    const c = gatewayContext(backend.url, { operationName: 'b' });
    assert.notEqual(policies.pipelineFor(c.snapshot, c.api, c.operation, undefined), pa);
    await run(policies.pipeline, gatewayContext(backend.url, { operationName: 'b' }));
    assert.equal(backend.last()!.headers['x-op'], 'b');
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc(header('x-api', '2')));
    await run(policies.pipeline, gatewayContext(backend.url, { operationName: 'a' }));
    assert.equal(backend.last()!.headers['x-api'], '2');
  });

  test('validate-content checks size, content type and the JSON body against the definition’s schema or a schema resource', async () => {
    const records = recordStore();
    records.put('/apis/echo/operations/op', 'apiOperations', {
      displayName: 'op',
      method: 'POST',
      urlTemplate: '/*',
      request: { representations: [{ contentType: 'application/json', schemaId: 's1', typeName: 'Order' }] },
    });
    records.put('/apis/echo/schemas/s1', 'apiSchemas', {
      contentType: 'application/vnd.oai.openapi.components+json',
      document: {
        components: {
          schemas: {
            Order: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer' }, items: { type: 'array', items: { $ref: '#/components/schemas/Item' } } } },
            Item: { type: 'object', properties: { sku: { type: 'string', pattern: '^[A-Z]+$' } } },
          },
        },
      },
    });
    records.put('/schemas/strict', 'schemas', { schemaType: 'json', document: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 2 } } } });
    const policy = (content: string) =>
      doc(`<validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent" errors-variable-name="errors">${content}</validate-content>`);
    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', policy('<content type="application/json" validate-as="json" action="prevent" />'));
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    const post = (body: string, type = 'application/json') => run(policies.pipeline, gatewayContext(backend.url, { method: 'POST', body, headers: { 'content-type': type }, stream: true }));
    assert.equal((await post('{"id":1,"items":[{"sku":"AB"}]}')).status, 200);
    assert.equal(backend.last()!.body.toString(), '{"id":1,"items":[{"sku":"AB"}]}', 'the body read for validation still reaches the backend');
    const missing = await post('{"items":[]}');
    assert.equal(missing.status, 400);
    assert.match((missing.json() as { message: string }).message, /does not conform to the definition Order, which is associated with the content type application\/json\. Required property 'id' not found\./);
    assert.match(((await post('{"id":1,"items":[{"sku":"ab"}]}')).json() as { message: string }).message, /items\[0\]\.sku does not match the pattern/);
    assert.match(((await post('{"id":1,"extra":true}')).json() as { message: string }).message, /Property 'extra' has not been defined/);
    assert.deepEqual((await post('x', 'text/plain')).json(), { statusCode: 400, message: 'Unspecified content type text/plain is not allowed.' });
    assert.match(((await post(`{"id":1,"pad":"${'x'.repeat(120)}"}`)).json() as { message: string }).message, /exceeds the configured limit of 100 bytes/);

    records.put('/apis/echo/operations/op/policies/policy', 'apiOperationPolicies', policy('<content validate-as="json" action="prevent" schema-id="strict" allow-additional-properties="true" />'));
    assert.equal((await post('{"name":"ok","other":1}')).status, 200);
    assert.equal((await post('{"name":"x"}')).status, 400);
  });

  test('secret named values never appear in LastError or logs', async () => {
    const records = recordStore();
    records.put('/namedvalues/token', 'namedValues', { displayName: 'token', value: 'sealed', secret: true });
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc('<set-variable name="x" value="@(bool.Parse(&quot;{{token}}-x&quot;))" />'));
    const policies = createPolicyPipelines({ records, reveal: (r) => ({ ...r.properties, value: 'hunter2' }) });
    const result = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(result.status, 500);
    assert.ok(result.ctx.lastError!.message.includes('******'), result.ctx.lastError!.message);
    assert.ok(!result.ctx.lastError!.message.includes('hunter2'));
  });

  test('a fragment’s policies report the scope that included them in LastError', async () => {
    const records = recordStore();
    records.put('/apis/echo/policies/policy', 'apiPolicies', { value: '<policies><inbound><include-fragment fragment-id="boom" /></inbound><on-error><set-header name="x-scope" exists-action="override"><value>@(context.LastError.Scope + "|" + context.LastError.Source)</value></set-header></on-error></policies>', format: 'rawxml' });
    records.put('/policyfragments/boom', 'policyFragments', { value: '<fragment><set-variable name="x" value="@(int.Parse(&quot;nope&quot;))" /></fragment>', format: 'rawxml' });
    const policies = createPolicyPipelines({ records, reveal: (r) => r.properties });
    const result = await run(policies.pipeline, gatewayContext(backend.url));
    assert.equal(result.header('x-scope'), 'api|set-variable');
  });
});

const redis = await redisAvailable();

describe('rate limits shared through Redis', { skip: redis === true ? false : redis }, () => {
  test('two gateways sharing Redis count one limit: the N+1st call is 429 with Retry-After', async () => {
    const prefix = `atrium-test:${randomBytes(4).toString('hex')}:`;
    const records = recordStore();
    records.put('/apis/echo/policies/policy', 'apiPolicies', doc('<rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Subscription.Id)" />'));
    const counters = [createRedisCounters({ url: REDIS_URL, prefix }), createRedisCounters({ url: REDIS_URL, prefix })];
    try {
      const gateways = counters.map((c) => createPolicyPipelines({ records, reveal: (r) => r.properties, services: { counters: c } }));
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await run(gateways[i % 2].pipeline, gatewayContext(backend.url))).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
      const limited = await run(gateways[0].pipeline, gatewayContext(backend.url));
      assert.ok(Number(limited.header('retry-after')) > 0);
      assert.equal((await run(gateways[1].pipeline, gatewayContext(backend.url, { subscription: { name: 'other' } }))).status, 200);
    } finally {
      for (const c of counters) await c.close();
    }
  });
});

/** The hand-built context of an API of workspace w1. */
function inWorkspace<T extends { api: object; operation: object }>(ctx: T): T {
  const api = { ...(ctx.api as Record<string, unknown>), key: '/workspaces/w1/apis/echo', workspace: 'w1' };
  const operation = { ...(ctx.operation as Record<string, unknown>), key: '/workspaces/w1/apis/echo/operations/op' };
  return Object.assign(ctx, { api, operation });
}
