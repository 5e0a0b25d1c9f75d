// Every policy expression of the public Azure snippet corpus must compile, except those broken
// upstream (or using a type Atrium does not offer), each rejected with a precise reason. A
// representative set is also evaluated against known results.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExpressionError, compileExpression, createExpressionContext, createPolicyResponse, toPolicyString } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = resolve(here, '../../../../shared/corpus/azure-policy-snippets');

interface CorpusExpression {
  file: string;
  line: number;
  kind: string;
  text: string;
}
const corpusFile = resolve(corpusDir, 'expressions.json');
const corpus: CorpusExpression[] = existsSync(corpusFile) ? JSON.parse(readFileSync(corpusFile, 'utf8')).expressions : [];
/** The corpus lives next to the repository (../shared/corpus), not in it. */
const skip = corpus.length ? false : `the snippet corpus is not present at ${corpusFile}`;

/** The policy engine substitutes named values before compiling; stand in a number for them. */
const substituteNamedValues = (text: string): string => text.replace(/\{\{[A-Za-z_][\w.\- ]*\}\}/g, '1');

/** Expressions expected to be rejected, by file and line, with the reason (a message fragment). */
const EXPECTED_REJECTIONS: Record<string, { code: string; reason: string; why: string }> = {
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml:16': { code: 'EXPRESSION_SYNTAX', reason: "')' expected", why: 'string mangled upstream to "latlong="""' },
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml:31': { code: 'EXPRESSION_SYNTAX', reason: "']' expected", why: 'string mangled upstream' },
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml:35': { code: 'EXPRESSION_SYNTAX', reason: 'expected', why: 'string mangled upstream (two expressions on this line)' },
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml:40': { code: 'EXPRESSION_SYNTAX', reason: 'Newline in constant', why: 'string mangled upstream' },
  'examples/Loopback request for service at same API Management service.xml:15': { code: 'EXPRESSION_SYNTAX', reason: "')' expected", why: 'string mangled upstream' },
  'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml:10': { code: 'EXPRESSION_SYNTAX', reason: "')' expected", why: 'string mangled upstream' },
  'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml:22': { code: 'EXPRESSION_SYNTAX', reason: "'}' expected", why: 'string mangled upstream' },
  'examples/DELETE a from to blobStorage account.xml:26': { code: 'EXPRESSION_SYNTAX', reason: "Non-invocable member 'MatchedParameters'", why: 'calls a dictionary like a method' },
  'examples/GET a file from blobStorage account.xml:26': { code: 'EXPRESSION_SYNTAX', reason: "Non-invocable member 'MatchedParameters'", why: 'calls a dictionary like a method' },
  'examples/PUT a file to blobStorage account.xml:27': { code: 'EXPRESSION_SYNTAX', reason: "Non-invocable member 'MatchedParameters'", why: 'calls a dictionary like a method' },
  'examples/Return a blob URL signed with a user delegation SAS token.xml:58': { code: 'EXPRESSION_TYPE_MISMATCH', reason: "No overload of 'AddSeconds' accepts arguments (string)", why: 'passes a string to AddSeconds(double): a C# compile error' },
  'examples/Return a blob URL signed with a user delegation SAS token.xml:75': { code: 'EXPRESSION_TYPE_MISMATCH', reason: "No overload of 'AddSeconds' accepts arguments (string)", why: 'passes a string to AddSeconds(double): a C# compile error' },
  'examples/Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml:40': { code: 'EXPRESSION_UNKNOWN_TYPE', reason: "'X509Certificate2'", why: 'X509Certificate2 and RSACng are not offered' },
};

test('every corpus expression compiles, except those rejected for a stated reason', { skip }, (t) => {
  const failures = new Map<string, ExpressionError[]>();
  let compiled = 0;
  for (const e of corpus) {
    try {
      compileExpression(substituteNamedValues(e.text), { line: e.line, column: 1 });
      compiled++;
    } catch (err) {
      assert.ok(err instanceof ExpressionError, `${e.file}:${e.line} threw ${String(err)}`);
      const key = `${e.file}:${e.line}`;
      failures.set(key, [...(failures.get(key) ?? []), err]);
    }
  }
  t.diagnostic(`corpus: ${compiled} of ${corpus.length} expressions compile; ${corpus.length - compiled} rejected`);
  for (const [key, errs] of failures) {
    const expected = EXPECTED_REJECTIONS[key];
    assert.ok(expected, `${key} was rejected unexpectedly: ${errs.map((e) => e.message).join(' | ')}`);
    for (const e of errs) {
      assert.equal(e.code, expected.code, `${key}: ${e.message}`);
      assert.ok(e.message.includes(expected.reason), `${key}: ${e.message}`);
      assert.ok(e.line !== undefined && e.line >= 1 && e.column !== undefined && e.column >= 1);
    }
    t.diagnostic(`rejected ${key}: ${expected.why} — ${errs[0].message}`);
  }
  for (const key of Object.keys(EXPECTED_REJECTIONS)) assert.ok(failures.has(key), `${key} now compiles: update the expectations`);
  assert.ok(compiled >= corpus.length - Object.keys(EXPECTED_REJECTIONS).length - 3);
});

function find(fileFragment: string, textFragment: string): string {
  const e = corpus.find((x) => x.file.includes(fileFragment) && x.text.includes(textFragment));
  assert.ok(e, `corpus expression ${fileFragment} / ${textFragment} not found`);
  return substituteNamedValues(e.text);
}

const baseSource = {
  request: { method: 'GET', url: 'https://api.example.com/echo/resource?param1=v', headers: {} as Record<string, string> },
  now: () => Date.UTC(2024, 0, 15, 10, 30, 0),
  random: () => 0.25,
};

test('corpus: IP filter with CIDR ranges accepts a private address', { skip }, () => {
  const src = find('Filter on IP Address', 'cidrList');
  const f = compileExpression(src);
  const inRange = f(createExpressionContext({ ...baseSource, request: { ...baseSource.request, headers: { 'x-forwarded-for': '10.1.2.3:5555' } } }));
  assert.equal(toPolicyString(inRange), '1');
  const outside = f(createExpressionContext({ ...baseSource, request: { ...baseSource.request, headers: { 'x-forwarded-for': '8.8.8.8' } } }));
  assert.equal(toPolicyString(outside), '8.8.8.8');
});

test('corpus: HMAC-signed JWT has three base64url parts and a verifiable signature', { skip }, () => {
  const src = find('Create HMAC SHA256-Signed JWT', 'jwtHeaderBase64UrlEncoded');
  const value = toPolicyString(compileExpression(src)(createExpressionContext(baseSource)));
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(value);
  assert.ok(m, value);
  assert.equal(Buffer.from(m[1], 'base64url').toString(), '{"typ":"JWT","alg":"HS256"}');
  const payload = JSON.parse(Buffer.from(m[2], 'base64url').toString());
  assert.equal(payload.username, 'john_doe');
  assert.equal(payload.exp, Date.UTC(2024, 0, 15, 10, 40, 0) / 1000);
});

test('corpus: aggregated backend responses produce the Newtonsoft JSON document', { skip }, () => {
  const src = find('Backend for Frontend', 'finalResponseBody');
  const resp = (status: number, body: string) => createPolicyResponse({ statusCode: status, headers: {}, body: { load: () => body } });
  const variables = new Map<string, unknown>([
    ['operation1', resp(200, '{"a":1}')],
    ['operation2', resp(500, 'oops')],
    ['operation3', resp(200, '[true]')],
  ]);
  const out = toPolicyString(compileExpression(src)(createExpressionContext({ ...baseSource, variables })));
  const doc = JSON.parse(out);
  assert.equal(doc.status, 207);
  assert.equal(doc.reason, 'Multi Status');
  assert.deepEqual(doc.body[0], { operation: 'operation1', status: 200, body: { a: 1 } });
  assert.deepEqual(doc.body[1], { operation: 'operation2', status: 500, error: 'oops' });
  assert.deepEqual(doc.body[3], { operation: 'operation4', error: '' });
  assert.ok(out.startsWith('{\n  "body": [\n    {\n      "operation": "operation1",'));
});

test('corpus: correlation id is a GUID built from the clock and random bytes', { skip }, () => {
  const src = find('Add correlation id', 'guidBinary');
  const v = toPolicyString(compileExpression(src)(createExpressionContext(baseSource)));
  assert.match(v, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('corpus: Event Grid validation response', { skip }, () => {
  const src = find('', 'validationResponse');
  const variables = new Map<string, unknown>([['Event', JSON.parse('{}')]]);
  void variables;
  const f = compileExpression(src);
  const ctx = createExpressionContext({ ...baseSource, variables: new Map([['Event', compileExpression('@(JObject.Parse("{\\"data\\":{\\"validationCode\\":\\"abc\\"}}"))')(createExpressionContext(baseSource))]]) });
  assert.equal(toPolicyString(f(ctx)), '{\n  "validationResponse": "abc"\n}');
});

test('corpus: cache-control max-age is read with a .NET named group', { skip }, () => {
  const src = find('', 'maxAge = Regex.Match');
  const f = compileExpression(src);
  const withHeader = createExpressionContext({ ...baseSource, response: { statusCode: 200, headers: { 'Cache-Control': 'public, max-age=120' } } });
  assert.equal(f(withHeader), 120);
  const without = createExpressionContext({ ...baseSource, response: { statusCode: 200, headers: {} } });
  assert.equal(f(without), 300);
});

test('corpus: cookie parsing with LINQ and null-conditional indexers', { skip }, () => {
  const src = find('', 'cookie[0] == "oidcsession"');
  const f = compileExpression(src);
  const ctx = createExpressionContext({ ...baseSource, request: { ...baseSource.request, headers: { cookie: 'a=1; oidcsession=xyz; b=2' } } });
  assert.equal(f(ctx), 'xyz');
  assert.equal(f(createExpressionContext({ ...baseSource, request: { ...baseSource.request, headers: { cookie: 'a=1' } } })), '');
  assert.equal(f(createExpressionContext(baseSource)), '');
});

test('corpus: values extracted from an XML document with XDocument and LINQ', { skip }, () => {
  const src = find('Extracting multiple values from xml', 'XDocument.Parse');
  const xml = '<r xmlns="urn:x"><a><conditionValue>yes</conditionValue><value1>1</value1></a><value3>3</value3></r>';
  const variables = new Map<string, unknown>([['sendRequestResponse', createPolicyResponse({ statusCode: 200, headers: {}, body: { load: () => xml } })]]);
  const out = toPolicyString(compileExpression(src)(createExpressionContext({ ...baseSource, variables })));
  assert.deepEqual(JSON.parse(out), { conditionValue: 'yes', value1: '1', value3: '3' });
});

test('corpus: a value pulled out of SOAP with XmlReader and XNode.ReadFrom', { skip }, () => {
  const src = find('Extract value from XML', 'XmlReader.Create');
  assert.equal(compileExpression(src)(createExpressionContext(baseSource)), 'ABCDEF123456789');
});

test('corpus: SAS token signature with HMACSHA256 and String.Format', { skip }, () => {
  const src = find('Generate Azure Relay Token', 'SharedAccessSignature');
  const variables = new Map<string, unknown>([['resourceUri', 'https://ns.servicebus.windows.net/hc'], ['accessKey', 'k3y'], ['keyName', 'RootManageSharedAccessKey']]);
  const v = toPolicyString(compileExpression(src)(createExpressionContext({ ...baseSource, variables })));
  assert.match(v, /^SharedAccessSignature sr=https%3A%2F%2Fns\.servicebus\.windows\.net%2Fhc&sig=[A-Za-z0-9%]+&se=1705318200&skn=RootManageSharedAccessKey$/);
});
