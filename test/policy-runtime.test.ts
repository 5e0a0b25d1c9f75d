import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHmac, sign } from 'node:crypto';
import { startBackend, type RecordingBackend } from './support/backend.ts';
import { createUpstreamClient } from '../src/gateway/upstream.ts';
import { createMemoryCounters, CountersUnavailableError, type CounterResult, type Counters } from '../src/counters/index.ts';
import { closeUpstream, compileDocuments, gatewayContext, policies, run, testServices } from './support/policy-context.ts';

let backend: RecordingBackend;
before(async () => {
  backend = await startBackend('echo');
});
after(async () => {
  await backend.close();
  await closeUpstream();
});

const lastRequest = () => backend.requests.at(-1)!;

describe('request and response transformation', () => {
  test('set-header, set-query-parameter, set-method and rewrite-uri reach the backend; outbound headers reach the caller', async () => {
    const services = testServices();
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `
            <set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;nobody&quot;))" />
            <set-header name="x-added" exists-action="override"><value>@((string)context.Variables["who"] + "!")</value></set-header>
            <set-header name="x-remove-me" exists-action="delete" />
            <set-header name="x-keep" exists-action="skip"><value>replaced</value></set-header>
            <set-query-parameter name="added" exists-action="append"><value>1</value></set-query-parameter>
            <set-query-parameter name="drop" exists-action="delete" />
            <set-method>PUT</set-method>
            <rewrite-uri template="/v2/items/{id}" />`,
          outbound: `<set-header name="x-out" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header>`,
        }),
      ],
      services,
    );
    const ctx = gatewayContext(backend.url, {
      path: '/items/42',
      query: 'drop=x&keep=y',
      headers: { 'x-user': 'alice', 'x-remove-me': '1', 'x-keep': 'original' },
      matchedParameters: { id: '42' },
    });
    const result = await run(pipeline, ctx);
    assert.equal(result.status, 200);
    assert.equal(result.header('x-out'), '200');
    const seen = lastRequest();
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, '/v2/items/42?keep=y&added=1');
    assert.equal(seen.headers['x-added'], 'alice!');
    assert.equal(seen.headers['x-remove-me'], undefined);
    assert.equal(seen.headers['x-keep'], 'original');
  });

  test('set-query-parameter keeps the text of the parameters it does not touch', async () => {
    const pipeline = compileDocuments(
      [policies({ inbound: '<set-query-parameter name="x" exists-action="override"><value>a b</value></set-query-parameter><set-query-parameter name="y" exists-action="skip"><value>no</value></set-query-parameter>' })],
      testServices(),
    );
    await run(pipeline, gatewayContext(backend.url, { query: 'path=a/b&x=1&y=keep&x=2' }));
    assert.equal(lastRequest().url, '/?path=a/b&x=a%20b&y=keep');
  });

  test('set-query-parameter on a request without a query: each action, several values, later expressions see it', async () => {
    const cases: [string, string][] = [
      ['<set-query-parameter name="a b" exists-action="override"><value>1&amp;2</value></set-query-parameter>', '/?a%20b=1%262'],
      ['<set-query-parameter name="x" exists-action="append"><value>1</value><value>2</value></set-query-parameter>', '/?x=1&x=2'],
      ['<set-query-parameter name="x" exists-action="skip"><value>1</value></set-query-parameter>', '/?x=1'],
      ['<set-query-parameter name="x" exists-action="delete" />', '/'],
      [
        '<set-header name="x-before" exists-action="override"><value>@(context.Request.Url.Query.GetValueOrDefault("x", "none"))</value></set-header><set-query-parameter name="x" exists-action="override"><value>1</value></set-query-parameter><set-header name="x-seen" exists-action="override"><value>@(context.Request.Url.Query.GetValueOrDefault("x", "none"))</value></set-header>',
        '/?x=1',
      ],
    ];
    for (const [inbound, url] of cases) {
      await run(compileDocuments([policies({ inbound })], testServices()), gatewayContext(backend.url, { query: '' }));
      assert.equal(lastRequest().url, url, inbound);
    }
    assert.equal(lastRequest().headers['x-before'], 'none');
    assert.equal(lastRequest().headers['x-seen'], '1');
  });

  test('expressions see the original URL, and the backend URL after rewrite-uri and set-backend-service', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `<rewrite-uri template="/v2{path}" /><set-backend-service base-url="${backend.url}/base" />
            <set-header name="x-original" exists-action="override"><value>@(context.Request.OriginalUrl.Path + context.Request.OriginalUrl.QueryString)</value></set-header>
            <set-header name="x-url" exists-action="override"><value>@(context.Request.Url.Path + "|" + context.Request.Url.Query.GetValueOrDefault("q", ""))</value></set-header>`,
        }),
      ],
      testServices(),
    );
    await run(pipeline, gatewayContext(backend.url, { path: '/items/1', query: 'q=2', matchedParameters: { path: '/items/1' } }));
    assert.equal(lastRequest().headers['x-original'], '/echo/items/1?q=2');
    assert.equal(lastRequest().headers['x-url'], '/base/v2/items/1|2');
    assert.equal(lastRequest().url, '/base/v2/items/1?q=2');
  });

  test('choose runs the first matching when, else otherwise', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `
            <choose>
              <when condition="@(context.Request.Headers.ContainsKey(&quot;x-a&quot;))"><set-header name="x-branch" exists-action="override"><value>a</value></set-header></when>
              <when condition="@(context.Request.Url.Query.GetValueOrDefault(&quot;b&quot;, &quot;&quot;) == &quot;1&quot;)"><set-header name="x-branch" exists-action="override"><value>b</value></set-header></when>
              <otherwise><set-header name="x-branch" exists-action="override"><value>other</value></set-header></otherwise>
            </choose>`,
        }),
      ],
      testServices(),
    );
    await run(pipeline, gatewayContext(backend.url, { headers: { 'x-a': '1' }, query: 'b=1' }));
    assert.equal(lastRequest().headers['x-branch'], 'a');
    await run(pipeline, gatewayContext(backend.url, { query: 'b=1' }));
    assert.equal(lastRequest().headers['x-branch'], 'b');
    await run(pipeline, gatewayContext(backend.url));
    assert.equal(lastRequest().headers['x-branch'], 'other');
  });

  test('set-body, find-and-replace and an expression reading the body with preserveContent', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `
            <set-variable name="name" value="@(context.Request.Body.As&lt;JObject&gt;(preserveContent: true)[&quot;name&quot;].ToString())" />
            <find-and-replace from="world" to="there" />`,
          outbound: `<set-body>@("{\\"greeting\\":\\"hello " + (string)context.Variables["name"] + "\\"}")</set-body>`,
        }),
      ],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url, { method: 'POST', body: '{"name":"world"}', headers: { 'content-type': 'application/json' }, stream: true }));
    assert.equal(lastRequest().body.toString(), '{"name":"there"}');
    assert.equal(lastRequest().headers['content-length'], '16');
    assert.deepEqual(result.json(), { greeting: 'hello world' });
    assert.equal(result.header('content-length'), String(Buffer.byteLength(result.text)));
  });

  test('a body no policy reads streams through untouched', async () => {
    const pipeline = compileDocuments([policies({ inbound: '<set-header name="x" exists-action="override"><value>1</value></set-header>' })], testServices());
    const ctx = gatewayContext(backend.url, { method: 'POST', body: 'x'.repeat(100_000), stream: true });
    const stream = ctx.request.body;
    await run(pipeline, ctx);
    assert.equal(lastRequest().bodyLength, 100_000);
    assert.ok(stream !== null && typeof stream === 'object' && !Buffer.isBuffer(stream), 'the body was not replaced by a buffer');
  });

  test('a backend body replaced by set-body is released: the connection is reused', { timeout: 20_000 }, async () => {
    const pipeline = compileDocuments([policies({ outbound: '<set-body>replaced</set-body>' })], testServices());
    const single = createUpstreamClient({ connections: 1, defaultTimeoutMs: 10_000 });
    const big = await startBackend('big');
    big.respondWith((_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(4 * 1024 * 1024));
    });
    try {
      for (let i = 0; i < 5; i++) {
        const ctx = gatewayContext(big.url, { path: `/r${i}` });
        ctx.forward = () => single.forward(ctx);
        const result = await run(pipeline, ctx);
        assert.equal(result.text, 'replaced');
      }
      assert.equal(big.last()!.url, '/r4');
    } finally {
      await single.close();
      await big.close();
    }
  });

  test('redirect-content-urls turns backend URLs in the body and Location into gateway URLs', async () => {
    const b = await startBackend('links');
    b.respondWith((_r, res) => {
      res.writeHead(201, { 'content-type': 'application/json', location: `${b.url}/items/9` });
      res.end(JSON.stringify({ self: `${b.url}/items/9` }));
    });
    try {
      const pipeline = compileDocuments([policies({ outbound: '<redirect-content-urls />' })], testServices());
      const result = await run(pipeline, gatewayContext(b.url, { method: 'POST', path: '/items' }));
      assert.equal(result.header('location'), 'http://gateway.test/echo/items/9');
      assert.deepEqual(result.json(), { self: 'http://gateway.test/echo/items/9' });
    } finally {
      await b.close();
    }
  });

  test('jsonp wraps JSON in the named callback; trace reaches the tracer', async () => {
    const services = testServices();
    const pipeline = compileDocuments([policies({ inbound: '<trace source="test" severity="information"><message>@("hello " + context.Request.Method)</message><metadata name="k" value="v" /></trace>', outbound: '<jsonp callback-parameter-name="cb" />' })], services);
    const wrapped = await run(pipeline, gatewayContext(backend.url, { query: 'cb=handle' }));
    assert.match(wrapped.text, /^handle\(\{.*\}\)$/);
    assert.equal(wrapped.header('content-type'), 'application/javascript; charset=utf-8');
    assert.deepEqual(services.traces, ['test|information|hello GET k=v']);
    const plain = await run(pipeline, gatewayContext(backend.url));
    assert.match(plain.text, /^\{/);
    const bad = await run(pipeline, gatewayContext(backend.url, { query: 'cb=alert(1)' }));
    assert.equal(bad.status, 400);
  });

  test('emit-metric sends the value and dimensions to the gateway’s metrics sink', async () => {
    const seen: unknown[] = [];
    const services = testServices({ metric: (namespace, name, value, dimensions) => seen.push({ namespace, name, value, dimensions }) });
    const pipeline = compileDocuments([policies({ inbound: '<emit-metric name="calls" namespace="orders" value="@(2)"><dimension name="method" value="@(context.Request.Method)" /><dimension name="fixed" value="x" /></emit-metric>' })], services);
    await run(pipeline, gatewayContext(backend.url));
    assert.deepEqual(seen, [{ namespace: 'orders', name: 'calls', value: 2, dimensions: { method: 'GET', fixed: 'x' } }]);
  });

  test('json-to-xml and xml-to-json convert bodies', async () => {
    const pipeline = compileDocuments(
      [policies({ inbound: '<json-to-xml apply="always" consider-accept-header="false" />', outbound: '<set-body>&lt;a x="1"&gt;&lt;b&gt;one&lt;/b&gt;&lt;b&gt;two&lt;/b&gt;&lt;/a&gt;</set-body><xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="false" />' })],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url, { method: 'POST', body: '{"a":{"b":[1,2]},"c":"x<y"}' }));
    assert.equal(lastRequest().body.toString(), '<?xml version="1.0" encoding="utf-8"?><Document><a><b>1</b><b>2</b></a><c>x&lt;y</c></Document>');
    assert.deepEqual(result.json(), { a: { '@x': '1', b: ['one', 'two'] } });
  });

  test('set-body with a Liquid template reads the JSON body and headers', async () => {
    const pipeline = compileDocuments(
      [policies({ inbound: '<set-body template="liquid">{"id":"{{body.item.id}}","ua":"{{context.Request.Headers["x-agent"]}}","none":"{{body.missing | Default: "n/a"}}"}</set-body>' })],
      testServices(),
    );
    await run(pipeline, gatewayContext(backend.url, { method: 'POST', body: '{"item":{"id":7}}', headers: { 'x-agent': 'test' } }));
    assert.deepEqual(JSON.parse(lastRequest().body.toString()), { id: '7', ua: 'test', none: 'n/a' });
  });
  test('Liquid templates loop over headers, branch and assign', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `<return-response><set-body template="liquid">{% assign who = body.user.name | Default: "anonymous" %}{% for header in context.Request.Headers %}{% if header.Key == "x-a" or header.Key == "x-b" %}{{- header.Key }}={{ header.Value }};{% endif %}{% endfor %}{% if body.user.admin == true %}admin {{ who | Upcase }}{% elsif body.user %}user {{ who }}{% else %}nobody{% endif %}</set-body></return-response>`,
        }),
      ],
      testServices(),
    );
    const admin = await run(pipeline, gatewayContext(backend.url, { method: 'POST', body: '{"user":{"name":"ann","admin":true}}', headers: { 'x-a': '1', 'x-b': '2' }, stream: true }));
    assert.equal(admin.text, 'x-a=1;x-b=2;admin ANN');
    const nobody = await run(pipeline, gatewayContext(backend.url, { method: 'POST', body: '{}' }));
    assert.equal(nobody.text, 'nobody');
  });
});

describe('control flow and errors', () => {
  test('return-response ends the pipeline: no backend call, no outbound', async () => {
    const before = backend.requests.length;
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `<return-response><set-status code="418" reason="Teapot" /><set-header name="x-r" exists-action="override"><value>yes</value></set-header><set-body>short and stout</set-body></return-response>`,
          outbound: '<set-header name="x-outbound" exists-action="override"><value>ran</value></set-header>',
        }),
      ],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url));
    assert.equal(result.status, 418);
    assert.equal(result.text, 'short and stout');
    assert.equal(result.header('x-r'), 'yes');
    assert.equal(result.header('x-outbound'), undefined);
    assert.equal(backend.requests.length, before);
  });

  test('mock-response answers with the status and content type', async () => {
    const result = await run(compileDocuments([policies({ inbound: '<mock-response status-code="201" content-type="application/json" />' })], testServices()), gatewayContext(backend.url));
    assert.equal(result.status, 201);
    assert.equal(result.header('content-type'), 'application/json');
  });

  test('an expression that throws jumps to on-error with context.LastError', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: '<choose><when condition="@(true)"><set-header name="x" exists-action="override" id="boom"><value>@(((string)null).Length.ToString())</value></set-header></when></choose>',
          onError: `<return-response><set-status code="500" /><set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Scope + "|" + context.LastError.Section + "|" + context.LastError.Path + "|" + context.LastError.PolicyId + "|" + context.LastError.Message)</set-body></return-response>`,
        }),
      ],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url));
    assert.equal(result.status, 500);
    const [source, reason, scope, section, path, policyId, message] = result.text.split('|');
    assert.equal(source, 'set-header');
    assert.equal(reason, 'ExpressionValueEvaluationFailure');
    assert.equal(scope, 'api');
    assert.equal(section, 'inbound');
    assert.equal(path, 'choose[1]\\when[1]\\set-header[1]');
    assert.equal(policyId, 'boom');
    assert.match(message, /^Expression evaluation failed\. /);
    assert.equal(result.ctx.lastError?.reason, 'ExpressionValueEvaluationFailure');
  });

  test('without on-error an error is Azure’s 500', async () => {
    const result = await run(compileDocuments([policies({ inbound: '<set-variable name="x" value="@(1 / int.Parse(&quot;0&quot;))" />' })], testServices()), gatewayContext(backend.url));
    assert.equal(result.status, 500);
    assert.deepEqual(result.json(), { statusCode: 500, message: 'Internal server error' });
  });

  test('an unreachable backend goes to on-error with forward-request as the source, and the 502 as the response', async () => {
    const pipeline = compileDocuments(
      [policies({ backend: '<forward-request timeout="5" />', onError: '<set-header name="x-error" exists-action="override"><value>@(context.LastError.Source + ":" + context.LastError.Reason)</value></set-header>' })],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext('http://127.0.0.1:1'));
    assert.equal(result.status, 502);
    assert.equal(result.header('x-error'), 'forward-request:BackendConnectionFailure');
  });

  test('retry sends the request again while the condition holds, body included', async () => {
    let calls = 0;
    const flaky = await startBackend('flaky');
    flaky.respondWith((req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(`attempt ${calls} got ${req.body.toString()}`);
    });
    try {
      const pipeline = compileDocuments(
        [policies({ backend: '<retry condition="@(context.Response.StatusCode == 503)" count="5" interval="0"><forward-request /></retry>' })],
        testServices(),
      );
      const result = await run(pipeline, gatewayContext(flaky.url, { method: 'POST', body: 'payload', stream: true }));
      assert.equal(result.status, 200);
      assert.equal(result.text, 'attempt 3 got payload');
      assert.equal(flaky.requests.length, 3);
    } finally {
      await flaky.close();
    }
  });

  test('forward-request follows redirects when asked: 307 keeps the method and body, 303 continues as GET', async () => {
    const hops = await startBackend('hops');
    hops.respondWith((req, res) => {
      if (req.url === '/start') res.writeHead(307, { location: '/second' }).end();
      else if (req.url === '/second') res.writeHead(303, { location: `${hops.url}/final?x=1` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url} ${req.body.toString()}`);
    });
    try {
      const follow = compileDocuments([policies({ backend: '<forward-request follow-redirects="true" />' })], testServices());
      const result = await run(follow, gatewayContext(hops.url, { method: 'POST', path: '/start', body: 'payload', stream: true }));
      assert.equal(result.status, 200);
      assert.equal(result.text, 'GET /final?x=1 ');
      assert.deepEqual(hops.requests.map((r) => `${r.method} ${r.url} ${r.body.toString()}`), ['POST /start payload', 'POST /second payload', 'GET /final?x=1 ']);
      const plain = compileDocuments([policies({ backend: '<forward-request />' })], testServices());
      assert.equal((await run(plain, gatewayContext(hops.url, { path: '/start' }))).status, 307);
    } finally {
      await hops.close();
    }
  });

  test('set-backend-service by base-url and by backend-id', async () => {
    const other = await startBackend('other');
    try {
      const byUrl = compileDocuments([policies({ inbound: `<set-backend-service base-url="${other.url}/base" />` })], testServices());
      await run(byUrl, gatewayContext(backend.url, { path: '/x' }));
      assert.equal(other.last()?.url, '/base/x');
      const byId = compileDocuments([policies({ inbound: '<set-backend-service backend-id="other" />' })], testServices());
      await run(byId, gatewayContext(backend.url, { path: '/y', backends: { other: other.url } }));
      assert.equal(other.last()?.url, '/y');
      const missing = await run(compileDocuments([policies({ inbound: '<set-backend-service backend-id="nope" />' })], testServices()), gatewayContext(backend.url));
      assert.equal(missing.status, 500);
      assert.equal(missing.ctx.lastError?.reason, 'BackendNotFound');
    } finally {
      await other.close();
    }
  });

  test('send-request refuses loopback unless allowed, and link-local (metadata) addresses always', async () => {
    const xml = (url: string) =>
      policies({ inbound: `<send-request mode="new" response-variable-name="r" timeout="5"><set-url>${url}</set-url></send-request><return-response><set-status code="204" /></return-response>` });
    const guarded = testServices({ outbound: {} });
    const before = backend.requests.length;
    const loopback = await run(compileDocuments([xml(`${backend.url}/x`)], guarded), gatewayContext(backend.url));
    assert.equal(loopback.status, 500);
    assert.equal(loopback.ctx.lastError?.reason, 'RequestNotAllowed');
    assert.match(loopback.ctx.lastError!.message, /loopback address/);
    assert.equal(backend.requests.length, before);
    const named = await run(compileDocuments([xml('http://localhost:1/x')], guarded), gatewayContext(backend.url));
    assert.equal(named.ctx.lastError?.reason, 'RequestNotAllowed');
    const metadata = await run(compileDocuments([xml('http://169.254.169.254/latest/meta-data')], testServices({ outbound: { allowLoopback: true } })), gatewayContext(backend.url));
    assert.equal(metadata.ctx.lastError?.reason, 'RequestNotAllowed');
    assert.match(metadata.ctx.lastError!.message, /link-local/);
  });

  test('wait runs its send-requests at once and waits for all', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `<wait for="all">
              <send-request mode="new" response-variable-name="a"><set-url>${backend.url}/a</set-url></send-request>
              <send-request mode="new" response-variable-name="b"><set-url>${backend.url}/b</set-url></send-request>
            </wait>
            <return-response><set-body>@(((IResponse)context.Variables["a"]).StatusCode + "," + ((IResponse)context.Variables["b"]).StatusCode)</set-body></return-response>`,
        }),
      ],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url));
    assert.equal(result.text, '200,200');
    assert.deepEqual(backend.requests.slice(-2).map((r) => r.url).sort(), ['/a', '/b']);
  });

  test('send-request keeps the response in a variable; return-response sends it', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `
            <send-request mode="new" response-variable-name="lookup" timeout="5">
              <set-url>${backend.url}/lookup</set-url>
              <set-method>POST</set-method>
              <set-header name="x-from" exists-action="override"><value>policy</value></set-header>
              <set-body>hello</set-body>
            </send-request>
            <set-variable name="status" value="@(((IResponse)context.Variables[&quot;lookup&quot;]).StatusCode)" />
            <set-variable name="url" value="@(((IResponse)context.Variables[&quot;lookup&quot;]).Body.As&lt;JObject&gt;(preserveContent: true)[&quot;url&quot;].ToString())" />
            <return-response response-variable-name="lookup"><set-header name="x-status" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;int&gt;("status").ToString())</value></set-header><set-header name="x-url" exists-action="override"><value>@((string)context.Variables["url"])</value></set-header></return-response>`,
        }),
      ],
      testServices(),
    );
    const result = await run(pipeline, gatewayContext(backend.url));
    assert.equal(lastRequest().url, '/lookup');
    assert.equal(lastRequest().method, 'POST');
    assert.equal(lastRequest().headers['x-from'], 'policy');
    assert.equal(lastRequest().body.toString(), 'hello');
    assert.equal(result.status, 200);
    assert.equal(result.header('x-status'), '200');
    assert.equal(result.header('x-url'), '/lookup');
    assert.equal((result.json() as { url: string }).url, '/lookup');
  });
});

describe('access', () => {
  test('check-header refuses a missing header or a value not listed', async () => {
    const pipeline = compileDocuments(
      [policies({ inbound: '<check-header name="x-tenant" failed-check-httpcode="401" failed-check-error-message="Tenant required" ignore-case="true"><value>Contoso</value></check-header>' })],
      testServices(),
    );
    const missing = await run(pipeline, gatewayContext(backend.url));
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json(), { statusCode: 401, message: 'Tenant required' });
    assert.equal(missing.ctx.lastError?.reason, 'HeaderNotFound');
    assert.equal((await run(pipeline, gatewayContext(backend.url, { headers: { 'x-tenant': 'other' } }))).status, 401);
    assert.equal((await run(pipeline, gatewayContext(backend.url, { headers: { 'x-tenant': 'contoso' } }))).status, 200);
  });

  test('ip-filter allows listed addresses and ranges only', async () => {
    const pipeline = compileDocuments(
      [policies({ inbound: '<ip-filter action="allow"><address>10.0.0.1</address><address-range from="192.168.1.0" to="192.168.1.255" /></ip-filter>' })],
      testServices(),
    );
    assert.equal((await run(pipeline, gatewayContext(backend.url, { clientIp: '10.0.0.1' }))).status, 200);
    assert.equal((await run(pipeline, gatewayContext(backend.url, { clientIp: '192.168.1.77' }))).status, 200);
    const refused = await run(pipeline, gatewayContext(backend.url, { clientIp: '10.0.0.2' }));
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.json(), { statusCode: 403, message: 'Caller IP address 10.0.0.2 is not allowed. Access denied.' });
    const forbid = compileDocuments([policies({ inbound: '<ip-filter action="forbid"><address-range from="::1" to="::1" /></ip-filter>' })], testServices());
    assert.equal((await run(forbid, gatewayContext(backend.url, { clientIp: '::1' }))).status, 403);
  });

  test('cors answers preflights and adds the allow-origin header to responses', async () => {
    const pipeline = compileDocuments(
      [
        policies({
          inbound: `<cors allow-credentials="true"><allowed-origins><origin>https://app.example</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods><allowed-headers><header>content-type</header></allowed-headers><expose-headers><header>x-id</header></expose-headers></cors>`,
        }),
      ],
      testServices(),
    );
    const before = backend.requests.length;
    const preflight = await run(pipeline, gatewayContext(backend.url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type' } }));
    assert.equal(preflight.status, 200);
    assert.equal(preflight.header('access-control-allow-origin'), 'https://app.example');
    assert.equal(preflight.header('access-control-allow-methods'), 'GET,POST');
    assert.equal(preflight.header('access-control-max-age'), '300');
    assert.equal(backend.requests.length, before);
    const actual = await run(pipeline, gatewayContext(backend.url, { headers: { origin: 'https://app.example' } }));
    assert.equal(actual.header('access-control-allow-origin'), 'https://app.example');
    assert.equal(actual.header('access-control-allow-credentials'), 'true');
    assert.equal(actual.header('access-control-expose-headers'), 'x-id');
    const stranger = await run(pipeline, gatewayContext(backend.url, { headers: { origin: 'https://evil.example' } }));
    assert.equal(stranger.header('access-control-allow-origin'), undefined);
  });

  test('authentication-basic sends credentials to the backend', async () => {
    await run(compileDocuments([policies({ inbound: '<authentication-basic username="u" password="p:w" />' })], testServices()), gatewayContext(backend.url));
    assert.equal(lastRequest().headers.authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  describe('validate-jwt', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const hs256 = (payload: Record<string, unknown>) => {
      const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
      return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
    };
    const now = Date.UTC(2026, 0, 1) / 1000;
    const document = policies({
      inbound: `<validate-jwt header-name="Authorization" require-scheme="Bearer" output-token-variable-name="jwt">
          <issuer-signing-keys><key>${secret.toString('base64')}</key></issuer-signing-keys>
          <audiences><audience>api://atrium</audience></audiences>
          <issuers><issuer>https://issuer.example</issuer></issuers>
          <required-claims><claim name="roles" match="any"><value>admin</value><value>reader</value></claim></required-claims>
        </validate-jwt>
        <set-header name="x-sub" exists-action="override"><value>@(((Jwt)context.Variables["jwt"]).Subject)</value></set-header>`,
    });
    const good = { sub: 'alice', aud: 'api://atrium', iss: 'https://issuer.example', exp: now + 60, roles: ['reader'] };

    test('HS256: a valid token passes and lands in the variable', async () => {
      const pipeline = compileDocuments([document], testServices());
      const result = await run(pipeline, gatewayContext(backend.url, { headers: { authorization: `Bearer ${hs256(good)}` } }));
      assert.equal(result.status, 200);
      assert.equal(lastRequest().headers['x-sub'], 'alice');
    });

    test('HS256: missing, expired, wrong audience, wrong signature, missing claim are 401', async () => {
      const pipeline = compileDocuments([document], testServices());
      const cases: [string | undefined, string][] = [
        [undefined, 'TokenNotPresent'],
        [`Bearer ${hs256({ ...good, exp: now - 1 })}`, 'TokenExpired'],
        [`Bearer ${hs256({ ...good, aud: 'other' })}`, 'TokenAudienceNotAllowed'],
        [`Bearer ${hs256({ ...good, iss: 'other' })}`, 'TokenIssuerNotAllowed'],
        [`Bearer ${hs256(good).slice(0, -2)}xx`, 'TokenSignatureInvalid'],
        [`Bearer ${hs256({ ...good, roles: undefined })}`, 'TokenClaimNotFound'],
        [`Bearer ${hs256({ ...good, roles: ['guest'] })}`, 'TokenClaimValueNotAllowed'],
        [`Basic ${hs256(good)}`, 'TokenSchemeNotAllowed'],
      ];
      for (const [authorization, reason] of cases) {
        const result = await run(pipeline, gatewayContext(backend.url, { headers: authorization ? { authorization } : {} }));
        assert.equal(result.status, 401, reason);
        assert.equal(result.ctx.lastError?.reason, reason);
      }
    });

    test('HS256 with the key given by an expression', async () => {
      const xml = policies({ inbound: `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>@("${secret.toString('base64')}")</key></issuer-signing-keys></validate-jwt>` });
      const pipeline = compileDocuments([xml], testServices());
      assert.equal((await run(pipeline, gatewayContext(backend.url, { headers: { authorization: `Bearer ${hs256(good)}` } }))).status, 200);
      assert.equal((await run(pipeline, gatewayContext(backend.url, { headers: { authorization: `Bearer ${hs256(good).slice(0, -3)}abc` } }))).status, 401);
    });

    test('RS256 with a key given as modulus and exponent, and keys from an allowed openid-config host', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      const rs256 = (payload: Record<string, unknown>, kid = 'k1') => {
        const data = `${b64({ alg: 'RS256', kid })}.${b64(payload)}`;
        return `${data}.${sign('sha256', Buffer.from(data), privateKey).toString('base64url')}`;
      };
      const inline = compileDocuments([policies({ inbound: `<validate-jwt header-name="Authorization"><issuer-signing-keys><key n="${jwk.n}" e="${jwk.e}" /></issuer-signing-keys></validate-jwt>` })], testServices());
      assert.equal((await run(inline, gatewayContext(backend.url, { headers: { authorization: `Bearer ${rs256({ exp: now + 60 })}` } }))).status, 200);

      const idp = await startBackend('idp');
      idp.respondWith((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: 'https://idp', jwks_uri: `${idp.url}/keys` }));
        else res.end(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', use: 'sig', kty: 'RSA' }] }));
      });
      try {
        const xml = policies({ inbound: `<validate-jwt header-name="Authorization"><openid-config url="${idp.url}/.well-known/openid-configuration" /></validate-jwt>` });
        const allowed = compileDocuments([xml], testServices({ keyHosts: ['127.0.0.1'] }));
        assert.equal((await run(allowed, gatewayContext(backend.url, { headers: { authorization: `Bearer ${rs256({ exp: now + 60 })}` } }))).status, 200);
        const before = idp.requests.length;
        const notAllowed = testServices({ keyHosts: ['login.example'] });
        const refused = compileDocuments([xml.replace('openid-configuration', 'openid-configuration?other')], notAllowed);
        assert.equal((await run(refused, gatewayContext(backend.url, { headers: { authorization: `Bearer ${rs256({ exp: now + 60 })}` } }))).status, 401);
        assert.equal(idp.requests.length, before, 'no fetch from a host that is not allowed');
        assert.ok(notAllowed.logs.some((l) => /not an allowed key host/.test(l)));
      } finally {
        await idp.close();
      }
    });
  });
});

describe('limits', () => {
  test('rate-limit: the N+1st call is 429 with Retry-After and Azure’s message; the window renews', async () => {
    const services = testServices();
    const pipeline = compileDocuments([policies({ inbound: '<rate-limit calls="3" renewal-period="60" remaining-calls-header-name="x-remaining" />' })], services);
    for (let i = 0; i < 3; i++) {
      const ok = await run(pipeline, gatewayContext(backend.url));
      assert.equal(ok.status, 200);
      assert.equal(ok.header('x-remaining'), String(2 - i));
    }
    const limited = await run(pipeline, gatewayContext(backend.url));
    assert.equal(limited.status, 429);
    assert.equal(limited.header('retry-after'), '60');
    assert.deepEqual(limited.json(), { statusCode: 429, message: 'Rate limit is exceeded. Try again in 60 seconds.' });
    assert.equal(limited.ctx.lastError?.reason, 'RateLimitExceeded');
    assert.equal(limited.ctx.lastError?.source, 'rate-limit');
    // another subscription has its own count
    assert.equal((await run(pipeline, gatewayContext(backend.url, { subscription: { key: '/subscriptions/sub2' } }))).status, 200);
    services.clock.at += 60_000;
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
  });

  test('rate-limit-by-key with increment-condition counts only successful calls', async () => {
    let status = 500;
    const b = await startBackend('cond');
    b.respondWith((_r, res) => {
      res.writeHead(status);
      res.end();
    });
    try {
      const pipeline = compileDocuments(
        [policies({ inbound: '<rate-limit-by-key calls="1" renewal-period="10" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode == 200)" />' })],
        testServices(),
      );
      assert.equal((await run(pipeline, gatewayContext(b.url))).status, 500);
      assert.equal((await run(pipeline, gatewayContext(b.url))).status, 500);
      status = 200;
      assert.equal((await run(pipeline, gatewayContext(b.url))).status, 200);
      assert.equal((await run(pipeline, gatewayContext(b.url))).status, 429);
      assert.equal((await run(pipeline, gatewayContext(b.url, { clientIp: '10.1.1.1' }))).status, 200);
    } finally {
      await b.close();
    }
  });

  test('rate-limit-by-key with calls and renewal-period from expressions: each request gets its own limit and window', async () => {
    const services = testServices();
    const pipeline = compileDocuments(
      [
        policies({
          inbound:
            '<rate-limit-by-key calls="@(context.Request.Headers.GetValueOrDefault(&quot;x-calls&quot;, &quot;1&quot;))" renewal-period="@(context.Request.Headers.GetValueOrDefault(&quot;x-period&quot;, &quot;10&quot;))" counter-key="k" />',
        }),
      ],
      services,
    );
    const call = async (calls: string, period: string) => (await run(pipeline, gatewayContext(backend.url, { headers: { 'x-calls': calls, 'x-period': period } }))).status;
    assert.equal(await call('1', '10'), 200);
    assert.equal(await call('1', '10'), 429);
    // The same key under a larger limit is counted on (a refused call is not counted); under
    // another period it is another counter.
    assert.equal(await call('3', '10'), 200);
    assert.equal(await call('3', '10'), 200);
    assert.equal(await call('3', '10'), 429);
    assert.equal(await call('1', '20'), 200);
    assert.equal(await call('1', '20'), 429);
    services.clock.at += 10_000;
    assert.equal(await call('1', '10'), 200, 'the 10-second window renewed');
    assert.equal(await call('1', '20'), 429, 'the 20-second window did not');
  });

  test('quota: beyond the calls, 403 with Azure’s message and the time to renewal', async () => {
    const services = testServices();
    services.clock.at = Date.UTC(2026, 0, 1, 0, 59, 0);
    const pipeline = compileDocuments([policies({ inbound: '<quota calls="2" renewal-period="3600" />' })], services);
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    const refused = await run(pipeline, gatewayContext(backend.url));
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.json(), { statusCode: 403, message: 'Out of call volume quota. Quota will be replenished in 00:01:00.' });
    assert.equal(refused.ctx.lastError?.reason, 'QuotaExceeded');
    services.clock.at = Date.UTC(2026, 0, 1, 1, 0, 0);
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
  });

  test('quota-by-key with bandwidth counts the kilobytes of each exchange', async () => {
    const big = await startBackend('big');
    big.respondWith((_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2048' });
      res.end('x'.repeat(2048));
    });
    try {
      const pipeline = compileDocuments([policies({ inbound: '<quota-by-key bandwidth="3" renewal-period="0" counter-key="k" />' })], testServices());
      assert.equal((await run(pipeline, gatewayContext(big.url))).status, 200);
      assert.equal((await run(pipeline, gatewayContext(big.url))).status, 200);
      const refused = await run(pipeline, gatewayContext(big.url));
      assert.equal(refused.status, 403);
      assert.match((refused.json() as { message: string }).message, /^Out of bandwidth quota\. Quota will be replenished in /);
    } finally {
      await big.close();
    }
  });

  test('when the counters cannot answer, limits let calls through unless the gateway makes them fail closed', async () => {
    const down = {
      apply: () => Promise.reject(new CountersUnavailableError('Redis counters are unavailable: test')),
      increment: () => Promise.reject(new CountersUnavailableError('Redis counters are unavailable: test')),
      close: async () => undefined,
    };
    const xml = policies({ inbound: '<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" /><quota-by-key calls="1" renewal-period="60" counter-key="k" />' });
    const open = testServices({ counters: down });
    assert.equal((await run(compileDocuments([xml], open), gatewayContext(backend.url))).status, 200);
    assert.equal(open.logs.filter((l) => /let through/.test(l)).length, 2);
    const closed = testServices({ counters: down, failClosed: ['quota-by-key'] });
    const refused = await run(compileDocuments([xml], closed), gatewayContext(backend.url));
    assert.equal(refused.status, 503);
    assert.equal(refused.ctx.lastError?.source, 'quota-by-key');
    assert.equal(refused.ctx.lastError?.reason, 'CountersUnavailable');
  });

  test('adjacent limit policies make one counter call, and each still answers for itself', async () => {
    const memory = createMemoryCounters();
    const calls: number[] = [];
    const counting: Counters = {
      apply: (ops) => {
        calls.push(ops.length);
        return memory.apply(ops);
      },
      increment: (...args) => memory.increment(...args),
      close: () => memory.close(),
    };
    const services = testServices({ counters: counting });
    const xml = policies({ inbound: '<rate-limit-by-key calls="2" renewal-period="60" counter-key="@(&quot;r&quot;)" /><quota-by-key calls="3" renewal-period="60" counter-key="q" />' });
    const pipeline = compileDocuments([xml], services);
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    assert.deepEqual(calls, [2], 'one call with both operations');
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    const limited = await run(pipeline, gatewayContext(backend.url));
    assert.equal(limited.status, 429);
    assert.equal(limited.ctx.lastError?.source, 'rate-limit-by-key');
    // The refused rate limit stopped the call: the quota did not count the third call.
    assert.equal((memory.apply([{ key: 'quota-by-key:60:q:calls', amount: 0, limit: Infinity, window: { periodMs: 60_000, alignMs: 0 } }]) as CounterResult[])[0].count, 2);
  });

  test('in one counter call, a later limit that refuses answers for itself and the earlier one has counted', async () => {
    const memory = createMemoryCounters();
    const xml = policies({ inbound: '<rate-limit-by-key calls="10" renewal-period="60" counter-key="later-r" /><quota-by-key calls="1" renewal-period="60" counter-key="later-q" />' });
    const pipeline = compileDocuments([xml], testServices({ counters: memory }));
    assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    const refused = await run(pipeline, gatewayContext(backend.url));
    assert.equal(refused.status, 403);
    assert.equal(refused.ctx.lastError?.source, 'quota-by-key');
    assert.equal((await memory.increment('rate-limit-by-key:60:later-r', 0, Infinity, { periodMs: 60_000 })).count, 2, 'the rate limit counted both calls');
  });

  test('two pipelines with the same keyed limit count one counter, and a per-call amount is counted as given', async () => {
    const memory = createMemoryCounters();
    const services = testServices({ counters: memory });
    const xml = policies({ inbound: '<rate-limit-by-key calls="100" renewal-period="60" counter-key="shared" increment-count="@(3)" /><quota-by-key calls="100" renewal-period="60" counter-key="shared" />' });
    for (const pipeline of [compileDocuments([xml], services), compileDocuments([xml], services)]) {
      assert.equal((await run(pipeline, gatewayContext(backend.url))).status, 200);
    }
    assert.equal((await memory.increment('rate-limit-by-key:60:shared', 0, Infinity, { periodMs: 60_000 })).count, 6);
    assert.equal((memory.apply([{ key: 'quota-by-key:60:shared:calls', amount: 0, limit: Infinity, window: { periodMs: 60_000, alignMs: 0 } }]) as CounterResult[])[0].count, 2);
  });

  test('a limit that sets a variable is counted before a later limit whose expressions may read it', async () => {
    const memory = createMemoryCounters();
    const calls: number[] = [];
    const counting: Counters = { apply: (ops) => (calls.push(ops.length), memory.apply(ops)), increment: (...args) => memory.increment(...args), close: () => memory.close() };
    const xml = policies({
      inbound: `<rate-limit-by-key calls="5" renewal-period="60" counter-key="a" remaining-calls-variable-name="left" />
        <rate-limit-by-key calls="9" renewal-period="60" counter-key="@(&quot;b-&quot; + context.Variables[&quot;left&quot;])" />
        <set-header name="x-left" exists-action="override"><value>@(context.Variables[&quot;left&quot;].ToString())</value></set-header>`,
    });
    const result = await run(compileDocuments([xml], testServices({ counters: counting })), gatewayContext(backend.url));
    assert.equal(result.status, 200);
    assert.deepEqual(calls, [1, 1]);
    assert.equal((await memory.increment('rate-limit-by-key:60:b-4', 0, Infinity, { periodMs: 60_000 })).count, 1, 'the second key saw the variable');
  });

  test('an expression failing in a later limit leaves the earlier ones counted, and names its own policy', async () => {
    const memory = createMemoryCounters();
    const xml = policies({
      inbound: '<rate-limit-by-key calls="5" renewal-period="60" counter-key="ok" /><quota-by-key calls="5" renewal-period="60" counter-key="@(((string)null).Length.ToString())" />',
      onError: '<return-response><set-status code="500" /><set-body>@(context.LastError.Source + "|" + context.LastError.Path)</set-body></return-response>',
    });
    const result = await run(compileDocuments([xml], testServices({ counters: memory })), gatewayContext(backend.url));
    assert.equal(result.status, 500);
    assert.equal(result.text, 'quota-by-key|quota-by-key[2]');
    assert.equal((await memory.increment('rate-limit-by-key:60:ok', 0, Infinity, { periodMs: 60_000 })).count, 1);
  });

  test('limit-concurrency refuses beyond max-count at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = await startBackend('slow');
    slow.respondWith(async (_r, res) => {
      await gate;
      res.writeHead(200);
      res.end();
    });
    try {
      const pipeline = compileDocuments([policies({ backend: '<limit-concurrency key="one" max-count="1"><forward-request /></limit-concurrency>' })], testServices());
      const first = run(pipeline, gatewayContext(slow.url));
      while (slow.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      const second = await run(pipeline, gatewayContext(slow.url));
      assert.equal(second.status, 429);
      release();
      assert.equal((await first).status, 200);
    } finally {
      release();
      await slow.close();
    }
  });
});

describe('internal cache', () => {
  test('cache-lookup serves the stored response; vary-by-query-parameter separates entries; expiry refetches', async () => {
    const services = testServices();
    const pipeline = compileDocuments(
      [policies({ inbound: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-query-parameter>v</vary-by-query-parameter></cache-lookup>', outbound: '<cache-store duration="30" /><set-header name="x-outbound" exists-action="override"><value>ran</value></set-header>' })],
      services,
    );
    const before = backend.requests.length;
    const first = await run(pipeline, gatewayContext(backend.url, { path: '/c', query: 'v=1&other=a' }));
    const second = await run(pipeline, gatewayContext(backend.url, { path: '/c', query: 'v=1&other=b' }));
    assert.equal(backend.requests.length, before + 1);
    assert.equal(second.text, first.text);
    assert.equal(second.header('x-outbound'), 'ran', 'outbound runs on a cache hit');
    await run(pipeline, gatewayContext(backend.url, { path: '/c', query: 'v=2' }));
    assert.equal(backend.requests.length, before + 2);
    services.clock.at += 30_000;
    await run(pipeline, gatewayContext(backend.url, { path: '/c', query: 'v=1' }));
    assert.equal(backend.requests.length, before + 3);
    await run(pipeline, gatewayContext(backend.url, { method: 'POST', path: '/c', query: 'v=1' }));
    assert.equal(backend.requests.length, before + 4, 'only GET is cached');
  });

  test('cache-store-value, cache-lookup-value and cache-remove-value', async () => {
    const services = testServices();
    const store = compileDocuments([policies({ inbound: '<cache-store-value key="@(&quot;k-&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-k&quot;, &quot;&quot;))" value="@(42)" duration="10" />' })], services);
    const read = compileDocuments(
      [policies({ inbound: '<cache-lookup-value key="k-a" variable-name="v" default-value="none" /><set-header name="x-v" exists-action="override"><value>@(context.Variables["v"].ToString())</value></set-header>' })],
      services,
    );
    const remove = compileDocuments([policies({ inbound: '<cache-remove-value key="k-a" />' })], services);
    await run(read, gatewayContext(backend.url));
    assert.equal(lastRequest().headers['x-v'], 'none');
    await run(store, gatewayContext(backend.url, { headers: { 'x-k': 'a' } }));
    await run(read, gatewayContext(backend.url));
    assert.equal(lastRequest().headers['x-v'], '42');
    await run(remove, gatewayContext(backend.url));
    await run(read, gatewayContext(backend.url));
    assert.equal(lastRequest().headers['x-v'], 'none');
  });
});
