import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from '../document/parser.ts';
import { PolicyError } from '../errors.ts';
import { assertValidPolicyDocument, validatePolicyDocument } from './validator.ts';
import type { ValidateOptions } from './validator.ts';

function problems(text: string, options: ValidateOptions = {}): string[] {
  const result = validatePolicyDocument(parsePolicyDocument(text), { compileExpression: false, ...options });
  return result.errors.map((e) => `${e.code} ${e.line}:${e.column} ${e.message.replace(/ \(line \d+, column \d+\)$/, '')}`);
}

const wrap = (inbound: string, extra = '') => `<policies>\n<!-- the policies under test start on line 4 -->\n<inbound>\n${inbound}\n</inbound>${extra}\n</policies>`;

test('a document using common policies correctly is valid', () => {
  const result = validatePolicyDocument(
    parsePolicyDocument(
      wrap(
        `<base />
<set-header name="X-Trace" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>
<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" />
<choose><when condition="@(true)"><set-variable name="a" value="1" /></when><otherwise><return-response><set-status code="403" reason="No" /></return-response></otherwise></choose>
<validate-jwt header-name="Authorization" failed-validation-httpcode="401"><openid-config url="https://login.example/.well-known/openid-configuration" /><audiences><audience>api</audience></audiences></validate-jwt>`,
        '<backend><forward-request timeout="30" /></backend><outbound><set-status code="{{status}}" /></outbound>',
      ),
    ),
    { compileExpression: false },
  );
  assert.deepEqual(result.errors, []);
  assert.equal(result.valid, true);
});

test('unknown elements are rejected by name, with a suggestion when one is close', () => {
  assert.deepEqual(problems(wrap('<set-headers name="a" />\n  <frobnicate />')), [
    'POLICY_UNKNOWN_ELEMENT 4:1 Unknown policy <set-headers> in inbound (did you mean <set-header>?)',
    'POLICY_UNKNOWN_ELEMENT 5:3 Unknown policy <frobnicate> in inbound',
  ]);
});

test('Azure policies Atrium does not run are rejected as unsupported, also as children', () => {
  const text = wrap('<xsl-transform><parameter name="a">b</parameter></xsl-transform>\n<send-request><set-url>https://x</set-url><authentication-certificate thumbprint="abc" /></send-request>');
  const result = validatePolicyDocument(parsePolicyDocument(text), { compileExpression: false });
  assert.deepEqual(result.unsupported, ['xsl-transform', 'authentication-certificate']);
  assert.deepEqual(
    result.errors.map((e) => [e.code, e.line, e.column]),
    [
      ['POLICY_UNSUPPORTED_ELEMENT', 4, 1],
      ['POLICY_UNSUPPORTED_ELEMENT', 5, 43],
    ],
  );
  assert.match(result.errors[0].message, /^Policy <xsl-transform> is not supported by Atrium/);
});

test('Azure-only policies are accepted with a warning', () => {
  const result = validatePolicyDocument(parsePolicyDocument(wrap('<authentication-managed-identity resource="https://vault.azure.net" />')), {
    compileExpression: false,
  });
  assert.equal(result.valid, true);
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0].code, 'POLICY_AZURE_ONLY');
  assert.match(result.warnings[0].message, /authentication-managed-identity/);
});

test('attributes: missing, unknown, wrong type, out of range, not an allowed value, expression not allowed', () => {
  assert.deepEqual(
    problems(
      wrap(
        [
          '<set-header exists-action="replace" />',
          '<rate-limit calls="ten" renewal-period="@(60)" color="red" />',
          '<set-status code="99" />',
          '<retry condition="maybe" count="3" interval="1"><forward-request /></retry>',
        ].join('\n'),
      ),
    ),
    [
      "POLICY_MISSING_ATTRIBUTE 4:1 <set-header> requires the attribute 'name'",
      "POLICY_INVALID_ATTRIBUTE 4:28 Attribute 'exists-action' of <set-header> must be one of override, skip, append, delete, not 'replace'",
      "POLICY_INVALID_ATTRIBUTE 5:20 Attribute 'calls' of <rate-limit> must be an integer, not 'ten'",
      "POLICY_INVALID_ATTRIBUTE 5:41 Attribute 'renewal-period' of <rate-limit> does not accept policy expressions",
      "POLICY_INVALID_ATTRIBUTE 5:48 Unknown attribute 'color' on <rate-limit> (known: calls, renewal-period, retry-after-header-name, retry-after-variable-name, remaining-calls-header-name, remaining-calls-variable-name, total-calls-header-name)",
      "POLICY_INVALID_ATTRIBUTE 6:19 Attribute 'code' of <set-status> must be at least 100, not 99",
      "POLICY_INVALID_ATTRIBUTE 7:19 Attribute 'condition' of <retry> must be true or false, not 'maybe'",
      'POLICY_ELEMENT_NOT_ALLOWED 7:49 Policy <forward-request> is not allowed in the inbound section (allowed in: backend)',
    ],
  );
});

test('exclusive attributes: one of base-url and backend-id', () => {
  assert.deepEqual(problems(wrap('<set-backend-service />\n<set-backend-service base-url="http://a" backend-id="b" />')), [
    "POLICY_MISSING_ATTRIBUTE 4:1 <set-backend-service> requires one of 'base-url', 'backend-id'",
    "POLICY_INVALID_ATTRIBUTE 5:1 <set-backend-service> takes only one of 'base-url', 'backend-id'",
  ]);
});

test('children: unknown, too many, required, text where none is allowed', () => {
  assert.deepEqual(
    problems(
      wrap(
        [
          '<choose><otherwise /></choose>',
          '<return-response><set-status code="200" /><set-status code="201" /><set-foo /></return-response>',
          '<cors><allowed-methods><method>GET</method></allowed-methods></cors>',
          '<base>text</base>',
        ].join('\n'),
      ),
    ),
    [
      'POLICY_INVALID_CHILDREN 4:1 <choose> requires a <when> element',
      'POLICY_INVALID_CHILDREN 5:43 <return-response> takes at most 1 <set-status>',
      'POLICY_INVALID_CHILDREN 5:68 <set-foo> is not allowed in <return-response> (expected <set-status>, <set-header>, <set-body>)',
      'POLICY_INVALID_CHILDREN 6:1 <cors> requires a <allowed-origins> element',
      'POLICY_INVALID_CHILDREN 7:7 <base> must be empty',
    ],
  );
});

test('<base/> at most once per section, only at the top of a section, not at global scope', () => {
  assert.deepEqual(problems(wrap('<base />\n<base />\n<choose><when condition="@(true)"><base /></when></choose>')), [
    'POLICY_INVALID_BASE 5:1 <base/> may appear only once in <inbound>',
    'POLICY_INVALID_BASE 6:35 <base/> must be a direct child of a section, not inside inbound/choose/when',
  ]);
  assert.deepEqual(problems(wrap('<base />'), { scope: 'global' }), [
    'POLICY_INVALID_BASE 4:1 <base/> is not allowed in the global policy, which has no parent scope',
  ]);
});

test('sections and scopes a policy may appear in', () => {
  assert.deepEqual(problems(wrap('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />'), { scope: 'global' }), [
    'POLICY_ELEMENT_NOT_ALLOWED 4:1 Policy <cache-lookup> is not allowed at the global scope (allowed at: product, api, operation)',
  ]);
  assert.deepEqual(problems('<policies><outbound>\n<choose><when condition="@(true)"><rewrite-uri template="/a" /></when></choose></outbound></policies>'), [
    'POLICY_ELEMENT_NOT_ALLOWED 2:35 Policy <rewrite-uri> is not allowed in the outbound section (allowed in: inbound)',
  ]);
  assert.deepEqual(problems(wrap('<wait><set-variable name="a" value="b" /></wait>')), [
    'POLICY_ELEMENT_NOT_ALLOWED 4:7 Policy <set-variable> is not allowed in inbound/wait: only <send-request>, <cache-lookup-value>, <choose>',
  ]);
});

test('fragments are checked without section rules unless their sections are given', () => {
  const fragment = parsePolicyDocument('<fragment>\n<forward-request />\n</fragment>');
  assert.equal(validatePolicyDocument(fragment, { compileExpression: false }).valid, true);
  assert.deepEqual(
    validatePolicyDocument(fragment, { fragmentSections: ['inbound'], compileExpression: false }).errors.map((e) => e.code),
    ['POLICY_ELEMENT_NOT_ALLOWED'],
  );
});

test('expressions are compiled by the injected checker, errors located where it says', () => {
  const seen: [string, number, number][] = [];
  const compileExpression = (source: string, at: { line: number; column: number }) => {
    seen.push([source, at.line, at.column]);
    if (source.includes('bad')) throw Object.assign(new Error('unknown name bad'), { code: 'EXPRESSION_UNKNOWN_NAME', line: at.line, column: at.column + 2 });
  };
  const result = validatePolicyDocument(
    parsePolicyDocument(wrap('<set-variable name="a" value="@(bad)" />\n<set-body>@{ return "ok"; }</set-body>\n<set-variable name="b" value="@({{weight}} + bad)" />')),
    { compileExpression },
  );
  assert.deepEqual(seen, [
    ['@(bad)', 4, 31],
    ['@{ return "ok"; }', 5, 11],
    ['@({{weight}} + bad)', 6, 31],
  ]);
  assert.deepEqual(
    result.errors.map((e) => [e.code, e.line, e.column, e.message]),
    [['POLICY_EXPRESSION_INVALID', 4, 33, "Invalid policy expression in attribute 'value' of <set-variable>: unknown name bad (line 4, column 33)"]],
  );
  assert.deepEqual(result.warnings.map((w) => [w.code, w.line]), [['POLICY_EXPRESSION_DEFERRED', 6]]);
});

test('assertValidPolicyDocument throws the first error and carries them all', () => {
  const document = parsePolicyDocument(wrap('<nope />\n<set-status />'));
  assert.throws(
    () => assertValidPolicyDocument(document, { compileExpression: false }),
    (error: unknown) => {
      assert.ok(error instanceof PolicyError);
      assert.equal(error.code, 'POLICY_UNKNOWN_ELEMENT');
      assert.deepEqual([error.line, error.column], [4, 1]);
      assert.match(error.message, /Unknown policy <nope> in inbound \(and 1 more\) \(line 4, column 1\)$/);
      assert.deepEqual(error.errors.map((e) => e.code), ['POLICY_UNKNOWN_ELEMENT', 'POLICY_MISSING_ATTRIBUTE']);
      return true;
    },
  );
});

test('governance: requireBase reports each written section without <base/>', () => {
  const text = '<policies>\n  <inbound><base /></inbound>\n  <backend><forward-request /></backend>\n  <outbound />\n</policies>';
  assert.deepEqual(problems(text), []);
  assert.deepEqual(problems(text, { requireBase: true }), [
    'POLICY_BASE_REQUIRED 3:3 <backend> must contain <base/>: the service requires it in workspace policies',
    'POLICY_BASE_REQUIRED 4:3 <outbound> must contain <base/>: the service requires it in workspace policies',
  ]);
});

test('<otherwise> must come after every <when>', () => {
  assert.deepEqual(problems(wrap('<choose><otherwise /><when condition="@(true)" /></choose>')), [
    'POLICY_INVALID_CHILDREN 4:22 <when> must come before <otherwise> in <choose>',
  ]);
});

test('references to fragments and named values are checked when lookups are given', () => {
  const text = wrap('<include-fragment fragment-id="known" />\n<include-fragment fragment-id="missing" />\n<set-variable name="a" value="{{nv-1}} {{nv-2}} {{nv-2}}" />');
  assert.deepEqual(problems(text), []);
  assert.deepEqual(
    problems(text, { fragmentExists: (id) => id === 'known', namedValueExists: (name) => name === 'nv-1' }),
    ["POLICY_FRAGMENT_NOT_FOUND 5:1 Policy fragment 'missing' does not exist", "POLICY_NAMED_VALUE_NOT_FOUND 6:40 Named value 'nv-2' does not exist"],
  );
});

test('backends and loggers named by policies are checked when lookups are given', () => {
  const text = wrap('<set-backend-service backend-id="orders" />\n<set-backend-service backend-id="@(context.Variables[&quot;b&quot;])" />\n<log-to-eventhub logger-id="audit">@(context.RequestId)</log-to-eventhub>');
  assert.deepEqual(problems(text), []);
  assert.deepEqual(problems(text, { backendExists: (id) => id === 'orders', loggerExists: () => true }), []);
  assert.deepEqual(problems(text, { backendExists: () => false, loggerExists: () => false }), [
    "POLICY_REFERENCE_NOT_FOUND 4:34 Backend 'orders' does not exist",
    "POLICY_REFERENCE_NOT_FOUND 6:29 Logger 'audit' does not exist",
  ]);
});

test('Azure attributes Atrium does not implement are rejected by name', () => {
  assert.deepEqual(problems(wrap('<set-backend-service backend-id="b" sf-partition-key="@(1)" />')), [
    "POLICY_INVALID_ATTRIBUTE 4:37 Attribute 'sf-partition-key' of <set-backend-service> is not supported by Atrium: Service Fabric backends exist only in Azure.",
  ]);
});

test('an expression is deferred to substitution only when a named value stands for code', () => {
  const compileExpression = (source: string) => {
    if (source.includes('{{w}}') && !source.includes('"{{w}}"')) throw new Error('cannot compile {{');
    if (source.includes('Bad')) throw new Error('Bad does not exist');
  };
  const result = validatePolicyDocument(
    parsePolicyDocument(wrap('<set-variable name="a" value="@(1 + {{w}})" />\n<set-variable name="b" value="@(Bad + &quot;{{w}}&quot;)" />')),
    { compileExpression },
  );
  assert.deepEqual(result.warnings.map((w) => [w.code, w.line]), [['POLICY_EXPRESSION_DEFERRED', 4]]);
  assert.deepEqual(result.errors.map((e) => [e.code, e.line]), [['POLICY_EXPRESSION_INVALID', 5]]);
});
