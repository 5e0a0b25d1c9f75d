import { test } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { parsePolicyDocument, PolicyError } from '../index.ts';
import { policyRuntimes } from '../../policies/runtimes.ts';
import { compilePolicy } from './compiler.ts';
import type { PolicyFactory } from './types.ts';
import { gatewayContext, testServices } from '../../../test/support/policy-context.ts';
import { FORWARD, pipelineResponse, type GatewayContext } from '../../gateway/context.ts';

const compile = (xml: string, runtimes?: ReadonlyMap<string, PolicyFactory>) => {
  const pipeline = compilePolicy(parsePolicyDocument(xml, { format: 'rawxml' }), { services: testServices(), runtimes }).pipeline;
  return (ctx: GatewayContext) => pipelineResponse(pipeline, ctx);
};

/** A context whose backend call is counted and answers 204. */
function fakeContext(): GatewayContext & { calls: number } {
  const ctx = gatewayContext(undefined) as GatewayContext & { calls: number };
  ctx.calls = 0;
  ctx.forward = async () => {
    ctx.calls++;
    return { status: 204, headers: ['x-backend', 'yes'], body: null };
  };
  return ctx;
}

test('the request is forwarded when no scope wrote forward-request, and not forwarded when a step answered', async () => {
  const ctx = fakeContext();
  const response = await compile('<policies><inbound /><backend><set-header name="x" exists-action="override"><value>1</value></set-header></backend></policies>')(ctx);
  assert.equal(response.status, 204);
  assert.equal(ctx.calls, 1);
  const answered = fakeContext();
  assert.equal((await compile('<policies><backend><return-response><set-status code="202" /></return-response></backend></policies>')(answered)).status, 202);
  assert.equal(answered.calls, 0);
});

test('a forward-request the policies skip leaves an empty 200', async () => {
  const ctx = fakeContext();
  const response = await compile('<policies><backend><choose><when condition="@(false)"><forward-request /></when></choose></backend></policies>')(ctx);
  assert.equal(response.status, 200);
  assert.equal(ctx.calls, 0);
});

test('an unsupported policy is refused when compiling, naming it', () => {
  assert.throws(() => compile('<policies><inbound><cross-domain /></inbound></policies>'), (e: unknown) => e instanceof PolicyError && /cross-domain> is not supported by Atrium/.test(e.message));
});

test('a policy accepted only for Azure compatibility fails when it runs, naming itself', async () => {
  const ctx = fakeContext();
  const response = await compile('<policies><inbound><authentication-managed-identity resource="https://x" /></inbound></policies>')(ctx);
  assert.equal(response.status, 500);
  assert.equal(ctx.lastError?.source, 'authentication-managed-identity');
  assert.equal(ctx.lastError?.reason, 'PolicyNotSupported');
  assert.equal(ctx.calls, 0);
});

test('an expression that does not compile is a PolicyError with its position', () => {
  assert.throws(
    () => compile('<policies>\n<inbound>\n  <set-variable name="v" value="@(context.Nope)" />\n</inbound></policies>'),
    (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_EXPRESSION_INVALID' && e.line === 3,
  );
});

test('an exception inside a policy becomes an on-error entry naming the policy', async () => {
  const runtimes = new Map(policyRuntimes);
  runtimes.set('trace', () => function brokenTrace() {
    throw new Error('kaput');
  });
  const ctx = fakeContext();
  const response = await compile('<policies><inbound><trace source="t" /></inbound><on-error><set-status code="503" reason="Down" /></on-error></policies>', runtimes)(ctx);
  assert.equal(response.status, 503);
  assert.equal(ctx.lastError?.source, 'trace');
  assert.equal(ctx.lastError?.reason, 'PolicyException');
  assert.match(ctx.lastError!.message, /kaput/);
});

test('an error inside on-error ends it with a 500', async () => {
  const ctx = fakeContext();
  const response = await compile('<policies><inbound><set-variable name="a" value="@(int.Parse(&quot;x&quot;))" /></inbound><on-error><set-variable name="b" value="@(int.Parse(&quot;y&quot;))" /><set-status code="299" /></on-error></policies>')(ctx);
  assert.equal(response.status, 500);
  assert.equal(ctx.lastError?.source, 'set-variable');
});

test('the backend response goes through outbound; a step reading the body gets it in memory', async () => {
  const ctx = fakeContext();
  ctx.forward = async () => ({ status: 200, headers: ['content-type', 'text/plain'], body: 'from backend' });
  const response = await compile('<policies><outbound><set-header name="x-len" exists-action="override"><value>@(context.Response.Body.As&lt;string&gt;(preserveContent: true).Length.ToString())</value></set-header></outbound></policies>')(ctx);
  assert.equal(response.headers[response.headers.indexOf('x-len') + 1], '12');
  assert.equal(response.body, 'from backend');
});

test('an observer sees every step, nested ones included, with its outcome', async () => {
  const seen: string[] = [];
  const services = { ...testServices(), onStep: (step: { path: string }, outcome: unknown) => seen.push(`${step.path}:${outcome === undefined ? 'continue' : typeof outcome === 'string' ? outcome : 'error'}`) };
  const pipeline = compilePolicy(
    parsePolicyDocument('<policies><inbound><choose><when condition="@(true)"><set-variable name="a" value="1" /></when></choose><return-response /></inbound></policies>', { format: 'rawxml' }),
    { services },
  ).pipeline;
  await pipelineResponse(pipeline, fakeContext());
  assert.deepEqual(seen, ['choose[1]\\when[1]\\set-variable[1]:continue', 'choose[1]:continue', 'return-response[2]:respond']);
});

test('a backend failure on the implicit forward goes to on-error with forward-request as the source', async () => {
  const ctx = fakeContext();
  ctx.forward = async () => {
    ctx.lastError = { source: 'forward-request', reason: 'BackendConnectionFailure', message: 'unreachable' };
    return { status: 502, headers: [], body: null };
  };
  const response = await compile('<policies><inbound /><on-error><set-header name="x-e" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Section + "/" + context.LastError.Reason)</value></set-header></on-error></policies>')(ctx);
  assert.equal(response.status, 502);
  assert.equal(response.headers[response.headers.indexOf('x-e') + 1], 'forward-request/backend/BackendConnectionFailure');
});

test('context.Timestamp and Elapsed count from the start of the request, whatever the policies changed', async () => {
  const services = testServices();
  const start = services.clock.at;
  const pipeline = compilePolicy(
    parsePolicyDocument(
      '<policies><inbound><set-variable name="t0" value="@(context.Timestamp.Ticks)" /><set-header name="x" exists-action="override"><value>1</value></set-header><set-variable name="t1" value="@(context.Timestamp.Ticks)" /><set-variable name="e" value="@(context.Elapsed.TotalMilliseconds)" /><return-response><set-body>@(((long)context.Variables["t0"] == (long)context.Variables["t1"]).ToString() + "|" + context.Variables["e"].ToString())</set-body></return-response></inbound></policies>',
      { format: 'rawxml' },
    ),
    { services: { ...services, now: () => (services.clock.at += 5) } },
  ).pipeline;
  const response = await pipelineResponse(pipeline, fakeContext());
  assert.ok(services.clock.at > start);
  const [same, elapsed] = String(response.body).split('|');
  assert.equal(same, 'True');
  assert.ok(Number(elapsed) > 0);
});

test('expressions see every change policies make to the request and response, in order', async () => {
  const ctx = fakeContext();
  ctx.forward = async () => ({ status: 200, headers: ['x-backend', 'b'], body: 'ok' });
  const h = (name: string) => `context.Request.Headers.GetValueOrDefault(&quot;${name}&quot;, &quot;none&quot;)`;
  const response = await compile(`<policies>
    <inbound>
      <set-variable name="a" value="@(${h('x')})" />
      <set-header name="x" exists-action="override"><value>1</value></set-header>
      <set-variable name="b" value="@(${h('x')})" />
      <set-variable name="q0" value="@(context.Request.Url.Query.GetValueOrDefault(&quot;q&quot;, &quot;none&quot;))" />
      <set-query-parameter name="q" exists-action="override"><value>2</value></set-query-parameter>
      <set-variable name="q1" value="@(context.Request.Url.Query.GetValueOrDefault(&quot;q&quot;, &quot;none&quot;))" />
      <set-method>PUT</set-method>
      <set-variable name="m" value="@(context.Request.Method)" />
    </inbound>
    <outbound>
      <set-variable name="s0" value="@(context.Response.StatusCode)" />
      <set-variable name="r0" value="@(context.Response.Headers.GetValueOrDefault(&quot;x-out&quot;, &quot;none&quot;))" />
      <set-status code="201" />
      <set-header name="x-out" exists-action="override"><value>o</value></set-header>
      <set-variable name="s1" value="@(context.Response.StatusCode)" />
      <set-variable name="r1" value="@(context.Response.Headers.GetValueOrDefault(&quot;x-out&quot;, &quot;none&quot;))" />
      <set-body>@(string.Join(",", new [] { "a", "b", "q0", "q1", "m", "s0", "r0", "s1", "r1" }.Select(n =&gt; context.Variables[n].ToString())))</set-body>
    </outbound>
  </policies>`)(ctx);
  assert.equal(response.body, 'none,1,none,2,PUT,200,none,201,o');
});

test('a body larger than a policy may read is 413 for a request, without reaching the backend', async () => {
  const ctx = fakeContext();
  ctx.request.body = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
  const pipeline = compilePolicy(parsePolicyDocument('<policies><inbound><find-and-replace from="a" to="b" /></inbound></policies>', { format: 'rawxml' }), {
    services: { ...testServices(), maxBodyBytes: 1000 },
  }).pipeline;
  const response = await pipelineResponse(pipeline, ctx);
  assert.equal(response.status, 413);
  assert.equal(ctx.lastError?.reason, 'BodyTooLarge');
  assert.equal(ctx.calls, 0);
});

test('inbound-only policies answer FORWARD at once; anything that needs the response keeps the pipeline', async () => {
  const raw = (xml: string) => compilePolicy(parsePolicyDocument(xml, { format: 'rawxml' }), { services: testServices() }).pipeline;
  const ctx = fakeContext();
  const headers = '<set-header name="x-in" exists-action="override"><value>1</value></set-header>';
  assert.equal(raw(`<policies><inbound>${headers}<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" /></inbound><outbound /></policies>`)(ctx), FORWARD);
  assert.deepEqual(ctx.request.headers.slice(-2), ['x-in', '1']);
  assert.equal(ctx.calls, 0, 'the caller forwards');
  const keeps = [
    `<policies><inbound>${headers}</inbound><outbound>${headers}</outbound></policies>`,
    `<policies><inbound>${headers}</inbound><on-error>${headers}</on-error></policies>`,
    `<policies><inbound>${headers}</inbound><backend><forward-request /></backend></policies>`,
    // The remaining calls go into a response header once the response is known.
    '<policies><inbound><rate-limit-by-key calls="5" renewal-period="60" counter-key="k" remaining-calls-header-name="x-left" /></inbound></policies>',
  ];
  for (const xml of keeps) {
    const other = fakeContext();
    const result = await raw(xml)(other);
    assert.notEqual(result, FORWARD, xml);
    assert.equal(other.calls, 1, xml);
  }
  const answered = fakeContext();
  assert.equal(((await raw('<policies><inbound><return-response><set-status code="202" /></return-response></inbound></policies>')(answered)) as { status: number }).status, 202);
});
