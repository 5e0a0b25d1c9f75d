import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from '../../policy/document/parser.ts';
import { validatePolicyDocument } from '../../policy/validate/validator.ts';

const codes = (inbound: string) =>
  validatePolicyDocument(parsePolicyDocument(`<policies><inbound>${inbound}</inbound></policies>`), { compileExpression: false }).errors.map(
    (e) => e.code,
  );

test('validate-jwt: keys, openid-config, audiences, issuers and required claims', () => {
  assert.deepEqual(
    codes(`<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized" clock-skew="30" output-token-variable-name="jwt">
      <openid-config url="https://login.example.com/.well-known/openid-configuration" />
      <issuer-signing-keys>
        <key>c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0</key>
        <key n="0vx7agoebGcQSuu" e="AQAB" />
        <key certificate-id="signing-cert" />
      </issuer-signing-keys>
      <audiences><audience>api://orders</audience></audiences>
      <issuers><issuer>https://login.example.com/</issuer></issuers>
      <required-claims>
        <claim name="roles" match="any" separator=","><value>reader</value><value>writer</value></claim>
      </required-claims>
    </validate-jwt>`),
    [],
  );
  assert.deepEqual(codes('<validate-jwt token-value="@(context.Variables[&quot;t&quot;])" />'), []);
});

test('validate-jwt: one token source, claims need a name, lists need an entry', () => {
  assert.deepEqual(codes('<validate-jwt header-name="a" query-parameter-name="b" />'), ['POLICY_INVALID_ATTRIBUTE']);
  assert.deepEqual(codes('<validate-jwt header-name="a"><required-claims><claim match="all" /></required-claims></validate-jwt>'), [
    'POLICY_MISSING_ATTRIBUTE',
  ]);
  assert.deepEqual(codes('<validate-jwt header-name="a"><audiences /></validate-jwt>'), ['POLICY_INVALID_CHILDREN']);
  assert.deepEqual(codes('<validate-jwt header-name="a"><claim name="x" /></validate-jwt>'), ['POLICY_INVALID_CHILDREN']);
  assert.deepEqual(codes('<validate-jwt header-name="a" clock-skew="soon" />'), ['POLICY_INVALID_ATTRIBUTE']);
});
