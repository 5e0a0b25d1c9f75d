import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

/** `atrium policy test`: a policy document run locally against a request and a stubbed backend. */
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('atrium policy test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-policy-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const policy = join(dir, 'policy.xml');
  writeFileSync(
    policy,
    `<policies>
  <inbound>
    <set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;anonymous&quot;))" />
    <choose>
      <when condition="@((string)context.Variables[&quot;who&quot;] == &quot;blocked&quot;)">
        <return-response><set-status code="403" reason="Forbidden" /></return-response>
      </when>
    </choose>
    <set-header name="x-caller" exists-action="override"><value>@((string)context.Variables["who"])</value></set-header>
  </inbound>
  <backend><forward-request /></backend>
  <outbound><set-header name="x-env" exists-action="override"><value>{{env}}</value></set-header></outbound>
  <on-error />
</policies>`,
  );

  it('prints what each step did, the backend call and the response', async () => {
    const res = await run(['policy', 'test', policy, '--header', 'x-user: alice', '--named-value', 'env=dev']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /variable who = alice/);
    assert.match(res.stdout, /request header x-caller: alice/);
    assert.match(res.stdout, /response header x-env: dev/);
    assert.match(res.stdout, /^backend {2}GET /m);
    assert.match(res.stdout, /^response 200/m);
  });

  it('shows a short-circuit without a backend call, and answers JSON on request', async () => {
    const request = join(dir, 'request.json');
    writeFileSync(request, JSON.stringify({ method: 'POST', url: '/orders?x=1', headers: { 'x-user': 'blocked' }, body: '{"a":1}', namedValues: { env: 'prod' } }));
    const text = await run(['policy', 'test', policy, '--request', request]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /backend {2}not called/);
    assert.match(text.stdout, /^response 403/m);
    const json = await run(['policy', 'test', policy, '--request', request, '--json']);
    const result = JSON.parse(json.stdout);
    assert.equal(result.response.status, 403);
    assert.equal(result.backendRequest, undefined);
    assert.equal(result.variables.who, 'blocked');
  });

  it('names line and column of a broken document', async () => {
    const broken = join(dir, 'broken.xml');
    writeFileSync(broken, '<policies>\n  <inbound>\n    <set-header name="x">\n  </inbound>\n</policies>');
    const res = await run(['policy', 'test', broken]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /line \d+, column \d+/);
    assert.equal((await run(['policy', 'test'])).code, 2);
  });
});
