import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPolicyTest, runPolicyTest } from './test-run.ts';

test('a policy test run reports each step, what it changed, the backend request and the response', async () => {
  const result = await runPolicyTest({
    document: `<policies>
      <inbound>
        <base />
        <set-variable name="user" value="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;anonymous&quot;))" />
        <choose><when condition="@((string)context.Variables[&quot;user&quot;] != &quot;anonymous&quot;)"><set-header name="x-caller" exists-action="override"><value>@((string)context.Variables["user"])</value></set-header></when></choose>
        <rewrite-uri template="/v2/orders/{id}" />
      </inbound>
      <backend><forward-request /></backend>
      <outbound><set-header name="x-env" exists-action="override"><value>{{env}}</value></set-header></outbound>
    </policies>`,
    request: { method: 'GET', url: '/orders/7?expand=1', headers: { 'x-user': 'ann' } },
    operation: { urlTemplate: '/orders/{id}' },
    api: { serviceUrl: 'https://orders.internal' },
    namedValues: { env: 'test' },
    backend: (req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ got: req.url }) }),
  });
  assert.deepEqual(
    result.steps.map((s) => [s.section, s.path, s.outcome, s.changes]),
    [
      ['inbound', 'set-variable[1]', 'continue', ['variable user = ann']],
      ['inbound', 'choose[2]\\when[1]\\set-header[1]', 'continue', ['request header x-caller: ann']],
      ['inbound', 'choose[2]', 'continue', []],
      ['inbound', 'rewrite-uri[3]', 'continue', ['request url /v2/orders/7?expand=1']],
      ['backend', 'forward-request[1]', 'continue', ['response status 200', 'response header content-type: application/json', `response header content-length: ${JSON.stringify({ got: 'https://orders.internal/v2/orders/7?expand=1' }).length}`]],
      ['outbound', 'set-header[1]', 'continue', ['response header x-env: test']],
    ],
  );
  assert.equal(result.backendRequest?.url, 'https://orders.internal/v2/orders/7?expand=1');
  assert.equal(result.response.status, 200);
  const text = formatPolicyTest(result);
  assert.match(text, /backend  GET https:\/\/orders.internal\/v2\/orders\/7\?expand=1/);
  assert.match(text, /response 200 \{"got":/);
});

test('a failing step is reported with its reason, and on-error runs', async () => {
  const result = await runPolicyTest({
    document: '<policies><inbound><check-header name="x-key" failed-check-httpcode="401" failed-check-error-message="Key required" ignore-case="true" /></inbound><on-error><set-header name="x-why" exists-action="override"><value>@(context.LastError.Reason)</value></set-header></on-error></policies>',
  });
  assert.equal(result.steps[0].outcome, 'error');
  assert.equal(result.steps[0].error?.reason, 'HeaderNotFound');
  assert.deepEqual(result.steps[0].changes.slice(0, 1), ['response status 401']);
  assert.deepEqual(result.steps[1].changes, ['response header x-why: HeaderNotFound']);
  assert.equal(result.backendRequest, undefined);
  assert.equal(result.response.status, 401);
  assert.match(formatPolicyTest(result), /backend  not called/);
});
