import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from '../../policy/document/parser.ts';
import { validatePolicyDocument } from '../../policy/validate/validator.ts';

const codes = (inbound: string, scope?: 'global' | 'product') =>
  validatePolicyDocument(parsePolicyDocument(`<policies><inbound>${inbound}</inbound></policies>`), { scope, compileExpression: false }).errors.map(
    (e) => e.code,
  );

test('rate-limit: per-API and per-operation limits nest under the subscription limit', () => {
  assert.deepEqual(
    codes(
      `<rate-limit calls="20" renewal-period="90" remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total">
        <api name="orders" calls="10" renewal-period="60"><operation name="list" calls="5" renewal-period="30" /></api>
      </rate-limit>`,
      'product',
    ),
    [],
  );
});

test('rate-limit: literal counts only, at product, API or operation scope', () => {
  assert.deepEqual(codes('<rate-limit calls="@(5)" renewal-period="60" />'), ['POLICY_INVALID_ATTRIBUTE']);
  assert.deepEqual(codes('<rate-limit calls="5" />'), ['POLICY_MISSING_ATTRIBUTE']);
  assert.deepEqual(codes('<rate-limit calls="5" renewal-period="0" />'), ['POLICY_INVALID_ATTRIBUTE']);
  assert.deepEqual(codes('<rate-limit calls="5" renewal-period="60" />', 'global'), ['POLICY_ELEMENT_NOT_ALLOWED']);
  assert.deepEqual(codes('<rate-limit calls="5" renewal-period="60"><operation name="x" calls="1" /></rate-limit>'), ['POLICY_INVALID_CHILDREN']);
});
